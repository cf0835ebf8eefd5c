// What the facilitator's console may do now, and why not: for each action of the console, `{ ok, why }` where `why`
// is `{ key, params }` (an i18n key of strings/console.js) when the action cannot apply. The server decides in the end
// (docs/workshops.md); this keeps buttons that cannot apply disabled, with the reason beside them. Pure: no DOM, no
// network; runs in browsers and in Node (tests/js/console-model.test.mjs).

const yes = Object.freeze({ ok: true, why: null });
const no = (key, params = {}) => ({ ok: false, why: { key, params } });

/** True while `timer` (a SessionView's) counts down or is paused with time left: starting another replaces it. */
export function timerRunning(timer) {
  if (!timer || timer.timeUpAt) return false;
  return !!timer.deadline || timer.remaining != null;
}

/**
 * The console's actions for the session `view` (a SessionView, or null when not loaded yet). `liveSessionId` is the
 * workshop's live session, `liveTitle` its title; `phase` the phase picked in the form; `participants` how many
 * participants can be moved.
 */
export function consoleActions(view, { sessionId = null, liveSessionId = null, liveTitle = null, phase = null, participants = 0 } = {}) {
  const status = view?.status ?? null;
  const live = status === 'running' || status === 'paused';
  const anotherLive = !!liveSessionId && liveSessionId !== (view?.sessionId ?? sessionId);
  const breakouts = view?.breakouts ?? null;
  const open = !!breakouts?.open;
  const recalled = !!breakouts && !open && (breakouts.groups?.length ?? 0) > 0;
  const hasTimer = !!view?.timer;
  const phases = view?.phases ?? [];

  const start = !view
    ? no('console.why.loading')
    : live
      ? no('console.why.live')
      : anotherLive
        ? no('console.why.anotherLive', { title: liveTitle ?? '' })
        : yes;
  const notLive = status === 'ended' ? no('console.why.ended') : no('console.why.notStarted');
  const timerNeedsLive = status === 'ended' ? no('console.why.ended') : no('console.why.timerNeedsLive');
  return {
    start,
    pause: status === 'running' ? yes : live ? no('console.why.paused') : notLive,
    resume: status === 'paused' ? yes : live ? no('console.why.notPaused') : notLive,
    end: live ? yes : notLive,
    setPhase: phases.length === 0 ? no('console.why.noPhases') : phase && phase === view?.phase ? no('console.why.samePhase') : yes,
    timerStart: live ? yes : timerNeedsLive,
    timerExtend: !live ? timerNeedsLive : hasTimer ? yes : no('console.why.noTimer'),
    timerCancel: !live ? timerNeedsLive : hasTimer ? yes : no('console.why.noTimer'),
    openBreakouts: status !== 'running' ? no(status === 'paused' ? 'console.why.breakoutsPaused' : 'console.why.breakoutsNeedRunning') : open ? no('console.why.breakoutsOpen') : yes,
    recall: open ? yes : no('console.why.breakoutsNotOpen'),
    reopen: !recalled ? no('console.why.noRecalled') : status !== 'running' ? no('console.why.breakoutsNeedRunning') : yes,
    move: !open ? no('console.why.breakoutsNotOpen') : participants === 0 ? no('console.why.nobodyToMove') : yes,
  };
}

/** The form's values for a newly selected session: nothing typed or picked for another session is carried over. */
export function freshConsoleForm() {
  return Object.freeze({
    minutes: '10',
    timerLabel: '',
    naming: 'numbered',
    count: '2',
    names: '',
    assignment: 'mixDelegations',
    freeze: false,
    person: '',
    toGroup: '',
    broadcastText: '',
    broadcastTo: '',
  });
}

/**
 * A breakout group's name in the reader's language: the server names numbered groups "Group 1", "Group 2" (ids g1,
 * g2…, the same number); those are said with `group.numbered` ("Groupe 1"). Names the facilitator typed are shown as they are.
 */
export function groupName(group, t) {
  const name = group?.name ?? '';
  const m = /^Group (\d+)$/.exec(name);
  return m && group?.id === `g${m[1]}` ? t('group.numbered', { number: m[1] }) : name;
}

/**
 * The announcements a page shows: those of the live session only (an earlier session's, e.g. Day 1's, are over), newest
 * first; none when no session is live.
 */
export function announcementsFor(list, liveSessionId) {
  if (!liveSessionId) return [];
  return (list ?? []).filter((a) => a?.sessionId === liveSessionId).sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
}

/**
 * The outcome version a page shows (`list`: published versions, oldest first): what the reader picked while it is
 * still published (`chosen`), else the latest published one; rapporteurs and facilitators (`drafts`) start on the
 * current text ('current'). '' when there is nothing to read.
 */
export function outcomeVersion(list, { drafts = false, chosen = null } = {}) {
  const versions = list ?? [];
  if (chosen && (chosen === 'current' ? drafts : versions.some((v) => v.id === chosen))) return chosen;
  if (drafts) return 'current';
  const latest = versions.reduce((best, v) => (!best || Date.parse(v.publishedAt) >= Date.parse(best.publishedAt) ? v : best), null);
  return latest?.id ?? '';
}
