// Collab's built-in web client: join, the participant's workspace, the facilitator's console, the rapporteur's
// outcome view, and a recommendation's own page (#rec=<id>). Plain ES modules; the SignalR browser bundles (lib/signalr,
// from npm) provide `signalR` and its MessagePack protocol.
// Real-time: one hub connection (docs/protocol.md) wrapped by CollabClient (co-editing, reconnects, exactly-once
// resubmission); commands: the HTTP API (docs/workshops.md).

import { CollabClient } from './collab-client.js';
import { createApi } from './api.js';
import { DocumentRegistry } from './documents.js';
import { h, replace, field, select } from './dom.js';
import { createI18n, LANGUAGES } from './i18n.js';
import { clockSkew, joinCodeFrom, mergeAnnouncements, newer } from './model.js';
import { createStore } from './store.js';
import { createPresenceSync } from './presence.js';
import { createWorkspaceView } from './workspace.js';
import { createConsoleView } from './console.js';
import { createOutcomeView } from './outcome.js';
import { createGroupsView } from './groups.js';
import { createRecommendationView, recommendationFromHash } from './recommendation.js';
import { createBoardView, boardWithRow, mergeBoard } from './board.js';
import { describeError } from './errors.js';
import { createUnsentStore, sendStoredEdits, warnBeforeLeaving } from './unsent.js';
import { askSignOut, offerRejoin, resumableIdentity, saveSignedOut, signedOut, signedOutRecord } from './signout.js';
import { createSetupView } from './setup.js';
import { showCreateWorkshop } from './create.js';
import { followJoinCode } from './join-page.js';
import { confirmAction } from './confirm.js';

// `?protocol=json` in the page's address keeps the hub on JSON (read now: signing in rewrites the address).
const requestedProtocol = new URLSearchParams(location.search).get('protocol');

const IDENTITY_KEY = 'collab.identity';
const LANGUAGE_KEY = 'collab.language';
const root = document.getElementById('app');

const storage = {
  identity() {
    try {
      return JSON.parse(localStorage.getItem(IDENTITY_KEY) ?? 'null');
    } catch {
      return null;
    }
  },
  saveIdentity(identity) {
    // Signed in again: the record of a sign-out is done with.
    if (identity) saveSignedOut(localStorage, null);
    if (identity) localStorage.setItem(IDENTITY_KEY, JSON.stringify(identity));
    else localStorage.removeItem(IDENTITY_KEY);
  },
};

const savedIdentity = storage.identity();
const i18n = createI18n(localStorage.getItem(LANGUAGE_KEY) ?? savedIdentity?.participant?.language ?? navigator.language);
i18n.onChange((language) => {
  localStorage.setItem(LANGUAGE_KEY, language);
  document.documentElement.lang = language;
});
document.documentElement.lang = i18n.language;

const roleName = (role) => i18n.t(`role.${role}`);
/** A refusal or failure in plain words in the page's language (errors.js), never a code. */
const problemText = (err) => describeError(err, i18n.t);

// ---------------------------------------------------------------------------------------------------- join

function tokenValid(identity) {
  return identity?.token && Date.parse(identity.expiresAt ?? 0) > Date.now() + 60_000;
}

async function joinRequest(body) {
  const api = createApi(() => null);
  const joined = await api.post('/api/join', body);
  return {
    workshopId: joined.workshopId,
    token: joined.token,
    expiresAt: joined.expiresAt,
    rejoinKey: joined.rejoinKey,
    code: body.code,
    participant: joined.participant,
  };
}

let joinForm = null; // the join page's code follower while it is shown (a join link opened in this tab fills it in)
let joinRefusal = null; // the last refusal, said again in the form's language when the language changes

function showJoin(message, typed = {}) {
  const { t } = i18n;
  if (!typed.keepRefusal) joinRefusal = null;
  const linkCode = joinCodeFrom(location.href);
  const left = signedOut(localStorage);
  const known = storage.identity() ?? resumableIdentity(left);
  const code = h('input', { name: 'code', required: true, autocomplete: 'off', autocapitalize: 'characters', value: typed.code ?? linkCode ?? known?.code ?? left?.code ?? '' });
  const name = h('input', { name: 'displayName', required: true, maxlength: 80, autocomplete: 'name', value: typed.name ?? '' });
  const delegation = h('input', { name: 'delegation', maxlength: 80, autocomplete: 'organization', value: typed.delegation ?? '' });
  const language = select(LANGUAGES.map((l) => [l, l === 'fr' ? 'Français' : 'English']), { name: 'language', value: i18n.language });
  for (const option of language.options) option.lang = option.value; // each language named in itself
  const rejoinKey = h('input', { name: 'rejoinKey', autocomplete: 'off', value: typed.rejoinKey ?? '' });
  const error = h('p', { class: 'error', role: 'alert' }, message ?? '');
  const rejoinHint = h('p', { class: 'hint', dataset: { testid: 'rejoin-hint' }, hidden: true });
  const rejoin = h('details', null, h('summary', null, t('join.rejoinDetails')), rejoinHint, field(t('join.rejoinKey'), rejoinKey));
  const submit = h('button', { type: 'submit', class: 'primary' }, t('join.submit'));
  const form = h(
    'form',
    { class: 'card join', 'aria-labelledby': 'join-title' },
    h('h1', { id: 'join-title' }, t('join.title')),
    h('p', null, t('join.intro')),
    field(t('join.code'), code),
    field(t('join.name'), name),
    field(t('join.delegation'), delegation, t('join.delegationHint')),
    field(t('join.language'), language),
    rejoin,
    error,
    submit,
  );
  language.addEventListener('change', () => {
    // The form speaks the chosen language at once; what was typed stays.
    i18n.setLanguage(language.value);
    const said = joinRefusal ? t('join.failed', { message: problemText(joinRefusal) }) : error.textContent;
    const picked = form.querySelector('[name=delegation]')?.value ?? delegation.value;
    showJoin(said, { code: code.value, name: name.value, delegation: picked, rejoinKey: rejoinKey.value, keepRefusal: true });
    root.querySelector('select[name=language]')?.focus();
  });
  rejoinKey.addEventListener('input', () => (name.required = !rejoinKey.value));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    submit.textContent = t('join.busy');
    error.textContent = '';
    try {
      const identity = await joinRequest({
        code: code.value.trim(),
        displayName: name.value.trim() || null,
        delegation: form.querySelector('[name=delegation]')?.value.trim() || null,
        language: language.value,
        rejoinKey: rejoinKey.value.trim() || null,
      });
      storage.saveIdentity(identity);
      if (!localStorage.getItem(LANGUAGE_KEY)) i18n.setLanguage(identity.participant.language);
      if (linkCode) history.replaceState(null, '', location.pathname);
      await enter(identity);
    } catch (err) {
      joinRefusal = err;
      error.textContent = t('join.failed', { message: problemText(err) });
      if (err?.code === 'participant.name_taken') offerRejoin({ t, details: rejoin, hint: rejoinHint, keyInput: rejoinKey, name: name.value.trim() });
      submit.disabled = false;
      submit.textContent = t('join.submit');
    }
  });
  const continueAs =
    known && (!linkCode || linkCode === known.code)
      ? h('button', { type: 'button', class: 'secondary', onclick: () => resume(known) }, t('join.continueAs', { name: known.participant?.name ?? '' }))
      : null;
  const create = h('p', { class: 'create-link' }, t('create.noWorkshop'), ' ', h('a', { href: '#create', dataset: { testid: 'create-workshop' } }, t('create.heading')));
  replace(root, h('main', { id: 'main', class: 'join-page' }, continueAs, form, create));
  joinForm = followJoinCode({ form, code, delegation, i18n });
  if (!typed.code) (linkCode ? name : code).focus();
}

/** Continues with a stored identity: its token while valid, else the rejoin key (same participant). */
async function resume(identity) {
  try {
    let current = identity;
    if (!tokenValid(current)) {
      current = await joinRequest({ code: identity.code, rejoinKey: identity.rejoinKey });
      storage.saveIdentity(current);
    }
    await enter(current);
  } catch (err) {
    showJoin(i18n.t('join.failed', { message: problemText(err) }));
  }
}

// ---------------------------------------------------------------------------------------------------- the app

let app = null;

async function enter(identity) {
  joinForm = null;
  app?.dispose();
  app = createApp(identity);
  await app.start();
}

/**
 * The hub protocol: MessagePack when its bundle loaded (smaller frames, cheaper for the server to read and write),
 * otherwise JSON. `?protocol=json` in the page's address keeps JSON, as third-party clients speak it. Both carry the
 * same messages (docs/protocol.md, "Hub protocols").
 */
function hubProtocol() {
  const MessagePack = globalThis.signalR?.protocols?.msgpack?.MessagePackHubProtocol;
  if (!MessagePack || requestedProtocol === 'json') return null;
  // Undefined fields are left out, as JSON.stringify leaves them out.
  return new MessagePack({ ignoreUndefined: true });
}

function createApp(identity) {
  const api = createApi(() => identity.token);
  const builder = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/collab', { accessTokenFactory: () => identity.token });
  const protocol = hubProtocol();
  document.documentElement.dataset.hubProtocol = protocol?.name ?? 'json';
  const connection = (protocol ? builder.withHubProtocol(protocol) : builder)
    // Never give up: a venue's Wi-Fi comes back. CollabClient also restarts a connection that closed for good.
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => [0, 1000, 2000, 5000][ctx.previousRetryCount] ?? 10000 })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  const store = createStore({
    identity,
    me: null,
    workshop: null,
    sessions: {}, // sessionId -> SessionView (highest version)
    skew: 0,
    helpQueues: {},
    presence: null,
    board: null,
    announcements: [],
    timeUp: null,
    connection: 'offline',
    unsynced: false,
    view: null,
    consoleSessionId: null,
    outcomeVersionsChanged: 0,
  });
  // Typing not yet acknowledged survives a reload (unsent.js); leaving the page while there is some asks first.
  const unsent = createUnsentStore(localStorage, { workshopId: identity.workshopId, participantId: identity.participant.id });
  const collab = new CollabClient(connection, {
    pendingStore: unsent,
    onConnectionChanged: (up) => {
      store.set({ connection: up ? 'online' : 'reconnecting' });
      if (up) resync();
    },
  });
  const registry = new DocumentRegistry(collab, { onUnsyncedChanged: (unsynced) => store.set({ unsynced }) });
  const stopWarning = warnBeforeLeaving(window, () => registry.anyUnsynced);
  const watched = new Set();
  let disposed = false;

  const sessionReceived = (view) => {
    if (!view) return;
    store.set((s) => ({
      sessions: { ...s.sessions, [view.sessionId]: newer(s.sessions[view.sessionId], view) },
      skew: clockSkew(view.serverTime, Date.now()),
      announcements: view.sessionId === s.workshop?.liveSessionId ? mergeAnnouncements(s.announcements, view.announcements) : s.announcements,
    }));
  };

  connection.on('SessionChanged', sessionReceived);
  connection.on('Announced', (a) => store.set((s) => ({ announcements: mergeAnnouncements(s.announcements, [a]) })));
  connection.on('TimeUp', (up) => store.set({ timeUp: up }));
  connection.on('HelpHandled', (handled) => store.set({ helpHandled: handled }));
  connection.on('HelpQueueChanged', (q) => store.set((s) => ({ helpQueues: { ...s.helpQueues, [q.sessionId]: newer(s.helpQueues[q.sessionId], q) } })));
  // Presence comes as deltas from the version the page holds; a gap fetches the whole list again (presence.js). A
  // failed fetch is not worth a flash: the next gap or reconnect fetches again.
  const presence = createPresenceSync({
    fetch: () => api.get(`/api/workshops/${identity.workshopId}/presence`),
    onChange: (p) => store.set({ presence: p }),
  });
  connection.on('WorkshopPresenceChanged', presence.snapshot);
  connection.on('WorkshopPresenceDelta', presence.delta);
  connection.on('WorkshopChanged', (w) => {
    store.set((s) => ({ workshop: newer(s.workshop, w) }));
    followLiveSession();
  });
  connection.on('RecommendationChanged', (row) => store.set((s) => ({ board: boardWithRow(s.board, row) })));
  connection.on('OutcomePublished', () => store.set((s) => ({ outcomeVersionsChanged: s.outcomeVersionsChanged + 1 })));
  connection.on('Revoked', () => {
    storage.saveIdentity(null);
    ctx.dispose();
    showJoin(i18n.t('join.failed', { message: i18n.t('error.auth.revoked') }));
  });
  connection.onreconnecting(() => store.set({ connection: 'reconnecting' }));
  // Closed for good (e.g. the server dropped it without inviting a reconnect): CollabClient starts it again.
  connection.onclose(() => !disposed && store.set({ connection: 'reconnecting' }));

  async function watch(sessionId) {
    if (!sessionId) return;
    watched.add(sessionId);
    if (!collab.connected) return; // resync watches again once connected
    sessionReceived(await connection.invoke('WatchSession', { sessionId }));
  }

  async function unwatch(sessionId) {
    if (!watched.delete(sessionId) || !collab.connected) return;
    await connection.invoke('UnwatchSession', { sessionId });
  }

  /** Keeps watching the live session and the console's session; no other. */
  async function followLiveSession() {
    const s = store.state;
    const wanted = new Set([s.workshop?.liveSessionId, s.consoleSessionId].filter(Boolean));
    try {
      for (const id of [...watched]) if (!wanted.has(id)) await unwatch(id);
      for (const id of wanted) if (!watched.has(id)) await watch(id);
    } catch (err) {
      if (collab.connected) report(err); // else the next connect watches again (resync)
    }
  }

  let resyncing = Promise.resolve();
  /** After (re)connecting: the hub forgot this connection's subscriptions, so enter and watch again. */
  function resync() {
    resyncing = resyncing.then(async () => {
      if (disposed || !collab.connected) return;
      try {
        const entered = await connection.invoke('EnterWorkshop');
        store.set((s) => ({ workshop: newer(s.workshop, entered.workshop), me: entered.me }));
        const sessions = new Set([...watched, entered.workshop.liveSessionId, store.state.consoleSessionId].filter(Boolean));
        watched.clear();
        for (const id of sessions) await watch(id);
        // Pushes sent while the connection was away are lost: fetch presence again (a gap would, at the next change).
        const [, board] = await Promise.all([
          presence.refetch(),
          api.get(`/api/workshops/${identity.workshopId}/recommendations`).catch(() => null),
        ]);
        store.set((s) => ({ board: mergeBoard(s.board, board) }));
        await sendStoredEdits(registry, unsent, report);
      } catch (err) {
        // Cut off by a drop (e.g. a server that could not admit the connection yet closes it): nothing failed for the
        // participant, and the next connect resyncs.
        if (!collab.connected) return;
        report(err);
      }
    });
    return resyncing;
  }

  const status = h('p', { class: 'flash', role: 'status', 'aria-live': 'polite' });
  function report(err) {
    if (disposed) return;
    status.textContent = err ? problemText(err) : '';
    status.classList.toggle('error', !!err);
  }
  function done(text) {
    status.textContent = text ?? i18n.t('console.done');
    status.classList.remove('error');
  }

  const ctx = {
    i18n,
    api,
    store,
    connection,
    collab,
    registry,
    identity,
    report,
    done,
    roleName,
    /** The HTTP path of the workshop. */
    path: (suffix = '') => `/api/workshops/${identity.workshopId}${suffix}`,
    /** Runs a command; shows its error (or "Done."), answers its result or null. */
    async command(run, { quiet = false } = {}) {
      try {
        const result = await run();
        if (!quiet) done();
        return result ?? true;
      } catch (err) {
        report(err);
        return null;
      }
    },
    /** Shows a recommendation's page (#rec=<id>: the browser's back button returns). */
    openRecommendation(id) {
      location.hash = `rec=${encodeURIComponent(id)}`;
    },
    /**
     * Opens a note in the workspace with a passage (`{ start, end, revision }`, an anchor) highlighted; `from` is the
     * recommendation it is a source of (`{ id, title }`), for the way back.
     */
    openPassage(docId, range, from = null) {
      // The workspace is shown first (the editor measures the text to scroll to the passage); the hash follows.
      if (location.hash !== '#workspace') location.hash = 'workspace';
      show('workspace');
      views.workspace.openNote(docId, range, from);
    },
    setConsoleSession(sessionId) {
      store.set({ consoleSessionId: sessionId });
      followLiveSession();
    },
    sessionReceived,
    dispose() {
      disposed = true;
      stopWarning();
      for (const v of Object.values(views)) v?.dispose();
      clearInterval(ticker);
      collab.stop().catch(() => {});
    },
    start,
  };

  const views = {};
  const main = h('main', { id: 'main', tabindex: '-1' });
  const nav = h('nav', { class: 'tabs', 'aria-label': i18n.t('nav.views') });
  const header = h('header', { class: 'top' });
  let ticker = null;

  function viewsFor(role) {
    const list = ['workspace', 'board'];
    if (role === 'facilitator') list.push('console', 'setup');
    // Every group's documents of every session, live (groups.js).
    if (role === 'facilitator' || role === 'rapporteur') list.push('groups');
    list.push('outcome');
    return list;
  }

  function currentView() {
    const role = identity.participant.role;
    const allowed = viewsFor(role);
    const hash = location.hash.replace(/^#/, '');
    if (allowed.includes(hash)) return hash;
    if (recommendationFromHash(location.hash)) return 'recommendation';
    return store.state.view ?? (role === 'facilitator' ? 'console' : 'workspace');
  }

  function show(view) {
    if (store.state.view === view) {
      if (view === 'recommendation') views.recommendation.open(recommendationFromHash(location.hash));
      return;
    }
    for (const [name, v] of Object.entries(views)) if (name !== view && v) v.hide?.();
    views[view] ??= {
      workspace: createWorkspaceView,
      console: createConsoleView,
      board: createBoardView,
      outcome: createOutcomeView,
      groups: createGroupsView,
      recommendation: createRecommendationView,
      setup: createSetupView,
    }[view](ctx);
    replace(main, views[view].el);
    if (view === 'recommendation') views.recommendation.open(recommendationFromHash(location.hash));
    views[view].show?.();
    store.set({ view });
  }

  // The header and the view tabs are built once per language and updated in place, so pushes never take focus away.
  const chrome = {};
  function buildChrome() {
    const { t } = i18n;
    chrome.title = h('strong');
    chrome.conn = h('span', { class: 'pill', dataset: { testid: 'connection' }, role: 'status' });
    chrome.sync = h('span', { class: 'pill', dataset: { testid: 'sync-status' }, role: 'status' });
    chrome.me = h('span', { dataset: { testid: 'me' } });
    const language = select(LANGUAGES.map((l) => [l, l === 'fr' ? 'Français' : 'English']), { value: i18n.language, 'aria-label': t('app.language') });
    for (const option of language.options) option.lang = option.value; // each language named in itself
    language.addEventListener('change', () => {
      i18n.setLanguage(language.value);
      header.querySelector('select')?.focus();
    });
    const signOut = h(
      'button',
      {
        type: 'button',
        class: 'link',
        title: t('me.rejoinKey', { key: identity.rejoinKey }),
        onclick: async () => {
          const answer = await askSignOut({ t, identity, unsynced: registry.anyUnsynced });
          if (!answer || disposed) return;
          saveSignedOut(localStorage, signedOutRecord(identity, answer.remember));
          storage.saveIdentity(null);
          ctx.dispose();
          showJoin();
        },
      },
      t('app.signOut'),
    );
    replace(
      header,
      h('div', { class: 'brand' }, chrome.title),
      h('div', { class: 'status-line' }, chrome.conn, chrome.sync),
      h('div', { class: 'who' }, chrome.me, language, signOut),
    );
    const allowed = viewsFor(identity.participant.role);
    chrome.tabs = allowed.map((v) => h('a', { href: `#${v}`, class: 'tab' }, t(`nav.${v}`)));
    replace(nav, allowed.length > 1 ? chrome.tabs : null);
    nav.hidden = allowed.length <= 1;
    renderChrome(store.state);
  }

  function renderChrome(s) {
    if (!chrome.title) return;
    const { t } = i18n;
    const me = s.me ?? { displayName: identity.participant.name, role: identity.participant.role };
    chrome.title.textContent = s.workshop?.title ?? t('app.name');
    chrome.conn.className = `pill conn-${s.connection}`;
    chrome.conn.dataset.state = s.connection;
    chrome.conn.textContent = t(`conn.${s.connection}`);
    const sync = s.unsynced ? 'unsynced' : 'saved';
    chrome.sync.className = `pill ${sync}`;
    chrome.sync.dataset.state = sync;
    chrome.sync.textContent = t(s.unsynced ? 'sync.unsynced' : 'sync.saved');
    chrome.sync.title = s.unsynced ? t('reliability.sync.kept') : '';
    chrome.me.textContent = `${me.displayName} · ${roleName(me.role)}`;
    const allowed = viewsFor(identity.participant.role);
    chrome.tabs.forEach((tab, i) => (allowed[i] === s.view ? tab.setAttribute('aria-current', 'page') : tab.removeAttribute('aria-current')));
  }

  async function start() {
    replace(
      root,
      h('a', { class: 'skip', href: '#main', onclick: (e) => (e.preventDefault(), main.focus()) }, i18n.t('app.skip')),
      header,
      nav,
      status,
      main,
    );
    store.subscribe(renderChrome);
    i18n.onChange(() => {
      if (disposed) return;
      buildChrome();
      for (const v of Object.values(views)) v?.relabel?.();
    });
    window.addEventListener('hashchange', () => !disposed && show(currentView()));
    ticker = setInterval(() => {
      for (const v of Object.values(views)) v?.tick?.();
    }, 1000);
    buildChrome();
    show(currentView());
    try {
      await collab.start();
    } catch (err) {
      if (err?.message?.includes('401')) {
        storage.saveIdentity(null);
        ctx.dispose();
        showJoin(i18n.t('join.failed', { message: i18n.t('error.auth.invalid_token') }));
        return;
      }
      report(err);
      store.set({ connection: 'offline' });
    }
    await resyncing;
  }

  return ctx;
}

// ---------------------------------------------------------------------------------------------------- boot

// A join link opened in this tab while it is open: the join page takes its code; a signed-in page asks first.
window.addEventListener('hashchange', async () => {
  const code = joinCodeFrom(location.href);
  if (!code) return;
  if (!app) {
    joinForm?.setCode(code);
    root.querySelector('input[name=displayName]')?.focus();
    return;
  }
  const known = storage.identity();
  history.replaceState(null, '', location.pathname);
  if (known?.code && known.code.replace(/[^A-Za-z0-9]/g, '').toUpperCase() === code.replace(/[^A-Za-z0-9]/g, '').toUpperCase()) return;
  const ok = await confirmAction({
    title: i18n.t('join.switch.title'),
    text: i18n.t('join.switch.body', { name: known?.participant?.name ?? '' }),
    confirm: i18n.t('join.switch.ok'),
    cancel: i18n.t('console.confirm.cancel'),
    danger: false,
  });
  if (!ok) return;
  app.dispose();
  app = null;
  showJoin(undefined, { code });
  root.querySelector('input[name=displayName]')?.focus();
});

const stored = storage.identity();
const linkCode = joinCodeFrom(location.href);

/** The creation page (#create); the creator lands in the new workshop's Set-up. */
function showCreate() {
  showCreateWorkshop(root, i18n, {
    onCreated: async (identity) => {
      storage.saveIdentity(identity);
      history.replaceState(null, '', `${location.pathname}#setup`);
      await enter(identity);
    },
    onCancel: () => {
      history.replaceState(null, '', location.pathname);
      showJoin();
    },
  });
}
window.addEventListener('hashchange', () => location.hash === '#create' && root.querySelector('.join-page') && showCreate());

if (location.hash === '#create') showCreate();
else if (stored && (!linkCode || linkCode === stored.code)) resume(stored);
else showJoin();

