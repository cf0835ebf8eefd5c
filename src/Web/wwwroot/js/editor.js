// A plain <textarea> bound to one co-edited document (collab-client.js DocumentClient, through DocumentRegistry):
// local input becomes ops (diffOp of the text before and after), remote ops update the text while keeping the
// caret where it was in the words, and others' carets and selections are drawn, with their names and colours, on a
// mirror layer under the textarea.

import { diffOp } from './collab-client.js';
import { describeError } from './errors.js';
import { h, replace } from './dom.js';
import { colorFor, presenceSegments } from './model.js';

const PRESENCE_INTERVAL_MS = 100;

/**
 * Mounts an editor for `docId` into `host`. Options: `title`, `i18n`, `me` (participantId: not drawn as "others"),
 * `readOnly`. Returns `{ dispose() }`.
 */
export function mountEditor(host, registry, docId, { title, i18n, me, readOnly = false }) {
  const { t } = i18n;
  const textarea = h('textarea', {
    class: 'doc-text',
    spellcheck: 'true',
    disabled: true,
    'aria-describedby': `status-${docId}`,
    dataset: { docId, testid: 'editor' },
  });
  const mirror = h('div', { class: 'doc-text doc-mirror', 'aria-hidden': 'true' });
  const label = h('label', { class: 'doc-title', for: `ed-${docId}` }, title);
  textarea.id = `ed-${docId}`;
  const status = h('p', { class: 'doc-status', id: `status-${docId}`, role: 'status' }, t('doc.loading'));
  const others = h('p', { class: 'doc-others' });
  replace(host, h('div', { class: 'editor' }, label, h('div', { class: 'doc-stack' }, mirror, textarea), others, status));

  let doc = null;
  let shown = '';
  let disposed = false;
  let presenceTimer = null;

  const setStatus = (text) => {
    status.textContent = text;
  };

  const canEdit = () => doc && !readOnly && !doc.locked;

  const refreshEditable = () => {
    textarea.disabled = false;
    textarea.readOnly = !canEdit();
    if (doc?.locked) setStatus(t('doc.locked'));
    else if (readOnly) setStatus(t('doc.readOnly'));
    else setStatus('');
  };

  const currentSelection = () => {
    const { selectionStart: s, selectionEnd: e, selectionDirection: d } = textarea;
    return d === 'backward' ? { anchor: e, head: s } : { anchor: s, head: e };
  };

  const sendSelection = () => {
    if (presenceTimer != null || !doc) return;
    presenceTimer = setTimeout(() => {
      presenceTimer = null;
      if (!disposed && doc && document.activeElement === textarea) doc.updateSelection(currentSelection());
    }, PRESENCE_INTERVAL_MS);
  };

  const renderPresence = () => {
    if (!doc) return;
    const people = doc.participants.filter((p) => p.participantId !== me);
    const segments = presenceSegments(shown, people);
    replace(
      mirror,
      segments.map((s) => {
        if (s.caret) {
          const color = colorFor(s.caret.participantId);
          return h('span', { class: 'caret', style: { '--who': color } }, h('span', { class: 'caret-name' }, s.caret.name));
        }
        if (s.highlight) return h('mark', { style: { '--who': colorFor(s.highlight.participantId) } }, s.text);
        return s.text;
      }),
      // A trailing newline in a textarea still takes a line: keep the mirror the same height.
      '\u200b',
    );
    mirror.scrollTop = textarea.scrollTop;
    const names = [...new Set(people.map((p) => p.name))];
    replace(others, names.length ? t('doc.others', { names: names.join(', ') }) : '');
  };

  const listener = {
    onChange(text, op, meta) {
      if (disposed) return;
      const focused = document.activeElement === textarea;
      const sel = currentSelection();
      const moved = doc.transformSelection(sel, meta?.resync ? diffOp(shown, text) : op, 'before');
      shown = text;
      textarea.value = text;
      if (focused) {
        const start = Math.min(moved.anchor, moved.head);
        const end = Math.max(moved.anchor, moved.head);
        textarea.setSelectionRange(start, end, moved.anchor > moved.head ? 'backward' : 'forward');
      }
      renderPresence();
    },
    onPresence() {
      if (!disposed) renderPresence();
    },
    onLockChanged() {
      if (!disposed) refreshEditable();
    },
    onError(code) {
      if (!disposed) setStatus(t('doc.error', { reason: describeError({ code }, t) }));
    },
  };

  textarea.addEventListener('input', () => {
    if (!canEdit()) {
      textarea.value = shown;
      return;
    }
    const next = textarea.value;
    try {
      doc.applyLocal(diffOp(shown, next));
      shown = doc.text;
    } catch (err) {
      // Refused locally (locked, too large): show the document as it is.
      setStatus(t('doc.error', { reason: describeError(err, t) }));
      const sel = currentSelection();
      shown = doc.text;
      textarea.value = shown;
      textarea.setSelectionRange(Math.min(sel.anchor, shown.length), Math.min(sel.head, shown.length));
    }
    renderPresence();
    sendSelection();
  });
  for (const name of ['select', 'keyup', 'mouseup', 'focus']) textarea.addEventListener(name, sendSelection);
  textarea.addEventListener('blur', () => doc?.updateSelection(null));
  textarea.addEventListener('scroll', () => {
    mirror.scrollTop = textarea.scrollTop;
  });

  registry.acquire(docId, listener).then(
    (opened) => {
      if (disposed) return;
      doc = opened;
      shown = doc.text;
      textarea.value = shown;
      refreshEditable();
      renderPresence();
    },
    (err) => {
      if (!disposed) setStatus(describeError(err, t));
    },
  );

  return {
    textarea,
    dispose() {
      disposed = true;
      clearTimeout(presenceTimer);
      registry.release(docId, listener);
    },
  };
}

/** A read-only live view of a document (the facilitator's grid): the text as it changes. */
export function mountPreview(host, registry, docId, i18n = null) {
  const pre = h('pre', { class: 'preview-text', dataset: { docId, testid: 'grid-doc' }, tabindex: '0' });
  replace(host, pre);
  let disposed = false;
  const listener = {
    onChange(text) {
      if (!disposed) pre.textContent = text;
    },
  };
  registry.acquire(docId, listener).then(
    (doc) => {
      if (!disposed) pre.textContent = doc.text;
    },
    (err) => {
      if (!disposed) pre.textContent = i18n ? describeError(err, i18n.t) : '';
    },
  );
  return {
    dispose() {
      disposed = true;
      registry.release(docId, listener);
    },
  };
}
