// Workshop presence from deltas (presence.js): applied to the version they follow, a gap fetches the snapshot again,
// and the page ends with exactly the list a snapshot would give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPresenceDelta, byName, createPresenceSync, MAX_HELD } from '../../src/Web/wwwroot/js/presence.js';

const entry = (participantId, name, extra = {}) => ({ participantId, name, role: 'participant', rooms: [], documents: [], reconnecting: false, ...extra });
const awa = entry('p-awa', 'Awa');
const kofi = entry('p-kofi', 'Kofi');
const zoe = entry('p-zoe', 'zoé');
const snapshot = (version, ...online) => ({ workshopId: 'w', version, online: online.sort(byName) });
const delta = (baseVersion, version, changed = [], gone = []) => ({ workshopId: 'w', baseVersion, version, changed, gone });

/** A sync over a fetch the test answers by hand: `answer(p)` resolves the oldest fetch. */
function harness() {
  const fetches = [];
  const changes = [];
  const sync = createPresenceSync({
    fetch: () => new Promise((resolve) => fetches.push(resolve)),
    onChange: (p) => changes.push(p),
  });
  return {
    sync,
    changes,
    get fetches() { return fetches.length; },
    async answer(p) {
      fetches.shift()(p);
      await new Promise((r) => setImmediate(r)); // let the promise chain run
    },
  };
}

test('a delta replaces the entries it lists, drops the ids gone and keeps the order by name', () => {
  const before = snapshot(10, awa, kofi);
  const after = applyPresenceDelta(before, delta(10, 12, [zoe, { ...awa, documents: ['d1'], rooms: ['plenary'] }], ['p-kofi']));
  assert.deepEqual(after, snapshot(12, { ...awa, documents: ['d1'], rooms: ['plenary'] }, zoe));
});

test('a delta applies to any version from its base up to its own; an older one is a gap, a newer one nothing', () => {
  assert.equal(applyPresenceDelta(snapshot(11, awa), delta(10, 12, [kofi])).version, 12);
  assert.equal(applyPresenceDelta(snapshot(9, awa), delta(10, 12, [kofi])), null);
  const held = snapshot(12, awa);
  assert.equal(applyPresenceDelta(held, delta(10, 12, [kofi])), held);
  assert.equal(applyPresenceDelta(null, delta(10, 12, [kofi])), null);
});

test('the same name keeps one order, by participant id, whatever the arrival', () => {
  const twin = entry('p-awa-2', 'awa');
  const a = applyPresenceDelta(snapshot(1, awa), delta(1, 2, [twin]));
  const b = applyPresenceDelta(snapshot(1, twin), delta(1, 2, [awa]));
  assert.deepEqual(a.online, b.online);
});

test('the page applies deltas that follow its snapshot without fetching', async () => {
  const h = harness();
  h.sync.refetch();
  await h.answer(snapshot(10, awa));
  h.sync.delta(delta(10, 11, [kofi]));
  h.sync.delta(delta(11, 12, [], ['p-awa']));
  assert.equal(h.fetches, 0);
  assert.deepEqual(h.sync.current, snapshot(12, kofi));
  assert.deepEqual(h.changes.map((p) => p.version), [10, 11, 12]);
});

test('a missed delta fetches the snapshot again, and deltas held meanwhile apply after it', async () => {
  const h = harness();
  h.sync.snapshot(snapshot(10, awa));
  h.sync.delta(delta(11, 12, [kofi])); // 10 → 11 never arrived
  assert.equal(h.fetches, 1);
  h.sync.delta(delta(12, 13, [zoe])); // one fetch at a time
  assert.equal(h.fetches, 1);
  assert.equal(h.sync.current.version, 10);
  await h.answer(snapshot(12, awa, kofi)); // the server answered between the two pushes
  assert.deepEqual(h.sync.current, snapshot(13, awa, kofi, zoe));
  assert.equal(h.fetches, 0);
});

test('a delta from a server whose presence started again (a higher base) fetches, and the page ends as that snapshot', async () => {
  const h = harness();
  h.sync.snapshot(snapshot(10, awa, kofi));
  h.sync.delta(delta(5_000, 5_001, [zoe]));
  await h.answer(snapshot(5_001, awa, zoe));
  assert.deepEqual(h.sync.current, snapshot(5_001, awa, zoe));
});

test('a delta before the first snapshot waits for it; a pushed snapshot is kept only when newer', async () => {
  const h = harness();
  h.sync.delta(delta(10, 11, [kofi]));
  assert.equal(h.fetches, 1);
  await h.answer(snapshot(10, awa));
  assert.deepEqual(h.sync.current, snapshot(11, awa, kofi));
  h.sync.snapshot(snapshot(9, zoe));
  assert.deepEqual(h.sync.current, snapshot(11, awa, kofi));
  h.sync.snapshot(snapshot(20, zoe));
  assert.deepEqual(h.sync.current, snapshot(20, zoe));
});

test('a pushed whole list after deltas replaces the page\'s list, and the next delta, on its version, applies without fetching', async () => {
  const h = harness();
  h.sync.refetch();
  await h.answer(snapshot(10, awa, kofi, zoe));
  h.sync.delta(delta(10, 11, [{ ...kofi, reconnecting: true }, { ...zoe, reconnecting: true }]));
  h.sync.snapshot(snapshot(12, awa)); // WorkshopPresenceChanged: Kofi and Zoé gone at once, more than the one who stays
  assert.deepEqual(h.sync.current, snapshot(12, awa));
  h.sync.delta(delta(12, 13, [kofi]));
  assert.equal(h.fetches, 0);
  assert.deepEqual(h.sync.current, snapshot(13, awa, kofi));
  assert.deepEqual(h.changes.map((p) => p.version), [10, 11, 12, 13]);
});

test('deltas held while fetching are bounded', () => {
  const h = harness();
  for (let i = 0; i < MAX_HELD * 3; i++) h.sync.delta(delta(100 + i, 101 + i, [kofi]));
  assert.equal(h.fetches, 1);
});

test('a failed fetch is reported and the next gap fetches again', async () => {
  const errors = [];
  let calls = 0;
  const sync = createPresenceSync({ fetch: async () => { calls++; throw new Error('offline'); }, onChange: () => {}, onError: (e) => errors.push(e.message) });
  await sync.refetch();
  sync.delta(delta(1, 2, [kofi]));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([calls, errors], [2, ['offline', 'offline']]);
});
