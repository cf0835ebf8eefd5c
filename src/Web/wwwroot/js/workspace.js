// The participant's workspace: the room they are in (plenary or their breakout group, followed live), the room's
// documents with live co-editing (a selected passage can be proposed as a recommendation, or added as a source to one:
// propose.js), who is here, the session's timer, announcements, asking for help, and the recommendations, each opening
// its own page (#rec=<id>, recommendation.js). A recommendation's source opens here, its note scrolled to the passage.

import { tallyText } from './endorse.js';
import { titleIn } from './rec-titles.js';
import { h, replace, field, patch } from './dom.js';
import { mountEditor } from './editor.js';
import { roomDocuments, roomOf, sectionTitle, timerState, timerText } from './model.js';
import { roomColours } from './colours.js';
import { mountProposeBar } from './propose.js';
import { showGuidance } from './groups.js';
import { createNoteHistory } from './note-history.js';
import { sessionTitle } from './setup-model.js';
import { announcementsFor, groupName } from './console-model.js';
import { phaseName } from './access.js';

export function createWorkspaceView(ctx) {
  const { i18n, store } = ctx;
  const t = (...a) => i18n.t(...a);
  const roomLabel = h('h1', { class: 'room-name', id: 'room-name', dataset: { testid: 'room-name' }, 'aria-live': 'polite' });
  const sessionLine = h('p', { class: 'session-line' });
  const timer = h('p', { class: 'timer', dataset: { testid: 'timer' }, role: 'timer', 'aria-live': 'off' });
  const choose = h('div', { class: 'buttons choose', dataset: { testid: 'choose-group' } });
  const tabs = h('div', { class: 'doc-tabs', role: 'tablist', dataset: { testid: 'doc-tabs' } });
  const editorHost = h('div', { class: 'editor-host', role: 'tabpanel' });
  const proposeHost = h('div', { class: 'propose-host' });
  const noteHistory = createNoteHistory(ctx); // the open note's changes, old texts, diff and restore (note-history.js)
  const passageBanner = h('p', { class: 'passage-banner', role: 'status', hidden: true, dataset: { testid: 'passage-banner' } });
  const presence = h('ul', { class: 'people', dataset: { testid: 'presence' } });
  const announcements = h('ol', { class: 'announcements', dataset: { testid: 'announcements' }, 'aria-live': 'polite' });
  const recs = h('ul', { class: 'recs', dataset: { testid: 'recommendations' } });
  const helpMessage = h('input', { maxlength: 1000 });
  const helpButton = h('button', { type: 'submit' });
  const helpNote = h('p', { class: 'hint', role: 'status', dataset: { testid: 'help-note' } });
  const helpForm = h('form', { class: 'help' }, h('div', { class: 'help-field' }), helpButton, helpNote);
  const otherDevice = h('details', { class: 'card' });
  const headings = {
    documents: h('h2', { class: 'sr-only', id: 'docs-heading' }),
    presence: h('h2'),
    announcements: h('h2'),
    help: h('h2'),
    recs: h('h2'),
  };

  const el = h(
    'div',
    { class: 'workspace' },
    h('section', { class: 'room-bar card', 'aria-labelledby': 'room-name' }, h('div', null, roomLabel, sessionLine, choose), timer),
    h(
      'div',
      { class: 'workspace-grid' },
      h('section', { class: 'docs card', 'aria-labelledby': 'docs-heading' }, headings.documents, tabs, passageBanner, editorHost, proposeHost, noteHistory.el),
      h(
        'aside',
        { class: 'side' },
        h('section', { class: 'card' }, headings.announcements, announcements),
        h('section', { class: 'card' }, headings.help, helpForm),
        h('section', { class: 'card' }, headings.presence, presence),
        h('section', { class: 'card' }, headings.recs, recs),
        otherDevice,
      ),
    ),
  );

  let activeDocId = null;
  let extraDoc = null; // a note of another room, opened from a recommendation's sources: { docId, title, origin }
  let editor = null;
  let proposeBar = null;
  let pendingPassage = null; // { docId, range } to highlight once that note's editor is mounted
  let shownPassage = null; // { docId, from: { id, title } } while a recommendation's source is highlighted
  let editorKey = null;
  let lastRoomKey = null;
  let refreshGuidance = null;

  helpForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const live = store.state.workshop?.liveSessionId;
    if (!live) {
      helpNote.textContent = t('help.noSession');
      return;
    }
    const ok = await ctx.command(() => ctx.api.post(ctx.path(`/sessions/${live}/help`), { message: helpMessage.value.trim() || null }), { quiet: true });
    if (ok) {
      helpMessage.value = '';
      helpNote.textContent = t('help.sent');
    }
  });

  function liveSession(s) {
    const id = s.workshop?.liveSessionId;
    return id ? s.sessions[id] ?? null : null;
  }

  function currentRoom(s) {
    return roomOf(liveSession(s), s.me?.participantId ?? ctx.identity.participant.id);
  }

  function documentsOf(s) {
    const room = currentRoom(s);
    const origin = room.kind === 'group' ? room.group.room : 'plenary';
    const docs = roomDocuments(s.workshop, room, i18n.language).map((d) => ({
      ...d,
      origin,
      label: room.kind === 'group' ? `${groupName(room.group, t)} — ${d.title}` : d.title,
    }));
    if (extraDoc && !docs.some((d) => d.docId === extraDoc.docId)) docs.push(extraDoc);
    return docs;
  }

  function relabel() {
    headings.documents.textContent = t('room.documents');
    headings.presence.textContent = t('presence.title');
    headings.announcements.textContent = t('announcements.title');
    headings.help.textContent = t('help.title');
    headings.recs.textContent = t('recs.title');
    replace(helpForm.firstChild, field(t('help.message'), helpMessage));
    helpButton.textContent = t('help.send');
    replace(otherDevice, h('summary', null, t('me.otherDevice')), h('p', { class: 'hint' }, t('me.rejoinKey', { key: ctx.identity.rejoinKey })));
    editorKey = null; // re-mount with titles in the new language
    noteHistory.relabel();
    render(store.state);
  }

  function renderTabs(docs) {
    patch(tabs, JSON.stringify([i18n.language, activeDocId, docs]), () =>
      docs.length === 0
        ? h('p', { class: 'hint' }, t('room.noDocuments'))
        : docs.map((d, i) =>
            h(
              'button',
              {
                type: 'button',
                role: 'tab',
                id: `tab-${d.docId}`,
                dataset: { focusKey: d.docId },
                'aria-selected': d.docId === activeDocId ? 'true' : 'false',
                tabindex: d.docId === activeDocId ? '0' : '-1',
                onclick: () => select(d.docId),
                onkeydown: (e) => {
                  const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
                  if (!step) return;
                  const next = docs[(i + step + docs.length) % docs.length];
                  select(next.docId);
                  tabs.querySelector(`#tab-${CSS.escape(next.docId)}`)?.focus();
                },
              },
              d.title,
            ),
          ),
    );
  }

  function select(docId) {
    if (shownPassage && shownPassage.docId !== docId) shownPassage = null;
    activeDocId = docId;
    render(store.state);
  }

  function renderEditor(docs) {
    const doc = docs.find((d) => d.docId === activeDocId);
    const key = doc ? `${doc.docId}|${doc.title}` : null;
    if (key === editorKey) {
      showPendingPassage();
      return;
    }
    editorKey = key;
    editor?.dispose();
    proposeBar?.dispose();
    editor = null;
    refreshGuidance = null;
    proposeBar = null;
    replace(proposeHost);
    if (!doc) {
      replace(editorHost);
      noteHistory.setDocument(null, null);
      return;
    }
    const role = ctx.identity.participant.role;
    editorHost.setAttribute('aria-labelledby', `tab-${doc.docId}`);
    editor = mountEditor(editorHost, ctx.registry, doc.docId, {
      title: doc.title,
      i18n,
      me: store.state.me?.participantId ?? ctx.identity.participant.id,
      role,
      api: ctx.api,
      onSelection: (sel) => proposeBar?.setSelection(sel),
    });
    // An empty note says what to write in it (its template's guidance), in the reader's language.
    const room = currentRoom(store.state);
    const template = room.kind === 'group' ? room.group.documents?.find((d) => d.docId === doc.docId) : null;
    refreshGuidance = showGuidance(editor, template ?? {}, i18n, { plenary: room.kind !== 'group' && doc.origin === 'plenary' });
    noteHistory.setDocument(doc.docId, editor);
    // Observers read; everyone else may propose from a passage or add it to a recommendation's sources.
    if (role !== 'observer') proposeBar = mountProposeBar(proposeHost, ctx, { docId: doc.docId, title: doc.label ?? doc.title, origin: doc.origin ?? null }, editor);
    showPendingPassage();
  }

  function showPendingPassage() {
    renderPassageBanner();
    if (!pendingPassage || !editor || pendingPassage.docId !== activeDocId) return;
    const { range } = pendingPassage;
    pendingPassage = null;
    editor.showPassage(range);
  }

  /** Above a note opened from a recommendation: whose source the highlighted passage is, and the way back to it. */
  function renderPassageBanner() {
    const on = shownPassage && shownPassage.docId === activeDocId && shownPassage.from;
    passageBanner.hidden = !on;
    if (!on) {
      replace(passageBanner);
      return;
    }
    const { id, title } = shownPassage.from;
    replace(
      passageBanner,
      t('rec.sourceBanner', { title }),
      ' ',
      h('a', { href: `#rec=${encodeURIComponent(id)}` }, t('rec.backToRecommendation')),
    );
  }

  /**
   * Opens a note (of this room or another) with a passage highlighted and scrolled to: `range` is the source's anchor
   * as the recommendation last read it (`{ start, end, revision }`); the editor moves it to the text as it is now.
   */
  async function openNote(docId, range, from = null) {
    const docs = documentsOf(store.state);
    if (!docs.some((d) => d.docId === docId)) {
      const known = noteTitle(docId);
      let title = known?.title ?? null;
      let origin = known?.origin ?? null;
      if (!title) {
        const info = await ctx.command(() => ctx.api.get(`/api/documents/${encodeURIComponent(docId)}`), { quiet: true });
        if (!info) return;
        title = info.title || docId;
        origin = info.room ?? null;
      }
      extraDoc = { docId, title, origin };
    }
    pendingPassage = range ? { docId, range } : null;
    shownPassage = from ? { docId, from } : null;
    select(docId);
  }

  /** A group note's title in the reader's language (its group's name first), from the sessions this page follows. */
  function noteTitle(docId) {
    for (const session of Object.values(store.state.sessions ?? {})) {
      for (const g of session?.breakouts?.groups ?? []) {
        const d = (g.documents ?? []).find((x) => x.docId === docId);
        if (d) return { title: `${groupName(g, t)} — ${sectionTitle(d.titles, i18n.language, d.section)}`, origin: g.room };
      }
    }
    const plenary = (store.state.workshop?.documents ?? []).find((d) => d.docId === docId);
    return plenary ? { title: plenary.title || docId, origin: 'plenary' } : null;
  }

  function renderRoom(s) {
    const room = currentRoom(s);
    roomLabel.replaceChildren(h('span', { class: 'label' }, `${t('room.label')} `), room.kind === 'group' ? groupName(room.group, t) : t('room.plenary'));
    roomLabel.dataset.room = room.key;
    const session = liveSession(s);
    // Self-select breakouts: a participant not yet in a group picks one.
    const offer =
      session?.breakouts?.open && session.breakouts.assignment === 'selfSelect' && room.kind === 'plenary' && ctx.identity.participant.role === 'participant'
        ? session.breakouts.groups
        : [];
    patch(choose, JSON.stringify([i18n.language, offer.map((g) => [g.id, g.name])]), () =>
      offer.length === 0
        ? null
        : [
            h('span', null, t('room.choose')),
            offer.map((g) =>
              h(
                'button',
                {
                  type: 'button',
                  dataset: { focusKey: g.id },
                  onclick: async () => {
                    const view = await ctx.command(() => ctx.api.post(ctx.path(`/sessions/${session.sessionId}/breakouts/choose`), { groupId: g.id }), { quiet: true });
                    if (view?.sessionId) ctx.sessionReceived(view);
                  },
                },
                t('room.join', { name: groupName(g, t) }),
              ),
            ),
          ],
    );
    sessionLine.textContent = session
      ? [sessionTitle(store.state.workshop?.agenda?.find((a) => a.id === session.sessionId) ?? session, i18n.language), t(`session.status.${session.status}`), session.phase ? t('console.phaseLine', { phase: phaseName(session.phase, t) }) : null].filter(Boolean).join(' · ')
      : t('session.none');
    tick();
  }

  function tick() {
    const s = store.state;
    const session = liveSession(s);
    const state = timerState(session?.timer, Date.now(), s.skew);
    timer.textContent = timerText(state, t);
    timer.dataset.state = state.state;
    refreshGuidance?.();
  }

  function renderPresence(s) {
    const online = (s.presence?.online ?? []).slice().sort((a, b) => a.name.localeCompare(b.name));
    const colorFor = roomColours('workshop', online.map((p) => p.participantId));
    patch(presence, JSON.stringify([i18n.language, online]), () =>
      online.length === 0
        ? h('li', { class: 'hint' }, t('presence.none'))
        : online.map((p) =>
            h(
              'li',
              { class: p.reconnecting ? 'away' : null },
              h('span', { class: 'dot', style: { '--who': colorFor(p.participantId) }, 'aria-hidden': 'true' }),
              `${p.name} · ${ctx.roleName(p.role)}`,
              p.reconnecting ? h('em', null, ` (${t('presence.reconnecting')})`) : null,
            ),
          ),
    );
  }

  function renderAnnouncements(s) {
    // The live session's only (Day 1's are over on Day 2); a group's own announcement says so.
    const session = liveSession(s);
    const list = announcementsFor(s.announcements, s.workshop?.liveSessionId);
    const groupOf = (id) => session?.breakouts?.groups?.find((g) => g.id === id);
    patch(announcements, JSON.stringify([i18n.language, list.map((a) => [a.id, a.groupId && groupOf(a.groupId)?.name])]), () =>
      list.length === 0
        ? h('li', { class: 'hint' }, t('announcements.none'))
        : list.map((a) =>
            h(
              'li',
              { class: a.groupId ? 'group-only' : null },
              a.groupId ? h('span', { class: 'pill', dataset: { testid: 'group-only' } }, groupOf(a.groupId) ? t('announcements.groupOnly', { group: groupName(groupOf(a.groupId), t) }) : t('announcements.yourGroupOnly')) : null,
              h('p', { 'data-user-text': '' }, a.text),
              h('small', null, `${a.authorName} · ${new Date(a.at).toLocaleTimeString(i18n.language)}`),
            ),
          ),
    );
  }

  /** The person who asked for help learns that a facilitator handled it (HelpHandled, to them only). */
  let handledShown = null;
  function renderHelpHandled(s) {
    const handled = s.helpHandled;
    const key = handled ? JSON.stringify([i18n.language, handled.requestId]) : null;
    if (!handled || key === handledShown) return;
    handledShown = key;
    helpNote.textContent = t('help.handled', { name: handled.handledBy, time: new Date(handled.at).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }) });
  }

  function renderRecs(s) {
    const rows = (s.board?.themes ?? []).flatMap((th) => th.recommendations);
    patch(recs, JSON.stringify([i18n.language, rows]), () =>
      rows.length === 0
        ? h('li', { class: 'hint' }, t('recs.none'))
        : rows.map((r) =>
            h(
              'li',
              null,
              h('a', { href: `#rec=${encodeURIComponent(r.id)}`, class: 'rec-link', dataset: { focusKey: r.id } }, h('strong', { lang: titleIn(r, i18n.language).language }, titleIn(r, i18n.language).text)),
              ` · ${t(`recs.status.${r.status}`)}`,
              h('br'),
              h('small', null, tallyText(r.tally, t)),
            ),
          ),
    );
  }

  function render(s) {
    const room = currentRoom(s);
    const docs = documentsOf(s);
    if (room.key !== lastRoomKey) {
      // Moved to another room: its documents replace the old ones.
      lastRoomKey = room.key;
      extraDoc = null;
      if (!docs.some((d) => d.docId === activeDocId)) activeDocId = null;
    }
    if (!docs.some((d) => d.docId === activeDocId)) activeDocId = docs[0]?.docId ?? null;
    renderRoom(s);
    renderTabs(documentsOf(s));
    renderEditor(documentsOf(s));
    renderPresence(s);
    renderAnnouncements(s);
    renderHelpHandled(s);
    renderRecs(s);
  }

  const unsubscribe = store.subscribe((s) => {
    if (s.view === 'workspace') render(s);
  });
  relabel();

  return {
    el,
    tick,
    relabel,
    openNote,
    show: () => render(store.state),
    dispose() {
      unsubscribe();
      editor?.dispose();
      proposeBar?.dispose();
    },
  };
}
