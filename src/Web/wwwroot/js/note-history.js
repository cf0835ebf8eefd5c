// A note's history, beside its live editor (the group documents view, groups.js, and the workspace): its changes
// grouped by author and time (GET /api/documents/{docId}/ops, read page by page), the text at a revision or at an
// instant, a word diff between two revisions, and *Restore this version*: asked first, then typed into the editor as
// one ordinary edit (the same path as typing: acknowledged, pushed to everyone, refused with its reason when the
// reader may not edit), which the history then shows as a change of its own. The pure parts are text-history.js.

import { h, field, patch } from './dom.js';
import { accessSentence } from './access.js';
import { colorFor } from './model.js';
import { describeError } from './errors.js';
import { formatSpan, formatWhen, groupHistory, restoreSummary, revisionAt, wordDiff } from './text-history.js';

const HISTORY_PAGE = 1000;
const HISTORY_MAX_PAGES = 50;
const HISTORY_SHOWN = 50;

/**
 * A closed `<details>` (`el`) that reads the history of the document given to `setDocument(docId, editor)` when opened;
 * `editor` is the document's mounted editor (mountEditor), through which a version is restored. Observers get no
 * restore buttons.
 */
export function createNoteHistory(ctx) {
  const { i18n, api } = ctx;
  const t = (...a) => i18n.t(...a);
  const mayRestore = ctx.identity?.participant?.role !== 'observer';
  const history = h('details', { class: 'card rec-history note-history', hidden: true, dataset: { testid: 'note-history' } });
  const notice = h('p', { class: 'note-notice', role: 'status', dataset: { testid: 'note-notice' } });
  let docId = null;
  let editor = null;
  let log = null; // { docId, loading, start, ops, changes, revision, capped, error, shown, at, instant, diff, restore }
  history.addEventListener('toggle', () => {
    if (history.open && docId && (!log || log.docId !== docId)) loadHistory();
  });

  async function loadHistory() {
    const id = docId;
    if (!id) return;
    log = { docId: id, loading: true, start: '', ops: [], changes: [], revision: 0, capped: false, error: null, shown: HISTORY_SHOWN, at: null, diff: null, restore: null };
    renderHistory();
    const path = `/api/documents/${encodeURIComponent(id)}`;
    try {
      const start = await api.get(`${path}/text?revision=0`);
      const ops = [];
      let after = 0;
      let capped = false;
      for (let pages = 0; ; ) {
        const page = await api.get(`${path}/ops?after=${after}`);
        if (!Array.isArray(page) || page.length === 0) break;
        ops.push(...page);
        after = page.at(-1).revision;
        if (page.length < HISTORY_PAGE) break;
        if (++pages >= HISTORY_MAX_PAGES) {
          capped = true;
          break;
        }
      }
      if (log?.docId !== id) return;
      const grouped = groupHistory(start.text, ops);
      log = { ...log, loading: false, start: start.text, ops, changes: grouped.changes, revision: after, capped };
    } catch (err) {
      if (log?.docId === id) log = { ...log, loading: false, error: describeError(err, t) };
    }
    renderHistory();
  }

  const textAt = (revision) => api.get(`/api/documents/${encodeURIComponent(log.docId)}/text?revision=${revision}`);
  const validRevision = (r) => Number.isInteger(r) && r >= 0 && r <= (log?.revision ?? 0);

  async function showTextAt(revision, time = null) {
    if (!log || !validRevision(revision)) {
      notice.textContent = t('rec.revisionRange', { max: log?.revision ?? 0 });
      return;
    }
    try {
      const answer = await textAt(revision);
      log.at = { revision, text: answer.text, time };
    } catch (err) {
      notice.textContent = describeError(err, t);
    }
    renderHistory();
    history.querySelector('[data-testid=text-at]')?.scrollIntoView({ block: 'nearest' });
  }

  function showTextAtTime(value) {
    const instant = value ? new Date(value) : null;
    const revision = instant ? revisionAt(log?.ops, instant) : null;
    if (revision == null) {
      notice.textContent = t('notes.instantInvalid');
      return;
    }
    showTextAt(revision, instant.toISOString());
  }

  async function compare(fromRevision, toRevision) {
    if (!log || !validRevision(fromRevision) || !validRevision(toRevision)) {
      notice.textContent = t('rec.revisionRange', { max: log?.revision ?? 0 });
      return;
    }
    const [a, b] = fromRevision <= toRevision ? [fromRevision, toRevision] : [toRevision, fromRevision];
    try {
      const [x, y] = await Promise.all([textAt(a), textAt(b)]);
      log.diff = { from: a, to: b, pieces: wordDiff(x.text, y.text) };
    } catch (err) {
      log.diff = { from: a, to: b, error: describeError(err, t) };
    }
    renderHistory();
    history.querySelector('[data-testid=diff]')?.scrollIntoView({ block: 'nearest' });
  }

  /** First step of restoring: asks, beside the history, whether to replace the text. */
  function askRestore(revision) {
    if (!log || !validRevision(revision)) return;
    if (editor?.access?.mode !== 'edit') {
      notice.textContent = t('notes.restoreRefused', { reason: accessSentence(editor?.access ?? { mode: 'read' }, t) });
      return;
    }
    log.restore = { revision };
    renderHistory();
    history.querySelector('[data-testid=restore-confirm] button')?.focus();
  }

  /**
   * Restores the text of `revision` as one new edit: typed into the editor as if the reader had replaced the text, so
   * it takes the same path as typing (sent, acknowledged, pushed to everyone, refused with a reason if the reader may
   * no longer edit).
   */
  async function restore(revision) {
    const id = log?.docId;
    log.restore = null;
    if (!editor || id !== docId) return;
    let old;
    try {
      old = (await textAt(revision)).text;
    } catch (err) {
      notice.textContent = describeError(err, t);
      renderHistory();
      return;
    }
    const doc = await editor.ready;
    if (!doc || editor.access?.mode !== 'edit') {
      notice.textContent = t('notes.restoreRefused', { reason: accessSentence(editor?.access ?? { mode: 'read' }, t) });
      renderHistory();
      return;
    }
    if (restoreSummary(editor.text, old).same) {
      notice.textContent = t('notes.restoreSame', { revision });
      renderHistory();
      return;
    }
    editor.textarea.value = old;
    editor.textarea.dispatchEvent(new Event('input'));
    if (editor.text !== old) {
      // Refused on the way (the editor says why, and keeps nothing typed): nothing was restored.
      renderHistory();
      return;
    }
    try {
      await doc.whenSynced();
      notice.textContent = t('notes.restored', { revision });
    } catch (err) {
      notice.textContent = describeError(err, t);
    }
    if (docId === id) await loadHistory();
  }

  function renderHistory() {
    const summary = h('summary', null, h('h2', { class: 'summary-title' }, t('notes.history')));
    if (!docId) {
      history.hidden = true;
      return;
    }
    history.hidden = false;
    const key = JSON.stringify([i18n.language, docId, log && { ...log, start: null, ops: log.ops.length }]);
    patch(history, key, () => [summary, notice, log ? historyBody() : null]);
  }

  function historyBody() {
    const lang = i18n.language;
    const changes = log.changes.slice().reverse();
    const shown = changes.slice(0, log.shown);
    const revisionInput = h('input', { type: 'number', name: 'at', min: 0, max: log.revision, value: log.at?.revision ?? log.revision, inputmode: 'numeric' });
    const atForm = h('form', { class: 'row history-at' }, field(t('rec.revision'), revisionInput), h('button', { type: 'submit' }, t('rec.showText')));
    atForm.addEventListener('submit', (e) => {
      e.preventDefault();
      showTextAt(Number(revisionInput.value));
    });
    const instantInput = h('input', { type: 'datetime-local', name: 'instant', step: 1, value: log.instant ?? '' });
    const timeForm = h('form', { class: 'row history-time' }, field(t('notes.instant'), instantInput), h('button', { type: 'submit' }, t('rec.showText')));
    timeForm.addEventListener('submit', (e) => {
      e.preventDefault();
      log.instant = instantInput.value;
      showTextAtTime(instantInput.value);
    });
    const from = h('input', { type: 'number', name: 'from', min: 0, max: log.revision, value: log.diff?.from ?? 0, inputmode: 'numeric' });
    const to = h('input', { type: 'number', name: 'to', min: 0, max: log.revision, value: log.diff?.to ?? log.revision, inputmode: 'numeric' });
    const diffForm = h('form', { class: 'row history-diff' }, field(t('rec.from'), from), field(t('rec.to'), to), h('button', { type: 'submit', class: 'primary' }, t('rec.compare')));
    diffForm.addEventListener('submit', (e) => {
      e.preventDefault();
      compare(Number(from.value), Number(to.value));
    });
    const restoreButton = (revision) =>
      !mayRestore
        ? null
        : h('button', { type: 'button', class: 'link', dataset: { testid: 'restore', revision: String(revision) }, onclick: () => askRestore(revision) }, t('notes.restore'));
    return h(
      'section',
      null,
      h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => loadHistory() }, t('rec.refreshHistory'))),
      log.loading ? h('p', { class: 'hint', role: 'status' }, t('doc.loading')) : null,
      log.error ? h('p', { class: 'error', role: 'alert' }, log.error) : null,
      !log.loading && !log.error && changes.length === 0 ? h('p', { class: 'hint' }, t('notes.historyEmpty')) : null,
      log.capped ? h('p', { class: 'hint' }, t('rec.historyCapped', { count: log.revision })) : null,
      log.restore
        ? h(
            'div',
            { class: 'confirm', role: 'alertdialog', 'aria-label': t('notes.restore'), dataset: { testid: 'restore-confirm' } },
            h('p', null, t('notes.restoreAsk', { revision: log.restore.revision })),
            h(
              'div',
              { class: 'buttons' },
              h('button', { type: 'button', class: 'primary', onclick: () => restore(log.restore.revision) }, t('notes.restoreConfirm')),
              h('button', { type: 'button', onclick: () => ((log.restore = null), renderHistory()) }, t('notes.restoreCancel')),
            ),
          )
        : null,
      h(
        'ol',
        { class: 'changes', dataset: { testid: 'history-changes' } },
        shown.map((c) =>
          h(
            'li',
            { class: 'change', dataset: { testid: 'history-change', from: String(c.fromRevision), to: String(c.toRevision) }, style: { '--who': colorFor(c.authorId) } },
            h(
              'p',
              { class: 'by' },
              h('span', { class: 'dot', 'aria-hidden': 'true' }),
              h('strong', null, c.authorName),
              ` · ${formatSpan(c.firstAt, c.lastAt, lang)}`,
              ` · ${c.edits === 1 ? t('rec.oneEdit') : t('rec.edits', { count: c.edits })}`,
              h('small', null, ` (${t('rec.revisions', { from: c.fromRevision + 1, to: c.toRevision })})`),
            ),
            h('p', { class: 'what' }, c.before, c.removed ? h('del', null, c.removed) : null, c.added ? h('ins', null, c.added) : null, c.after),
            h(
              'div',
              { class: 'buttons' },
              h('button', { type: 'button', class: 'link', onclick: () => showTextAt(c.toRevision) }, t('rec.textAfter')),
              h('button', { type: 'button', class: 'link', onclick: () => compare(c.fromRevision, c.toRevision) }, t('rec.compareChange')),
              restoreButton(c.toRevision),
            ),
          ),
        ),
      ),
      changes.length > shown.length
        ? h('button', { type: 'button', onclick: () => ((log.shown += HISTORY_SHOWN), renderHistory()) }, t('rec.moreChanges', { count: changes.length - shown.length }))
        : null,
      h('h3', null, t('rec.textAt')),
      atForm,
      h('h3', null, t('notes.textAtTime')),
      timeForm,
      log.at
        ? h(
            'figure',
            { class: 'text-at', dataset: { testid: 'text-at', revision: String(log.at.revision) } },
            h(
              'figcaption',
              null,
              log.at.time ? t('notes.instantCaption', { time: formatWhen(log.at.time, lang), revision: log.at.revision }) : t('rec.textAtCaption', { revision: log.at.revision }),
            ),
            h('pre', null, log.at.text),
            h(
              'div',
              { class: 'buttons' },
              h('button', { type: 'button', class: 'link', onclick: () => compare(log.at.revision, log.revision) }, t('notes.compareNow')),
              restoreButton(log.at.revision),
            ),
          )
        : null,
      h('h3', null, t('rec.diff')),
      diffForm,
      log.diff?.pieces
        ? h(
            'figure',
            { class: 'diff', dataset: { testid: 'diff' } },
            h('figcaption', null, t('rec.diffCaption', { from: log.diff.from, to: log.diff.to })),
            h('p', { class: 'diff-text' }, log.diff.pieces.map((p) => (p.kind === 'same' ? p.text : h(p.kind === 'added' ? 'ins' : 'del', null, p.text)))),
            h('p', { class: 'hint' }, t('rec.diffLegend')),
          )
        : null,
      log.diff?.error ? h('p', { class: 'error', role: 'alert' }, log.diff.error) : null,
    );
  }

  return {
    el: history,
    /** The document shown beside (null: none) and its editor; a new document starts with its history unread. */
    setDocument(id, mounted) {
      editor = mounted ?? null;
      if (id === docId) return;
      docId = id ?? null;
      log = null;
      notice.textContent = '';
      renderHistory();
      if (history.open && docId) loadHistory();
    },
    relabel: () => renderHistory(),
  };
}
