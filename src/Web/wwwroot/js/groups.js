// The group documents of every session (#groups), for facilitators and rapporteurs: sessions → groups (every round,
// also after the session ended: GET /api/workshops/{id}/sessions/{sessionId}/groups) → their documents, each opening
// live in the real-time editor with who is here. What the reader may do is the server's (the phase table: facilitators
// edit; rapporteurs too except while endorsement is open). Beside the open document, its history: changes grouped by
// author and time, the text at a revision or at an instant, a word diff, and *restore this version*, which is one
// ordinary edit (typed into the editor's own path: acknowledged, pushed to everyone, itself in the history).
// Facilitators also set the documents each group of a session gets from now on (PUT …/sessions/{id}/group-documents):
// titles and guidance per working language, an initial text. Also: the guidance an empty document shows
// (showGuidance), used by the workspace too.

import { h, replace, field, patch } from './dom.js';
import { mountEditor } from './editor.js';
import { accessSentence } from './access.js';
import { colorFor } from './model.js';
import { describeError } from './errors.js';
import { MAX_GROUP_DOCUMENTS, groupDocuments, groupsByRound, guidanceFor, templateBody, templateDraft } from './notes-model.js';
import { formatSpan, formatWhen, groupHistory, restoreSummary, revisionAt, wordDiff } from './text-history.js';

const HISTORY_PAGE = 1000;
const HISTORY_MAX_PAGES = 50;
const HISTORY_SHOWN = 50;
const GROUPS_REFRESH_MS = 400;

/**
 * Keeps `editor`'s placeholder saying what to write in `doc` (`{ section, guidance }`) while it is empty, in the
 * reader's language, or that nothing is written yet for a reader who may not edit. Returns a function that refreshes it
 * (after a change of language or of access).
 */
export function showGuidance(editor, doc, i18n, { plenary = false } = {}) {
  const refresh = () => {
    const canEdit = editor.access?.mode === 'edit';
    editor.textarea.placeholder = guidanceFor(doc, i18n.language, i18n.t, { canEdit, plenary });
  };
  refresh();
  editor.ready?.then(refresh, () => {});
  return refresh;
}

export function createGroupsView(ctx) {
  const { i18n, store, api } = ctx;
  const t = (...a) => i18n.t(...a);

  const heading = h('h1', { class: 'room-name' });
  const intro = h('p', { class: 'hint' });
  const sessionsHeading = h('h2');
  const sessionList = h('ol', { class: 'agenda', dataset: { testid: 'groups-sessions' } });
  const groupsHeading = h('h2');
  const refreshButton = h('button', { type: 'button', class: 'link', onclick: () => loadGroups() });
  const groupsHost = h('div', { class: 'groups-list', dataset: { testid: 'groups-list' }, 'aria-live': 'polite' });
  const editorHost = h('div', { class: 'editor-host' });
  const notice = h('p', { class: 'flash', role: 'status', dataset: { testid: 'note-notice' } });
  const history = h('details', { class: 'card rec-history', dataset: { testid: 'note-history' } });
  const isFacilitator = ctx.identity.participant.role === 'facilitator';
  const templateBox = h('details', { class: 'card rec-history template-editor', dataset: { testid: 'template-editor' } });
  const templateNotice = h('p', { class: 'flash', role: 'status', dataset: { testid: 'template-notice' } });
  history.addEventListener('toggle', () => {
    if (history.open && docId && (!log || log.docId !== docId)) loadHistory();
  });

  const el = h(
    'div',
    { class: 'groups-view' },
    h('section', { class: 'room-bar card' }, h('div', null, heading, intro)),
    h(
      'div',
      { class: 'workspace-grid' },
      h('div', { class: 'side' }, h('section', { class: 'docs card' }, editorHost, notice), history, isFacilitator ? templateBox : null),
      h(
        'aside',
        { class: 'side' },
        h('section', { class: 'card' }, sessionsHeading, sessionList),
        h('section', { class: 'card' }, h('div', { class: 'row' }, groupsHeading, refreshButton), groupsHost),
      ),
    ),
  );

  let sessionId = null;
  let groups = null; // the selected session's groups, as the server listed them
  let loading = false;
  let loadError = '';
  let docId = null;
  let editor = null;
  let refreshGuidance = null;
  let editorKey; // undefined until the first render
  let roster = new Map();
  let log = null; // the open document's history: { docId, loading, start, ops, changes, revision, capped, error, shown, at, diff, restore }
  let lastSessionVersion = null;
  let lastConsoleSession = store.state.consoleSessionId ?? null;
  let visible = false;
  let disposed = false;

  // ------------------------------------------------------------------------ sessions and groups

  function defaultSession(s) {
    const agenda = s.workshop?.agenda ?? [];
    const known = (id) => id && agenda.some((a) => a.id === id);
    if (known(s.consoleSessionId)) return s.consoleSessionId;
    if (known(s.workshop?.liveSessionId)) return s.workshop.liveSessionId;
    return agenda.find((a) => a.kind === 'breakouts')?.id ?? agenda[0]?.id ?? null;
  }

  function selectSession(id) {
    if (id === sessionId) return;
    sessionId = id;
    groups = null;
    lastSessionVersion = store.state.sessions[id]?.version ?? null;
    renderSessions(store.state);
    resetTemplate();
    loadGroups();
  }

  // ------------------------------------------------------------------------ the documents each group gets (facilitators)

  let draft = []; // the selected session's templates being edited: [{ key, titles, guidance, text }]
  let templateSaving = false;

  const languages = () => store.state.workshop?.languages?.length ? store.state.workshop.languages : ['en'];
  const languageName = (lang) => {
    const key = `rec.lang.${lang}`;
    const words = t(key);
    return words === key ? lang.toUpperCase() : words;
  };

  /** The draft from what the workshop holds for the session (after choosing it, saving, or a change of language). */
  function resetTemplate() {
    if (!isFacilitator) return;
    const entry = store.state.workshop?.agenda?.find((a) => a.id === sessionId);
    draft = templateDraft(entry?.groupDocuments, languages());
    templateNotice.textContent = '';
    renderTemplate();
  }

  function renderTemplate() {
    if (!isFacilitator) return;
    const wasOpen = templateBox.open;
    const input = (tag, value, onInput, attrs = {}) => {
      const el = h(tag, { ...attrs, value });
      el.addEventListener('input', () => onInput(el.value));
      return el;
    };
    replace(
      templateBox,
      h('summary', null, h('h2', { class: 'summary-title' }, t('notes.template.title'))),
      h('p', { class: 'hint' }, t('notes.template.intro')),
      draft.length === 0 ? h('p', { class: 'hint', dataset: { testid: 'template-default' } }, t('notes.template.default')) : null,
      draft.map((d, i) =>
        h(
          'fieldset',
          { class: 'template-doc', dataset: { testid: 'template-doc' } },
          h('legend', null, t('notes.template.document', { n: i + 1 })),
          languages().map((lang) =>
            field(t('notes.template.docTitle', { language: languageName(lang) }), input('input', d.titles[lang] ?? '', (v) => (d.titles[lang] = v), { maxlength: 200, name: `title-${lang}` })),
          ),
          languages().map((lang) =>
            field(t('notes.template.guidance', { language: languageName(lang) }), input('textarea', d.guidance[lang] ?? '', (v) => (d.guidance[lang] = v), { maxlength: 500, rows: 2, name: `guidance-${lang}` })),
          ),
          field(t('notes.template.text'), input('textarea', d.text ?? '', (v) => (d.text = v), { maxlength: 10000, rows: 3, name: 'text' })),
          h('button', { type: 'button', class: 'link', onclick: () => (draft.splice(i, 1), renderTemplate()) }, t('notes.template.remove')),
        ),
      ),
      h(
        'div',
        { class: 'buttons' },
        h(
          'button',
          {
            type: 'button',
            disabled: draft.length >= MAX_GROUP_DOCUMENTS,
            title: draft.length >= MAX_GROUP_DOCUMENTS ? t('notes.template.max', { max: MAX_GROUP_DOCUMENTS }) : null,
            onclick: () => {
              draft.push(templateDraft([{}], languages())[0]);
              renderTemplate();
              templateBox.querySelectorAll('fieldset').item(draft.length - 1)?.querySelector('input')?.focus();
            },
          },
          t('notes.template.add'),
        ),
        h('button', { type: 'button', class: 'primary', disabled: templateSaving, onclick: () => saveTemplate(false) }, t('notes.template.save')),
        h('button', { type: 'button', disabled: templateSaving, onclick: () => saveTemplate(true) }, t('notes.template.useDefault')),
      ),
      templateNotice,
    );
    templateBox.open = wasOpen;
  }

  async function saveTemplate(useDefault) {
    let body;
    try {
      body = templateBody(useDefault ? [] : draft);
    } catch {
      templateNotice.textContent = t('notes.template.titleMissing');
      return;
    }
    const id = sessionId;
    templateSaving = true;
    renderTemplate();
    try {
      const workshop = await api.put(ctx.path(`/sessions/${encodeURIComponent(id)}/group-documents`), body);
      if (workshop?.agenda) store.set((s) => ({ workshop: !s.workshop || workshop.version >= s.workshop.version ? workshop : s.workshop }));
      templateSaving = false;
      if (id !== sessionId) return;
      resetTemplate();
      templateNotice.textContent = t(body.groupDocuments ? 'notes.template.saved' : 'notes.template.resetDone');
    } catch (err) {
      templateSaving = false;
      renderTemplate();
      templateNotice.textContent = describeError(err, t);
    }
  }

  let loadSeq = 0;
  async function loadGroups() {
    if (!sessionId) return;
    const seq = ++loadSeq;
    loading = true;
    loadError = '';
    renderGroups();
    try {
      const [list, people] = await Promise.all([
        api.get(ctx.path(`/sessions/${encodeURIComponent(sessionId)}/groups`)),
        roster.size ? null : api.get(ctx.path('/roster')).catch(() => null),
      ]);
      if (seq !== loadSeq || disposed) return;
      if (Array.isArray(people)) roster = new Map(people.map((p) => [p.id, p]));
      groups = Array.isArray(list) ? list : [];
    } catch (err) {
      if (seq !== loadSeq || disposed) return;
      loadError = describeError(err, t);
      groups = groups ?? [];
    }
    loading = false;
    renderGroups();
  }

  let refreshTimer = null;
  /** A push about the selected session (groups opened, members moved, the end) reads its groups again, once. */
  function groupsMayHaveChanged() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => !disposed && visible && loadGroups(), GROUPS_REFRESH_MS);
  }

  function renderSessions(s) {
    const live = s.workshop?.liveSessionId;
    patch(sessionList, JSON.stringify([i18n.language, live, sessionId, s.workshop?.agenda]), () =>
      (s.workshop?.agenda ?? []).map((a) =>
        h(
          'li',
          null,
          h(
            'button',
            {
              type: 'button',
              class: 'agenda-item',
              dataset: { focusKey: a.id, session: a.id },
              'aria-pressed': a.id === sessionId ? 'true' : 'false',
              onclick: () => selectSession(a.id),
            },
            h('small', null, [t('console.day', { day: a.day }), a.startsAt ? ` · ${String(a.startsAt).slice(0, 5)}` : ''].join('')),
            h('span', null, a.title),
            a.id === live ? h('span', { class: 'pill live' }, t('console.live')) : null,
          ),
        ),
      ),
    );
  }

  function memberNames(g) {
    return (g.members ?? []).map((id) => roster.get(id)?.name ?? null).filter(Boolean);
  }

  function renderGroups() {
    const key = JSON.stringify([i18n.language, sessionId, loading, loadError, docId, groups, roster.size]);
    patch(groupsHost, key, () => {
      if (loadError) return h('p', { class: 'error', role: 'alert' }, loadError);
      if (!groups) return h('p', { class: 'hint', role: 'status' }, t('notes.loading'));
      if (groups.length === 0) return h('p', { class: 'hint' }, t('notes.noGroups'));
      const rounds = groupsByRound(groups);
      return rounds.map(({ round, groups: list }) => [
        rounds.length > 1 ? h('h3', null, t('notes.round', { round })) : null,
        list.map((g) => {
          const names = memberNames(g);
          return h(
            'article',
            { class: 'group-card', dataset: { testid: 'notes-group', group: g.id } },
            h('h3', null, g.name),
            h('p', { class: 'members' }, names.length ? t('notes.members', { names: names.join(', ') }) : t('notes.noMembers')),
            h(
              'ul',
              { class: 'buttons' },
              groupDocuments([g], i18n.language).map((d) =>
                h(
                  'li',
                  null,
                  h(
                    'button',
                    {
                      type: 'button',
                      dataset: { focusKey: d.docId, testid: 'open-note', docId: d.docId },
                      'aria-pressed': d.docId === docId ? 'true' : 'false',
                      onclick: () => openDocument(d.docId),
                    },
                    d.title,
                  ),
                ),
              ),
            ),
          );
        }),
      ]);
    });
    renderEditor();
  }

  // ------------------------------------------------------------------------ the open document

  function openDocument(id) {
    if (id === docId) return;
    docId = id;
    log = null;
    notice.textContent = '';
    renderGroups();
    renderHistory();
    if (history.open) loadHistory();
  }

  function openedDoc() {
    if (!docId) return null;
    return groupDocuments(groups ?? [], i18n.language).find((d) => d.docId === docId) ?? null;
  }

  function renderEditor() {
    const doc = visible ? openedDoc() : null;
    const key = doc ? `${doc.docId}|${doc.groupName}|${doc.title}` : null;
    if (key === editorKey) return;
    editorKey = key;
    editor?.dispose();
    editor = null;
    refreshGuidance = null;
    if (!doc) {
      replace(editorHost, h('p', { class: 'hint' }, t('notes.pick')));
      return;
    }
    editor = mountEditor(editorHost, ctx.registry, doc.docId, {
      title: t('notes.docTitle', { group: doc.groupName, title: doc.title }),
      i18n,
      me: store.state.me?.participantId ?? ctx.identity.participant.id,
      role: ctx.identity.participant.role,
      api,
      onText: () => refreshGuidance?.(),
    });
    refreshGuidance = showGuidance(editor, doc, i18n);
  }

  // ------------------------------------------------------------------------ history

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
    patch(history, key, () => [summary, log ? historyBody() : null]);
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
      h('button', { type: 'button', class: 'link', dataset: { testid: 'restore', revision: String(revision) }, onclick: () => askRestore(revision) }, t('notes.restore'));
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

  // ------------------------------------------------------------------------ the view's life

  function relabel() {
    heading.textContent = t('notes.title');
    intro.textContent = t('notes.intro');
    sessionsHeading.textContent = t('notes.sessions');
    groupsHeading.textContent = t('notes.groups');
    refreshButton.textContent = t('notes.refresh');
    editorKey = undefined;
    renderTemplate();
    renderSessions(store.state);
    renderGroups();
    renderHistory();
  }

  const unsubscribe = store.subscribe((s) => {
    if (!visible) return;
    if (!sessionId && s.workshop) selectSession(defaultSession(s));
    renderSessions(s);
    const version = s.sessions[sessionId]?.version ?? null;
    if (version !== lastSessionVersion) {
      lastSessionVersion = version;
      groupsMayHaveChanged();
    }
  });

  relabel();

  return {
    el,
    relabel,
    /** Once a second: an empty document's guidance follows the reader's access (a phase change, the end). */
    tick: () => refreshGuidance?.(),
    show() {
      visible = true;
      const s = store.state;
      // Arriving from the console: its session.
      if (s.consoleSessionId && s.consoleSessionId !== lastConsoleSession) {
        lastConsoleSession = s.consoleSessionId;
        selectSession(s.consoleSessionId);
      } else if (!sessionId && s.workshop) selectSession(defaultSession(s));
      else if (sessionId) loadGroups();
      editorKey = undefined;
      renderSessions(s);
      renderGroups();
    },
    hide() {
      // Leaving the view: its document is released (a connection keeps at most 50 open).
      visible = false;
      editorKey = undefined;
      editor?.dispose();
      editor = null;
      refreshGuidance = null;
    },
    dispose() {
      disposed = true;
      visible = false;
      clearTimeout(refreshTimer);
      unsubscribe();
      editor?.dispose();
    },
  };
}
