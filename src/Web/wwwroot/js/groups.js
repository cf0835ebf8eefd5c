// The group documents of every session (#groups), for facilitators and rapporteurs: sessions → groups (every round,
// also after the session ended: GET /api/workshops/{id}/sessions/{sessionId}/groups) → their documents, each opening
// live in the real-time editor with who is here. What the reader may do is the server's (the phase table: facilitators
// edit; rapporteurs too except while endorsement is open). Beside the open document, its history (note-history.js:
// changes by author and time, the text at a revision or an instant, a diff, restore as a new edit). Facilitators also
// set the documents each group of a session gets from now on (PUT …/sessions/{id}/group-documents): titles and
// guidance per working language, an initial text. Also: the guidance an empty document shows (showGuidance), used by
// the workspace too.

import { h, replace, field, patch } from './dom.js';
import { mountEditor } from './editor.js';
import { describeError } from './errors.js';
import { MAX_GROUP_DOCUMENTS, groupDocuments, groupsByRound, guidanceFor, templateBody, templateDraft } from './notes-model.js';
import { createNoteHistory } from './note-history.js';

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
  const noteHistory = createNoteHistory(ctx);
  const isFacilitator = ctx.identity.participant.role === 'facilitator';
  const templateBox = h('details', { class: 'card rec-history template-editor', dataset: { testid: 'template-editor' } });
  const templateNotice = h('p', { class: 'note-notice', role: 'status', dataset: { testid: 'template-notice' } });

  const el = h(
    'div',
    { class: 'groups-view' },
    h('section', { class: 'room-bar card' }, h('div', null, heading, intro)),
    h(
      'div',
      { class: 'workspace-grid' },
      h('div', { class: 'side' }, h('section', { class: 'docs card' }, editorHost), noteHistory.el, isFacilitator ? templateBox : null),
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
    renderGroups();
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
      noteHistory.setDocument(null, null);
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
    noteHistory.setDocument(doc.docId, editor);
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
    noteHistory.relabel();
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
