// A plain <textarea> bound to one co-edited document (collab-client.js DocumentClient, through DocumentRegistry):
// local input becomes ops (diffOp of the text before and after), remote ops update the text while keeping the
// caret where it was in the words, and others' carets and selections are drawn, with their names and colours, on a
// mirror layer under the textarea, with marks (comments, suggestions, stale paragraphs, a source passage).
//
// What the reader may do decides how typing is taken (access.js): `edit` sends ops; `suggest` keeps the typing as a
// draft suggestion, sent when they say so; `read` takes none. The mode is shown before anyone types and follows the
// server live (AccessChanged). A keystroke that races a change and is refused is never silently dropped: what was
// typed stays visible with a notice, and can be turned into a suggestion (where suggesting is allowed) or copied.

import { diffOp, errorCode } from './collab-client.js';
import { describeError } from './errors.js';
import { h, replace } from './dom.js';
import { roomColours } from './colours.js';
import { accessFromRefusal, accessSentence, editorAccess, isAccessRefusal } from './access.js';
import { describeSuggestion, moveRange, overlaySegments, suggestionFromEdit } from './rec-model.js';

const PRESENCE_INTERVAL_MS = 100;

/**
 * Mounts an editor for `docId` into `host`. Options: `title`, `i18n`, `me` (participantId: not drawn as "others"),
 * `role` (the reader's), `readOnly` (never edit here), `fallbackAccess()` (what the page knows when the server does not
 * answer an access, e.g. a recommendation's status), `onSuggest({ start, end, revision, replacement })` (sends a
 * suggestion; without it suggesting is not offered), `onSelection({ start, end, text })` (the reader's selection in the
 * text, on every change), `onText(text)` (the shown text changed), `api` (reads history pages when a mark is older than
 * the client remembers). Returns `{ textarea, ready, access, text, revision, selection(), setMarks(), setLocalMarks(),
 * marksOf(), showPassage(), focusRange(), refreshAccess(), relabel(), dispose() }`.
 */
export function mountEditor(host, registry, docId, options) {
  const { title, i18n, me, role = null, readOnly = false, fallbackAccess = null, onSuggest = null, onSelection = null, onText = null, api = null } = options;
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
  const mode = h('span', { class: 'pill mode', dataset: { testid: 'editor-mode' } });
  const status = h('p', { class: 'doc-status', id: `status-${docId}`, role: 'status', dataset: { testid: 'editor-status' } }, t('doc.loading'));
  const others = h('p', { class: 'doc-others' });
  const draftBar = h('div', { class: 'draft-bar', hidden: true, dataset: { testid: 'suggestion-draft' }, role: 'region', 'aria-label': t('rec.draft.title') });
  const keptBox = h('div', { class: 'kept', hidden: true, role: 'alert', dataset: { testid: 'kept-typing' } });
  replace(
    host,
    h(
      'div',
      { class: 'editor' },
      h('div', { class: 'editor-head' }, label, mode),
      h('div', { class: 'doc-stack' }, mirror, textarea),
      draftBar,
      keptBox,
      others,
      status,
    ),
  );

  let doc = null;
  let shown = ''; // the document's text as this editor shows it (its local text)
  let disposed = false;
  let presenceTimer = null;
  let refused = null; // the access a refusal told of, until the server answers one
  let access = editorAccess({ role, readOnly });
  let draft = null; // suggesting: { baseText, baseRevision } while the textarea holds typing not sent yet
  let kept = null; // refused typing: { typed, suggestion?, revision? }
  let errorText = '';
  const markGroups = new Map(); // group -> [{ id, kind, start, end, ... }] in the local text
  const wanted = new Map(); // group -> { list, revision, waiters } waiting for the document (or for history) to move them
  const allMarks = () => [...markGroups.values()].flat();

  const canSuggest = () => typeof onSuggest === 'function';

  const computeAccess = () =>
    editorAccess({
      access: doc?.access ?? null,
      role,
      readOnly,
      locked: !!doc?.locked,
      refused,
      fallback: typeof fallbackAccess === 'function' ? fallbackAccess() : null,
    });

  const renderStatus = () => {
    const parts = [];
    if (access.mode !== 'edit') parts.push(accessSentence(access, t));
    if (access.mode === 'suggest' && !canSuggest()) parts.push(t('rec.access.suggestElsewhere'));
    if (errorText) parts.push(errorText);
    status.textContent = parts.join(' ');
  };

  const refreshEditable = () => {
    if (!doc) return;
    access = computeAccess();
    textarea.disabled = false;
    const typing = access.mode === 'edit' || (access.mode === 'suggest' && canSuggest());
    textarea.readOnly = !typing;
    textarea.dataset.mode = access.mode;
    mode.dataset.mode = access.mode;
    mode.textContent = t(`rec.mode.${access.mode}`);
    renderStatus();
    renderKept();
    if (draft) renderDraft();
  };

  const currentSelection = () => {
    const { selectionStart: s, selectionEnd: e, selectionDirection: d } = textarea;
    return d === 'backward' ? { anchor: e, head: s } : { anchor: s, head: e };
  };

  const sendSelection = () => {
    tellSelection();
    if (presenceTimer != null || !doc) return;
    presenceTimer = setTimeout(() => {
      presenceTimer = null;
      if (!disposed && doc && !draft && document.activeElement === textarea) doc.updateSelection(currentSelection());
    }, PRESENCE_INTERVAL_MS);
  };

  let lastTold = '';
  const tellSelection = () => {
    if (!onSelection) return;
    const start = Math.min(textarea.selectionStart, textarea.selectionEnd);
    const end = Math.max(textarea.selectionStart, textarea.selectionEnd);
    const sel = draft || !doc ? { start: 0, end: 0, text: '' } : { start, end, text: shown.slice(start, end) };
    const key = `${sel.start}:${sel.end}:${sel.text.length}`;
    if (key === lastTold) return;
    lastTold = key;
    onSelection(sel);
  };

  const renderPresence = () => {
    if (!doc) return;
    const drafting = draft != null;
    const people = drafting ? [] : doc.participants.filter((p) => p.participantId !== me);
    // Distinct within the document, stable while each person stays (colours.js).
    const colorFor = roomColours(docId, [me, ...doc.participants.map((p) => p.participantId)]);
    const segments = overlaySegments(drafting ? textarea.value : shown, people, drafting ? [] : allMarks());
    replace(
      mirror,
      segments.map((s) => {
        if (s.caret) {
          const color = colorFor(s.caret.participantId);
          return h('span', { class: 'caret', style: { '--who': color } }, h('span', { class: 'caret-name' }, s.caret.name));
        }
        if (s.point) return h('span', { class: `point m-${s.point.kind}`, dataset: { markId: s.point.id } });
        if (s.marks.length || s.highlight) {
          const kinds = s.marks.map((m) => `m-${m.kind}`).join(' ');
          return h(
            'mark',
            {
              class: kinds || null,
              style: s.highlight ? { '--who': colorFor(s.highlight.participantId) } : null,
              dataset: s.marks.length ? { markId: s.marks.map((m) => m.id).join(' ') } : null,
            },
            s.text,
          );
        }
        return s.text;
      }),
      // A trailing newline in a textarea still takes a line: keep the mirror the same height.
      '\u200b',
    );
    mirror.scrollTop = textarea.scrollTop;
    const names = [...new Set(doc.participants.filter((p) => p.participantId !== me).map((p) => p.name))];
    replace(others, names.length ? t('doc.others', { names: names.join(', ') }) : '');
  };

  /** Moves the marks (local text positions) through a change of the shown text. */
  const moveMarks = (op) => {
    for (const [group, list] of markGroups) markGroups.set(group, list.map((m) => ({ ...m, ...moveRange(m, [op]) })));
  };

  const listener = {
    onChange(text, op, meta) {
      if (disposed) return;
      const change = meta?.resync ? diffOp(shown, text) : op;
      moveMarks(change);
      shown = text;
      if (draft) {
        // Suggesting: the typing stays on screen; the suggestion is placed by the server where its passage is now.
        draft.moved = true;
        renderDraft();
      } else {
        const focused = document.activeElement === textarea;
        const sel = currentSelection();
        const moved = doc.transformSelection(sel, change, 'before');
        textarea.value = text;
        if (focused) {
          const start = Math.min(moved.anchor, moved.head);
          const end = Math.max(moved.anchor, moved.head);
          textarea.setSelectionRange(start, end, moved.anchor > moved.head ? 'backward' : 'forward');
        }
      }
      if (kept && meta?.resync) settleKept();
      if (meta?.resync && doc.access) {
        // The server answered again after the refusal: its access is the truth now.
        refused = null;
        refreshEditable();
      }
      placeWanted();
      renderPresence();
      tellSelection();
      onText?.(shown);
    },
    onPresence() {
      if (!disposed) renderPresence();
    },
    onLockChanged() {
      if (disposed) return;
      // Unlocked: a lock refusal told before is over, even if the server's access answer never changed in between.
      if (!doc.locked && refused?.reason === 'locked') refused = null;
      refreshEditable();
    },
    onAccessChanged() {
      if (disposed) return;
      refused = null;
      refreshEditable();
    },
    onError(code, message) {
      if (disposed) return;
      if (isAccessRefusal(code)) {
        // A keystroke raced a change of what this reader may do: keep what they typed; the text resynchronises.
        if (!kept) kept = { typed: shown, code };
        refused = accessFromRefusal(code);
        errorText = '';
        refreshEditable();
        return;
      }
      errorText = t('rec.editor.refused', { reason: describeError({ code, message }, t) });
      renderStatus();
    },
  };

  // ---------------------------------------------------------------- typing

  textarea.addEventListener('input', () => {
    if (!doc) return;
    // A draft suggestion stays one until it is sent or discarded, even if the reader may now edit directly.
    if (draft || (access.mode === 'suggest' && canSuggest())) {
      if (!draft) draft = { baseText: shown, baseRevision: doc.revision, moved: false };
      renderDraft();
      renderPresence();
      return;
    }
    if (access.mode !== 'edit') {
      textarea.value = shown;
      return;
    }
    const next = textarea.value;
    try {
      doc.applyLocal(diffOp(shown, next));
      moveMarks(diffOp(shown, doc.text));
      shown = doc.text;
      onText?.(shown);
    } catch (err) {
      // Refused locally (locked, too large): keep what was typed visible and show the document as it is.
      const code = errorCode(err) ?? err.code ?? null;
      if (isAccessRefusal(code)) {
        kept = { typed: next, code };
        refused = accessFromRefusal(code);
      } else {
        errorText = t('rec.editor.refused', { reason: describeError({ code }, t) });
      }
      const sel = currentSelection();
      textarea.value = shown;
      textarea.setSelectionRange(Math.min(sel.anchor, shown.length), Math.min(sel.head, shown.length));
      if (kept) settleKept();
      refreshEditable();
    }
    renderPresence();
    sendSelection();
  });
  textarea.addEventListener('keydown', (event) => {
    if (!draft) return;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      sendDraft();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      discardDraft();
    }
  });
  for (const name of ['select', 'keyup', 'mouseup', 'focus']) textarea.addEventListener(name, sendSelection);
  textarea.addEventListener('blur', () => doc?.updateSelection(null));
  textarea.addEventListener('scroll', () => {
    mirror.scrollTop = textarea.scrollTop;
  });

  // ---------------------------------------------------------------- suggesting: the draft

  const quote = (text) => t('rec.quote', { text: text.length > 160 ? `${text.slice(0, 160)}…` : text });

  function suggestionWords(removed, added) {
    const d = describeSuggestion(removed, added);
    if (d.kind === 'insert') return t('rec.suggestion.insert', { added: quote(d.added) });
    if (d.kind === 'delete') return t('rec.suggestion.delete', { removed: quote(d.removed) });
    return t('rec.suggestion.replace', { removed: quote(d.removed), added: quote(d.added) });
  }

  function renderDraft() {
    if (!draft) {
      draftBar.hidden = true;
      replace(draftBar);
      return;
    }
    const edit = suggestionFromEdit(draft.baseText, textarea.value);
    draftBar.hidden = false;
    // Sending is offered whatever the mode is now (the server decides); copying keeps the words in any case.
    const send = h('button', { type: 'button', class: 'primary', disabled: !edit, onclick: sendDraft }, t('rec.draft.send'));
    const typed = edit ? edit.replacement : '';
    replace(
      draftBar,
      h('p', { class: 'draft-what' }, h('strong', null, `${t('rec.draft.title')} `), edit ? suggestionWords(draft.baseText.slice(edit.start, edit.end), edit.replacement) : t('rec.draft.empty')),
      draft.moved ? h('p', { class: 'hint' }, t('rec.draft.moved')) : null,
      h('p', { class: 'hint' }, t('rec.draft.hint')),
      h(
        'div',
        { class: 'buttons' },
        send,
        typed ? h('button', { type: 'button', onclick: () => copy(typed, draftBar) }, t('rec.kept.copy')) : null,
        h('button', { type: 'button', onclick: discardDraft }, t('rec.draft.discard')),
      ),
    );
  }

  async function sendDraft() {
    if (!draft || !canSuggest()) return;
    const edit = suggestionFromEdit(draft.baseText, textarea.value);
    if (!edit) {
      discardDraft();
      return;
    }
    const sending = draft;
    for (const b of draftBar.querySelectorAll('button')) b.disabled = true;
    try {
      await onSuggest({ start: edit.start, end: edit.end, revision: sending.baseRevision, replacement: edit.replacement });
      if (draft !== sending) return;
      draft = null;
      textarea.value = shown;
      errorText = '';
      renderDraft();
      renderPresence();
      status.textContent = t('rec.draft.sent');
      textarea.focus();
    } catch (err) {
      errorText = t('rec.editor.refused', { reason: describeError(err, t) });
      renderStatus();
      renderDraft();
    }
  }

  function discardDraft() {
    draft = null;
    textarea.value = shown;
    renderDraft();
    renderPresence();
  }

  // ---------------------------------------------------------------- refused typing, kept

  /** After the text resynchronised: what the refused typing changed, against the text as it is now. */
  function settleKept() {
    if (!kept || !doc) return;
    const edit = suggestionFromEdit(shown, kept.typed);
    if (!edit) {
      kept = null;
    } else {
      kept.suggestion = edit;
      kept.revision = doc.hasUnsyncedChanges ? null : doc.revision;
      kept.removed = shown.slice(edit.start, edit.end);
    }
    renderKept();
  }

  function renderKept() {
    if (!kept) {
      keptBox.hidden = true;
      replace(keptBox);
      return;
    }
    keptBox.hidden = false;
    const edit = kept.suggestion;
    const typed = edit ? edit.replacement || kept.removed : '';
    const offerSuggestion = edit && access.mode === 'suggest' && canSuggest() && kept.revision != null;
    replace(
      keptBox,
      // Why is said once, in the editor's status line below; here is what was typed and what can be done with it.
      h('p', null, h('strong', null, t('rec.kept.title'))),
      edit ? h('p', { class: 'kept-what' }, t('rec.kept.change', { change: suggestionWords(kept.removed ?? '', edit.replacement) })) : h('p', { class: 'hint' }, t('rec.kept.waiting')),
      h(
        'div',
        { class: 'buttons' },
        offerSuggestion ? h('button', { type: 'button', class: 'primary', onclick: keptToSuggestion }, t('rec.kept.suggest')) : null,
        edit ? h('button', { type: 'button', onclick: () => copy(typed, keptBox) }, t('rec.kept.copy')) : null,
        h('button', { type: 'button', onclick: dismissKept }, t('rec.kept.dismiss')),
      ),
    );
  }

  async function keptToSuggestion() {
    if (!kept?.suggestion || kept.revision == null) return;
    const { start, end, replacement } = kept.suggestion;
    try {
      await onSuggest({ start, end, revision: kept.revision, replacement });
      kept = null;
      renderKept();
      status.textContent = t('rec.draft.sent');
    } catch (err) {
      errorText = t('rec.editor.refused', { reason: describeError(err, t) });
      renderStatus();
    }
  }

  async function copy(text, box) {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = t('rec.kept.copied');
    } catch {
      // No clipboard (an insecure origin): select the words so that the reader copies them with the keyboard.
      const area = h('textarea', { class: 'kept-copy', readonly: true, 'aria-label': t('rec.kept.copy') }, text);
      box.append(area);
      area.focus();
      area.select();
    }
  }

  function dismissKept() {
    kept = null;
    renderKept();
    textarea.focus();
  }

  // ---------------------------------------------------------------- marks and passages

  /**
   * Places marks given at a server revision (`{ start, end }` as the view read them) on the text as it is now: through
   * the ops this client remembers, else through the history read over HTTP; a revision not applied yet waits for it.
   * Resolves every waiter once placed.
   */
  function placeWanted() {
    for (const group of [...wanted.keys()]) tryWanted(group);
  }

  function tryWanted(group) {
    const want = wanted.get(group);
    if (!want || !doc) return;
    const placed = [];
    for (const m of want.list) {
      const range = doc.rangeFromRevision({ start: m.start, end: m.end }, want.revision);
      if (!range) {
        if (want.revision <= doc.revision) fetchAndPlace(group, want);
        return;
      }
      placed.push({ ...m, ...range });
    }
    wanted.delete(group);
    markGroups.set(group, placed);
    for (const resolve of want.waiters) resolve(true);
  }

  async function fetchAndPlace(group, want) {
    if (want.fetching) return;
    want.fetching = true;
    const settle = (value) => {
      if (wanted.get(group) === want) wanted.delete(group);
      for (const resolve of want.waiters) resolve(value);
    };
    if (!api) {
      settle(false);
      return;
    }
    try {
      const to = doc.revision;
      const ops = [];
      for (let after = want.revision; after < to; ) {
        const page = await api.get(`/api/documents/${encodeURIComponent(docId)}/ops?after=${after}&to=${to}`);
        if (!Array.isArray(page) || page.length === 0) break;
        ops.push(...page.map((e) => e.op));
        after = page.at(-1).revision;
      }
      if (disposed || wanted.get(group) !== want) return;
      wanted.set(group, { ...want, list: want.list.map((m) => ({ ...m, ...moveRange(m, ops) })), revision: to, fetching: false });
      tryWanted(group);
      renderPresence();
    } catch {
      settle(false);
    }
  }

  /**
   * Sets one group of marks (`comments`, `suggestions`, `passage` …): `[{ id, kind, start, end }]` in the server's
   * text at `revision`. Resolves true once they are on the text (false if they could not be placed or were replaced).
   */
  function setMarks(group, list, revision) {
    const want = { list: list ?? [], revision, waiters: [], fetching: false };
    const done = new Promise((resolve) => want.waiters.push(resolve));
    for (const resolve of wanted.get(group)?.waiters ?? []) resolve(false);
    wanted.set(group, want);
    tryWanted(group);
    renderPresence();
    return done;
  }

  /** Sets one group of marks already in the shown text's positions (e.g. computed from it: stale paragraphs). */
  function setLocalMarks(group, list) {
    for (const resolve of wanted.get(group)?.waiters ?? []) resolve(false);
    wanted.delete(group);
    markGroups.set(group, list ?? []);
    renderPresence();
  }

  /** Scrolls to a range of the shown text and selects it. */
  function focusRange(start, end, { select = true } = {}) {
    const s = Math.max(0, Math.min(shown.length, start));
    const e = Math.max(s, Math.min(shown.length, end));
    const before = h('span');
    const probe = h('div', { class: 'doc-text doc-mirror probe', 'aria-hidden': 'true' }, shown.slice(0, s), before, '\u200b');
    mirror.parentElement.append(probe);
    const top = before.offsetTop;
    probe.remove();
    textarea.scrollTop = Math.max(0, top - textarea.clientHeight / 3);
    mirror.scrollTop = textarea.scrollTop;
    if (select) {
      textarea.focus({ preventScroll: true });
      textarea.setSelectionRange(s, e);
      textarea.scrollTop = Math.max(0, top - textarea.clientHeight / 3);
      mirror.scrollTop = textarea.scrollTop;
    }
  }

  /** Highlights a source passage `{ start, end, revision }` (an anchor as last read), scrolls to it and selects it. */
  async function showPassage(range) {
    const opened = await ready;
    if (!opened || disposed) return false;
    const placed = await setMarks('passage', [{ id: 'passage', kind: 'passage', start: range.start, end: range.end }], range.revision);
    const mark = markGroups.get('passage')?.[0];
    if (!placed || !mark || disposed) return false;
    focusRange(mark.start, mark.end);
    return true;
  }

  /** The reader's selection in the server's text: `{ start, end, revision, text }` once their own edits are saved. */
  async function selection() {
    if (!doc || draft) return null;
    if (doc.hasUnsyncedChanges) await doc.whenSynced();
    const start = Math.min(textarea.selectionStart, textarea.selectionEnd);
    const end = Math.max(textarea.selectionStart, textarea.selectionEnd);
    return { start, end, revision: doc.revision, text: shown.slice(start, end) };
  }

  const ready = registry.acquire(docId, listener).then(
    (opened) => {
      if (disposed) return null;
      doc = opened;
      shown = doc.text;
      textarea.value = shown;
      refreshEditable();
      placeWanted();
      renderPresence();
      onText?.(shown);
      return doc;
    },
    (err) => {
      if (!disposed) status.textContent = t('rec.editor.openFailed', { reason: describeError(err, t) });
      return null;
    },
  );

  return {
    textarea,
    ready,
    get access() {
      return access;
    },
    get text() {
      return shown;
    },
    get revision() {
      return doc?.revision ?? null;
    },
    /** The page learned something that changes the fallback (e.g. the recommendation's status). */
    refreshAccess: () => refreshEditable(),
    /** The page's language changed. */
    relabel(nextTitle) {
      label.textContent = nextTitle ?? label.textContent;
      draftBar.setAttribute('aria-label', t('rec.draft.title'));
      refreshEditable();
      renderDraft();
    },
    selection,
    setMarks,
    setLocalMarks,
    /** A group's marks where they are now in the shown text. */
    marksOf: (group) => markGroups.get(group) ?? [],
    showPassage,
    focusRange,
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
      // Words, never a code: a grid cell that could not open says so in the reader's language.
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
