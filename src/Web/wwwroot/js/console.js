// The facilitator's console: the agenda; start, pause, resume, end a session and move through its phases; open
// breakouts (groups and assignment mode), move a person, recall (optionally freezing the groups' documents) and
// reopen; the countdown; broadcasts; a live grid of every group's documents; the help queue; the recommendations
// board; the join codes. Commands go over HTTP (docs/workshops.md); their effects come back as hub pushes.

import { h, replace, field, select, patch } from './dom.js';
import { mountPreview } from './editor.js';
import { sectionTitle, timerState, timerText } from './model.js';
import { boardRows, openDuplicates } from './board.js';
import { ruleText } from './endorse.js';
import { phaseName } from './access.js';
import { sessionTitle as titleIn } from './setup-model.js';
import { confirmAction } from './confirm.js';
import { consoleActions, freshConsoleForm, groupName, timerRunning } from './console-model.js';

const GRID_LIMIT = 40; // a connection may have 50 documents open; leave room for the workspace
const ASSIGNMENTS = ['mixDelegations', 'keepDelegations', 'preassigned', 'manual', 'selfSelect'];
const NAMINGS = ['numbered', 'perDelegation', 'named'];

export function createConsoleView(ctx) {
  const { i18n, store, api } = ctx;
  const t = (...a) => i18n.t(...a);
  let roster = new Map(); // participantId -> ParticipantView
  let joinCodes = [];

  const agenda = h('ol', { class: 'agenda' });
  const sessionTitle = h('h2', { dataset: { testid: 'console-session' } });
  const sessionState = h('p', { class: 'session-line' });
  const controls = h('div', { class: 'buttons' });
  const phaseSelect = h('select');
  const phaseButton = h('button', { type: 'button', onclick: () => run('/phase', { phase: phaseSelect.value }) });
  const timerLine = h('p', { class: 'timer', role: 'timer' });
  const minutes = h('input', { type: 'number', min: 1, max: 720, value: '10', inputmode: 'numeric' });
  const timerLabel = h('input', { maxlength: 80 });
  const timerButtons = h('div', { class: 'buttons' });
  const naming = select([]);
  const count = h('input', { type: 'number', min: 1, max: 40, value: '2', inputmode: 'numeric' });
  const names = h('textarea', { rows: 3 });
  const assignment = select([]);
  const openButton = h('button', { type: 'button', class: 'primary' });
  const freeze = h('input', { type: 'checkbox' });
  const recallButtons = h('div', { class: 'buttons' });
  const person = h('select');
  const toGroup = h('select');
  const moveButton = h('button', { type: 'button' });
  const broadcastText = h('textarea', { rows: 2, maxlength: 1000 });
  const broadcastTo = h('select');
  const broadcastButton = h('button', { type: 'button' });
  const helpList = h('ul', { class: 'help-queue', dataset: { testid: 'help-queue' } });
  const grid = h('div', { class: 'grid', dataset: { testid: 'groups-grid' } });
  const gridNote = h('p', { class: 'hint' });
  const groupsLink = h('a', { href: '#groups', class: 'button-link', dataset: { testid: 'open-groups' } }); // groups.js: open and edit them
  const board = h('div', { class: 'board' });
  // Why an action that cannot apply now is disabled (each disabled button also says it on hover).
  const why = {
    session: h('p', { class: 'hint why', dataset: { testid: 'why-session' } }),
    timer: h('p', { class: 'hint why', dataset: { testid: 'why-timer' } }),
    breakouts: h('p', { class: 'hint why', dataset: { testid: 'why-breakouts' } }),
    move: h('p', { class: 'hint why', dataset: { testid: 'why-move' } }),
  };
  const timerStartButton = h('button', { type: 'button', onclick: () => startTimer() });
  const timerExtendButton = h('button', { type: 'button', onclick: () => run('/timer', { action: 'extend', seconds: Math.round(Number(minutes.value) * 60) }) });
  const timerCancelButton = h('button', { type: 'button', onclick: () => run('/timer', { action: 'cancel' }) });
  const recallButton = h('button', { type: 'button', onclick: () => recall() });
  const reopenButton = h('button', { type: 'button', onclick: () => run('/breakouts/reopen') });
  const codes = h('ul', { class: 'codes' });
  const labels = {};
  const heading = (key, level = 'h2') => (labels[key] = h(level, null));
  const formsHost = {
    phase: h('div', { class: 'row' }),
    timer: h('div', { class: 'row' }),
    breakouts: h('div', { class: 'row' }),
    move: h('div', { class: 'row' }),
    broadcast: h('div', { class: 'row' }),
  };

  const el = h(
    'div',
    { class: 'console' },
    h('section', { class: 'card agenda-card' }, heading('console.agenda'), agenda, heading('console.joinCodes', 'h3'), codes),
    h(
      'div',
      { class: 'console-main' },
      h(
        'section',
        { class: 'card' },
        sessionTitle,
        sessionState,
        controls,
        why.session,
        formsHost.phase,
        heading('timer.title', 'h3'),
        timerLine,
        formsHost.timer,
        timerButtons,
        why.timer,
        heading('console.broadcast', 'h3'),
        formsHost.broadcast,
      ),
      h('section', { class: 'card' }, heading('console.breakouts'), formsHost.breakouts, openButton, why.breakouts, h('div', { class: 'row' }), recallButtons, heading('console.move', 'h3'), formsHost.move, why.move),
      h('section', { class: 'card' }, heading('help.queue'), helpList),
      h('section', { class: 'card wide' }, heading('console.groups'), gridNote, groupsLink, grid),
      h('section', { class: 'card wide' }, heading('recs.title'), board),
    ),
  );
  const freezeLabel = h('label', { class: 'check' }, freeze, h('span'));
  recallButtons.before(freezeLabel);

  function session(s = store.state) {
    return s.consoleSessionId ? s.sessions[s.consoleSessionId] ?? null : null;
  }

  async function run(suffix, body = {}) {
    const id = store.state.consoleSessionId;
    if (!id) return null;
    const view = await ctx.command(() => api.post(ctx.path(`/sessions/${id}${suffix}`), body));
    if (view?.sessionId) ctx.sessionReceived(view);
    return view;
  }

  openButton.addEventListener('click', async () => {
    const body = { naming: naming.value, assignment: assignment.value };
    if (naming.value === 'numbered') body.count = Number(count.value);
    if (naming.value === 'named') body.names = names.value.split('\n').map((n) => n.trim()).filter(Boolean);
    if (await run('/breakouts', body)) names.value = '';
  });
  moveButton.addEventListener('click', async () => {
    if (await run('/breakouts/move', { participantId: person.value, groupId: toGroup.value || null })) {
      person.value = '';
      toGroup.value = '';
      renderSession(store.state);
    }
  });
  broadcastButton.addEventListener('click', async () => {
    const text = broadcastText.value.trim();
    if (!text) return;
    if (await run('/announcements', { text, groupId: broadcastTo.value || null })) {
      // The next message goes to everyone unless the facilitator picks a group again.
      broadcastText.value = '';
      broadcastTo.value = '';
      sendLabel();
    }
  });
  broadcastTo.addEventListener('change', sendLabel);
  phaseSelect.addEventListener('change', () => renderSession(store.state));
  person.addEventListener('change', () => renderSession(store.state));

  /** The send button says who gets the message ("Send to Group 2"), so that a group picked earlier is not missed. */
  function sendLabel() {
    const option = broadcastTo.selectedOptions[0];
    broadcastButton.textContent = broadcastTo.value && option ? t('console.sendTo', { name: option.text }) : t('console.sendEveryone');
  }

  /** Starts the countdown; a running one is replaced only after the facilitator confirms. */
  async function startTimer() {
    const view = session();
    const seconds = Math.round(Number(minutes.value) * 60);
    if (timerRunning(view?.timer)) {
      const ok = await confirmAction({
        title: t('console.confirm.timer.title'),
        text: [t('console.confirm.timer.current', { current: timerText(timerState(view.timer, Date.now(), store.state.skew), t) }), t('console.confirm.timer.body', { minutes: minutes.value })],
        confirm: t('console.confirm.timer.ok'),
        cancel: t('console.confirm.cancel'),
      });
      if (!ok) return;
    }
    run('/timer', { action: 'start', seconds, label: timerLabel.value.trim() || null });
  }

  /** A session's title in the reader's language (the organisers' form, when they gave one). */
  function titleOf(view) {
    const entry = store.state.workshop?.agenda?.find((a) => a.id === view?.sessionId);
    return entry ? titleIn(entry, i18n.language) : (view?.title ?? '');
  }

  async function endSession() {
    const view = session();
    const ok = await confirmAction({
      title: t('console.confirm.end.title', { title: titleOf(view) }),
      text: [t('console.confirm.end.body'), view?.breakouts?.open ? t('console.confirm.end.groups') : null],
      confirm: t('console.end'),
      cancel: t('console.confirm.cancel'),
    });
    if (ok) run('/end');
  }

  async function recall() {
    const frozen = freeze.checked;
    const ok = await confirmAction({
      title: t('console.confirm.recall.title'),
      text: [t('console.confirm.recall.body'), frozen ? t('console.confirm.recall.frozen') : t('console.confirm.recall.notFrozen')],
      confirm: t('console.recall'),
      cancel: t('console.confirm.cancel'),
    });
    if (ok && (await run('/breakouts/recall', { freeze: frozen }))) freeze.checked = false;
  }

  /** A newly selected session starts with a fresh form: nothing typed or picked for another session is carried over. */
  function resetForm() {
    const fresh = freshConsoleForm();
    minutes.value = fresh.minutes;
    timerLabel.value = fresh.timerLabel;
    naming.value = fresh.naming;
    count.value = fresh.count;
    names.value = fresh.names;
    assignment.value = fresh.assignment;
    freeze.checked = fresh.freeze;
    person.value = fresh.person;
    toGroup.value = fresh.toGroup;
    broadcastText.value = fresh.broadcastText;
    broadcastTo.value = fresh.broadcastTo;
    sendLabel();
  }

  function relabel() {
    for (const [key, node] of Object.entries(labels)) node.textContent = t(key);
    phaseButton.textContent = t('console.setPhase');
    replace(formsHost.phase, field(t('session.phase'), phaseSelect), phaseButton);
    replace(formsHost.timer, field(t('console.timerMinutes'), minutes), field(t('console.timerLabel'), timerLabel));
    timerStartButton.textContent = t('console.timerStart');
    timerExtendButton.textContent = t('console.timerExtend');
    timerCancelButton.textContent = t('console.timerCancel');
    replace(timerButtons, timerStartButton, timerExtendButton, timerCancelButton);
    setOptions(naming, NAMINGS.map((n) => [n, t(`console.naming.${n}`)]));
    setOptions(assignment, ASSIGNMENTS.map((a) => [a, t(`console.assignment.${a}`)]));
    replace(formsHost.breakouts, field(t('console.naming'), naming), field(t('console.count'), count), field(t('console.names'), names), field(t('console.assignment'), assignment));
    openButton.textContent = t('console.openBreakouts');
    freezeLabel.lastChild.textContent = t('console.freeze');
    recallButton.textContent = t('console.recall');
    reopenButton.textContent = t('console.reopen');
    replace(recallButtons, recallButton, reopenButton);
    replace(formsHost.move, field(t('console.person'), person), field(t('console.toGroup'), toGroup), moveButton);
    moveButton.textContent = t('console.moveSubmit');
    replace(formsHost.broadcast, field(t('console.broadcastText'), broadcastText), field(t('console.broadcastTo'), broadcastTo), broadcastButton);
    sendLabel();
    renderCodes();
    groupsLink.textContent = t('notes.openGroups');
    gridKey = null;
    render(store.state);
  }

  function renderAgenda(s) {
    const live = s.workshop?.liveSessionId;
    patch(agenda, JSON.stringify([i18n.language, live, s.consoleSessionId, s.workshop?.agenda]), () =>
      (s.workshop?.agenda ?? []).map((a) =>
        h(
          'li',
          null,
          h(
            'button',
            {
              type: 'button',
              class: 'agenda-item',
              dataset: { focusKey: a.id },
              'aria-pressed': a.id === s.consoleSessionId ? 'true' : 'false',
              onclick: () => ctx.setConsoleSession(a.id),
            },
            h('small', null, [t('console.day', { day: a.day }), a.startsAt ? ` · ${String(a.startsAt).slice(0, 5)}` : ''].join('')),
            h('span', null, titleIn(a, i18n.language)),
            a.id === live ? h('span', { class: 'pill live' }, t('console.live')) : null,
          ),
        ),
      ),
    );
  }

  function renderSession(s) {
    const view = session(s);
    const agendaEntry = s.workshop?.agenda?.find((a) => a.id === s.consoleSessionId);
    sessionTitle.textContent = agendaEntry ? titleIn(agendaEntry, i18n.language) : (view?.title ?? t('session.none'));
    sessionState.textContent = view ? [t(`session.status.${view.status}`), view.phase ? t('console.phaseLine', { phase: phaseName(view.phase, t) }) : null].filter(Boolean).join(' · ') : '';
    // Follow the session's phase when it changes; otherwise keep what the facilitator picked.
    const phase = view?.phase ?? null;
    setOptions(phaseSelect, (view?.phases ?? agendaEntry?.phases ?? []).map((p) => [p, phaseName(p, t)]), phase !== lastPhase ? phase : undefined);
    lastPhase = phase;
    const groups = view?.breakouts?.groups ?? [];
    const participants = [...roster.values()].filter((p) => p.role === 'participant').sort((a, b) => a.name.localeCompare(b.name));
    setOptions(person, [['', t('console.pickPerson')], ...participants.map((p) => [p.id, p.name])]);
    setOptions(toGroup, [['', t('room.plenary')], ...groups.map((g) => [g.id, groupName(g, t)])]);
    setOptions(broadcastTo, [['', t('console.everyone')], ...groups.map((g) => [g.id, groupName(g, t)])]);
    sendLabel();

    const live = s.workshop?.liveSessionId ?? null;
    const liveEntry = s.workshop?.agenda?.find((a) => a.id === live);
    const liveTitle = liveEntry ? titleIn(liveEntry, i18n.language) : (s.sessions[live]?.title ?? '');
    const can = consoleActions(view, { sessionId: s.consoleSessionId, liveSessionId: live, liveTitle, phase: phaseSelect.value, participants: participants.length });
    const words = (a) => (a.ok ? '' : t(a.why.key, a.why.params));
    patch(controls, JSON.stringify([i18n.language, view?.status, can.start, can.end]), () => [
      h('button', { type: 'button', class: 'primary', dataset: { focusKey: 'start' }, onclick: () => run('/start') }, t('console.start')),
      h('button', { type: 'button', dataset: { focusKey: 'pause' }, onclick: () => run('/pause') }, t('console.pause')),
      h('button', { type: 'button', dataset: { focusKey: 'resume' }, onclick: () => run('/resume') }, t('console.resume')),
      h('button', { type: 'button', class: 'danger', dataset: { focusKey: 'end' }, onclick: () => endSession() }, t('console.end')),
    ]);
    const [startButton, pauseButton, resumeButton, endButton] = controls.children;
    const enable = (button, action) => {
      button.disabled = !action.ok;
      if (action.ok) button.removeAttribute('title');
      else button.title = words(action);
    };
    enable(startButton, can.start);
    enable(pauseButton, can.pause);
    enable(resumeButton, can.resume);
    enable(endButton, can.end);
    enable(phaseButton, can.setPhase);
    enable(timerStartButton, can.timerStart);
    enable(timerExtendButton, can.timerExtend);
    enable(timerCancelButton, can.timerCancel);
    enable(openButton, can.openBreakouts);
    enable(recallButton, can.recall);
    enable(reopenButton, can.reopen);
    enable(moveButton, can.move.ok && !person.value ? { ok: false, why: { key: 'console.why.pickPerson', params: {} } } : can.move);
    // Beside the buttons: why the main action of each part cannot apply (the obvious pairs, pause/resume, say it on hover).
    why.session.textContent = !can.start.ok && can.start.why.key === 'console.why.anotherLive' ? words(can.start) : view?.status === 'ended' ? t('console.why.endedRestart') : '';
    why.timer.textContent = words(can.timerStart);
    why.breakouts.textContent = can.openBreakouts.ok ? '' : can.recall.ok ? words(can.openBreakouts) : [words(can.openBreakouts), can.reopen.ok ? t('console.why.canReopen') : ''].filter(Boolean).join(' ');
    why.move.textContent = words(can.move);
    tick();
  }

  function tick() {
    const s = store.state;
    const view = session(s);
    const state = timerState(view?.timer, Date.now(), s.skew);
    timerLine.textContent = timerText(state, t);
  }

  function renderHelp(s) {
    const queue = s.helpQueues[s.consoleSessionId]?.open ?? [];
    patch(helpList, JSON.stringify([i18n.language, queue]), () =>
      queue.length === 0
        ? h('li', { class: 'hint' }, t('help.queueEmpty'))
        : queue.map((r) =>
            h(
              'li',
              null,
              h('strong', null, r.name),
              ` · ${roomName(r.room)} · ${new Date(r.at).toLocaleTimeString(i18n.language)}`,
              r.message ? h('p', null, r.message) : null,
              h('button', { type: 'button', dataset: { focusKey: r.id }, onclick: () => run(`/help/${r.id}/resolve`) }, t('help.resolve')),
            ),
          ),
    );
  }

  function roomName(room) {
    if (!room || room === 'plenary') return t('room.plenary');
    for (const view of Object.values(store.state.sessions)) {
      const group = view.breakouts?.groups?.find((g) => g.room === room);
      if (group) return group.name;
    }
    return room;
  }

  let gridKey = null;
  let previews = [];
  let lastPhase = null;
  function renderGrid(s) {
    const groups = session(s)?.breakouts?.groups ?? [];
    let budget = GRID_LIMIT;
    const shown = groups.map((g) => {
      const documents = g.documents.slice(0, Math.max(0, budget));
      budget -= documents.length;
      return { g, documents };
    });
    const breakouts = session(s)?.breakouts;
    const key = JSON.stringify([i18n.language, breakouts?.open, breakouts?.frozen, shown.map(({ g, documents }) => [g.id, g.name, g.members, documents.map((d) => d.docId)])]);
    if (key === gridKey) return;
    gridKey = key;
    for (const p of previews) p.dispose();
    previews = [];
    const capped = shown.some(({ g, documents }) => documents.length < g.documents.length);
    gridNote.textContent = [
      groups.length === 0 ? t('console.noGroups') : breakouts.open ? t('console.breakoutsOpen') : t(breakouts.frozen ? 'console.breakoutsFrozen' : 'console.breakoutsRecalled'),
      capped ? t('console.gridCapped', { count: GRID_LIMIT }) : '',
    ].join(' ');
    replace(
      grid,
      shown.map(({ g, documents }) =>
        h(
          'article',
          { class: 'group-card', dataset: { testid: 'group-card', group: g.id } },
          h('h3', null, groupName(g, t), ' ', h('small', null, g.members.length === 1 ? t('console.member') : t('console.members', { count: g.members.length }))),
          h('p', { class: 'members' }, g.members.map((id) => roster.get(id)?.name ?? id).join(', ')),
          documents.map((d) => {
            const host = h('div', { class: 'preview' });
            previews.push(mountPreview(host, ctx.registry, d.docId, i18n));
            return h('section', null, h('h4', null, sectionTitle(d.titles, i18n.language, d.section)), host);
          }),
        ),
      ),
    );
  }

  /** The board at a glance; the board itself (filters, duplicates, merging, endorsements) is its own view. */
  function renderBoard(s) {
    const rows = boardRows(s.board);
    const count = (status) => rows.filter((r) => r.status === status).length;
    const pairs = openDuplicates(s.board?.likelyDuplicates, rows);
    const adoptable = rows.filter((r) => (r.status === 'proposed' || r.status === 'inReview') && r.tally?.adoptable).length;
    patch(board, JSON.stringify([i18n.language, rows.map((r) => [r.id, r.status, r.tally?.adoptable]), pairs.length, s.board?.rule]), () => [
      rows.length === 0
        ? h('p', { class: 'hint' }, t('recs.none'))
        : h(
            'ul',
            { class: 'board-summary', dataset: { testid: 'console-board' } },
            h('li', null, t('board.summary.counts', { count: rows.length, draft: count('draft'), proposed: count('proposed'), review: count('inReview'), adopted: count('adopted') })),
            adoptable > 0 ? h('li', null, t('board.summary.adoptable', { count: adoptable })) : null,
            pairs.length > 0 ? h('li', null, t('board.summary.duplicates', { count: pairs.length })) : null,
          ),
      h('p', { class: 'hint' }, t('board.rule', { rule: ruleText(s.board?.rule, i18n) })),
      h('a', { href: '#board', class: 'button-link', dataset: { focusKey: 'open-board' } }, t('board.open')),
    ]);
  }

  function renderCodes() {
    replace(
      codes,
      joinCodes.map((c) => {
        const link = `${location.origin}/#join=${encodeURIComponent(c.code)}`;
        return h('li', null, t('console.codeOf', { role: ctx.roleName(c.role) }), ' ', h('code', null, c.code), ' ', h('a', { href: link, class: 'link' }, t('console.joinLink')));
      }),
    );
  }

  let formSession = null;
  function render(s) {
    if (!s.consoleSessionId && s.workshop) {
      ctx.setConsoleSession(s.workshop.liveSessionId ?? s.workshop.agenda?.[0]?.id ?? null);
      return;
    }
    if (s.consoleSessionId !== formSession) {
      if (formSession !== null) resetForm();
      formSession = s.consoleSessionId;
      lastPhase = null;
    }
    renderAgenda(s);
    renderSession(s);
    renderHelp(s);
    renderGrid(s);
    renderBoard(s);
  }

  let lastCount = -1;
  let lastSession = null;
  async function refreshRoster(s) {
    const countNow = s.workshop?.participantCount ?? 0;
    if (countNow !== lastCount) {
      lastCount = countNow;
      const list = await ctx.command(() => api.get(ctx.path('/roster')), { quiet: true });
      if (Array.isArray(list)) {
        roster = new Map(list.map((p) => [p.id, p]));
        gridKey = null;
        render(store.state);
      }
    }
    if (s.consoleSessionId && s.consoleSessionId !== lastSession) {
      lastSession = s.consoleSessionId;
      const queue = await ctx.command(() => api.get(ctx.path(`/sessions/${s.consoleSessionId}/help`)), { quiet: true });
      if (Array.isArray(queue)) {
        store.set((st) => ({ helpQueues: { ...st.helpQueues, [s.consoleSessionId]: st.helpQueues[s.consoleSessionId] ?? { sessionId: s.consoleSessionId, open: queue, version: 0 } } }));
      }
    }
  }

  const unsubscribe = store.subscribe((s) => {
    if (s.view !== 'console') return;
    render(s);
    refreshRoster(s);
  });
  ctx.command(() => api.get(ctx.path('/join-codes')), { quiet: true }).then((list) => {
    if (Array.isArray(list)) {
      joinCodes = list;
      renderCodes();
    }
  });
  relabel();

  return {
    el,
    tick,
    relabel,
    show: () => {
      render(store.state);
      refreshRoster(store.state);
    },
    dispose() {
      unsubscribe();
      for (const p of previews) p.dispose();
    },
  };
}

/** Replaces a select's options, keeping its value (or `preferred`) when still offered. */
function setOptions(el, options, preferred) {
  const keep = preferred ?? el.value;
  const same = el.options.length === options.length && options.every(([v, l], i) => el.options[i].value === v && el.options[i].text === l);
  if (!same) replace(el, options.map(([value, label]) => h('option', { value }, label)));
  if (options.some(([v]) => v === keep)) el.value = keep;
}
