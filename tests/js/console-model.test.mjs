// The facilitator console's rules of what applies now (console-model.js), and its French wording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createI18n } from '../../src/Web/wwwroot/js/i18n.js';
import { consoleActions, freshConsoleForm, groupName, timerRunning } from '../../src/Web/wwwroot/js/console-model.js';

const session = (over = {}) => ({ sessionId: 'd1-breakouts', status: 'scheduled', phase: null, phases: ['share', 'review'], timer: null, breakouts: null, ...over });
const groups = [{ id: 'g1', name: 'Group 1', room: 'r1', members: [] }];

test('a scheduled session can start; nothing that needs it live applies, each with its reason', () => {
  const can = consoleActions(session(), { participants: 3 });
  assert.equal(can.start.ok, true);
  for (const action of ['pause', 'resume', 'end']) assert.equal(can[action].why.key, 'console.why.notStarted', action);
  for (const action of ['timerStart', 'timerExtend', 'timerCancel']) assert.equal(can[action].why.key, 'console.why.timerNeedsLive', action);
  assert.equal(can.openBreakouts.why.key, 'console.why.breakoutsNeedRunning');
  assert.equal(can.recall.why.key, 'console.why.breakoutsNotOpen');
  assert.equal(can.reopen.why.key, 'console.why.noRecalled');
});

test('start is disabled while another session is live, naming it', () => {
  const can = consoleActions(session(), { liveSessionId: 'd1-opening', liveTitle: 'Opening plenary' });
  assert.deepEqual(can.start, { ok: false, why: { key: 'console.why.anotherLive', params: { title: 'Opening plenary' } } });
  assert.equal(consoleActions(session({ status: 'running' }), { liveSessionId: 'd1-breakouts' }).start.why.key, 'console.why.live');
  assert.equal(consoleActions(session({ status: 'ended' }), {}).start.ok, true);
  assert.equal(consoleActions(null, {}).start.ok, false);
});

test('extend and cancel need a countdown; recall needs open groups; reopen needs recalled ones and a running session', () => {
  const running = session({ status: 'running' });
  let can = consoleActions(running, { liveSessionId: 'd1-breakouts', participants: 2 });
  assert.equal(can.timerStart.ok, true);
  assert.equal(can.timerExtend.why.key, 'console.why.noTimer');
  assert.equal(can.openBreakouts.ok, true);
  assert.equal(can.move.why.key, 'console.why.breakoutsNotOpen');
  can = consoleActions({ ...running, timer: { deadline: '2030-01-01T00:00:00Z' }, breakouts: { open: true, groups } }, { participants: 2 });
  assert.equal(can.timerExtend.ok, true);
  assert.equal(can.recall.ok, true);
  assert.equal(can.move.ok, true);
  assert.equal(can.openBreakouts.why.key, 'console.why.breakoutsOpen');
  can = consoleActions({ ...running, breakouts: { open: false, groups } }, {});
  assert.equal(can.reopen.ok, true);
  assert.equal(consoleActions({ ...running, status: 'paused', breakouts: { open: false, groups } }, {}).reopen.why.key, 'console.why.breakoutsNeedRunning');
  assert.equal(consoleActions({ ...running, status: 'paused' }, {}).openBreakouts.why.key, 'console.why.breakoutsPaused');
});

test('setting the phase that is already current does not apply', () => {
  assert.equal(consoleActions(session({ status: 'running', phase: 'share' }), { phase: 'share' }).setPhase.why.key, 'console.why.samePhase');
  assert.equal(consoleActions(session({ status: 'running', phase: 'share' }), { phase: 'review' }).setPhase.ok, true);
  assert.equal(consoleActions(session({ phases: [] }), {}).setPhase.why.key, 'console.why.noPhases');
});

test('a countdown runs (and would be replaced) while it has time left, paused or not', () => {
  assert.equal(timerRunning(null), false);
  assert.equal(timerRunning({ deadline: '2030-01-01T00:00:00Z' }), true);
  assert.equal(timerRunning({ remaining: '00:04:00' }), true);
  assert.equal(timerRunning({ deadline: null, remaining: null, timeUpAt: '2026-01-01T00:00:00Z' }), false);
});

test('a fresh form picks nothing of another session: no group, no freeze, no names, to everyone', () => {
  const fresh = freshConsoleForm();
  assert.equal(fresh.broadcastTo, '');
  assert.equal(fresh.freeze, false);
  assert.equal(fresh.names, '');
  assert.equal(fresh.person, '');
  assert.equal(fresh.assignment, 'mixDelegations');
});

test('every reason and confirmation reads in both languages; numbered groups are said in French', () => {
  const en = createI18n('en');
  const fr = createI18n('fr');
  const can = consoleActions(session(), { liveSessionId: 'x', liveTitle: 'Opening' });
  for (const a of Object.values(can).filter((a) => !a.ok)) {
    assert.notEqual(en.t(a.why.key, a.why.params), a.why.key);
    assert.notEqual(fr.t(a.why.key, a.why.params), en.t(a.why.key, a.why.params));
  }
  assert.equal(groupName({ id: 'g2', name: 'Group 2' }, fr.t), 'Groupe 2');
  assert.equal(groupName({ id: 'g2', name: 'Group 2' }, en.t), 'Group 2');
  assert.equal(groupName({ id: 'ghana', name: 'Ghana' }, fr.t), 'Ghana');
  assert.equal(groupName({ id: 'g1', name: 'Group 7' }, fr.t), 'Group 7', 'a name the facilitator typed stays as typed');
});

test('the join page looks up only what can be a code, and offers the delegations sorted, none first', async () => {
  const { codeShape, delegationChoices } = await import('../../src/Web/wwwroot/js/join-page.js');
  assert.equal(codeShape('g67f-ap77 ed'), 'G67FAP77ED');
  assert.equal(codeShape('G67FAP77E'), '', 'too short');
  assert.equal(codeShape('G67FAP77E0'), '', 'no 0, O, 1 or I in a code');
  const info = { delegations: [{ id: 'tg', name: 'Togo' }, { id: 'ci', name: "Côte d'Ivoire" }, { id: 'au', name: 'African Union', names: { fr: 'Union africaine' } }] };
  assert.deepEqual(delegationChoices(info, 'en', 'No delegation'), [['', 'No delegation'], ['au', 'African Union'], ['ci', "Côte d'Ivoire"], ['tg', 'Togo']]);
  assert.deepEqual(delegationChoices(info, 'fr', 'Aucune').map(([v]) => v), ['', 'ci', 'tg', 'au']);
  assert.deepEqual(delegationChoices(null, 'en', 'None'), [['', 'None']]);
});

test('a page shows the live session’s announcements only, newest first', async () => {
  const { announcementsFor } = await import('../../src/Web/wwwroot/js/console-model.js');
  const list = [
    { id: 'a', sessionId: 'd1-opening', at: '2026-01-01T09:00:00Z' },
    { id: 'b', sessionId: 'd2-drafting', at: '2026-01-02T11:00:00Z' },
    { id: 'c', sessionId: 'd2-drafting', at: '2026-01-02T11:05:00Z', groupId: 'g1' },
  ];
  assert.deepEqual(announcementsFor(list, 'd2-drafting').map((a) => a.id), ['c', 'b']);
  assert.deepEqual(announcementsFor(list, null), []);
  assert.deepEqual(announcementsFor(null, 'd1-opening'), []);
});

test('the outcome tab shows the latest published version unless the reader picked one', async () => {
  const { outcomeVersion } = await import('../../src/Web/wwwroot/js/console-model.js');
  const list = [
    { id: 'v1', publishedAt: '2026-01-02T10:00:00Z' },
    { id: 'v2', publishedAt: '2026-01-02T12:00:00Z' },
  ];
  assert.equal(outcomeVersion(list), 'v2');
  assert.equal(outcomeVersion(list, { chosen: 'v1' }), 'v1');
  assert.equal(outcomeVersion(list, { chosen: 'gone' }), 'v2');
  assert.equal(outcomeVersion([], {}), '');
  assert.equal(outcomeVersion(list, { drafts: true }), 'current');
  assert.equal(outcomeVersion(list, { drafts: true, chosen: 'v1' }), 'v1');
  assert.equal(outcomeVersion(list, { chosen: 'current' }), 'v2', 'participants have no current text');
});
