// Unsent edits kept across a page reload (unsent.js + collab-client.js pendingStore): what is stored, when it is
// forgotten, and that a new page (a new CollabClient on the same storage) sends every stored edit exactly once, with
// the stored clientId/clientSeq, transformed against the ops committed meanwhile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CollabClient } from '../../src/Web/wwwroot/js/collab-client.js';
import { createUnsentStore, readPending, unsentKey, warnBeforeLeaving } from '../../src/Web/wwwroot/js/unsent.js';
import { FakeHubConnection, flush } from './support.mjs';

class MemoryStorage {
  constructor() {
    this.map = new Map();
  }
  get length() {
    return this.map.size;
  }
  key(i) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
}

class ManualConnection extends FakeHubConnection {
  constructor() {
    super();
    this.state = 'Disconnected';
    this.calls = [];
  }
  async start() {
    this.state = 'Connected';
  }
  async stop() {
    this.state = 'Disconnected';
  }
  invoke(method, arg) {
    return new Promise((resolve, reject) => this.calls.push({ method, arg: structuredClone(arg), resolve, reject }));
  }
  send() {
    return Promise.resolve();
  }
  pending(method) {
    return this.calls.filter((c) => c.method === method);
  }
  take(method) {
    const i = this.calls.findIndex((c) => c.method === method);
    assert.ok(i >= 0, `no pending ${method} (pending: ${this.calls.map((c) => c.method).join(', ') || 'none'})`);
    return this.calls.splice(i, 1)[0];
  }
  drop() {
    this.state = 'Reconnecting';
    const calls = this.calls;
    this.calls = [];
    for (const c of calls) c.reject(new Error('Invocation canceled due to the underlying connection being closed.'));
    for (const fn of this.cbs.reconnecting) fn(new Error('connection lost'));
  }
}

const who = { workshopId: 'w1', participantId: 'p1' };
const noTimers = { setTimeout: () => 0, clearTimeout: () => {}, retryDelays: [10], gapDelay: 50 };
const entry = (revision, op, clientId = 'someone-else', clientSeq = 1) => ({ revision, op, clientId, clientSeq });

/** A page: a CollabClient whose unsent edits live in `storage`; opens d1 answering the first OpenDocument with `answer`. */
async function page(storage, answer, handlers = {}, { wait = true } = {}) {
  const conn = new ManualConnection();
  const client = new CollabClient(conn, { ...noTimers, pendingStore: createUnsentStore(storage, who) });
  await client.start();
  const opening = client.openDocument('d1', handlers);
  await flush();
  const open = conn.take('OpenDocument');
  const arg = open.arg;
  open.resolve({ docId: 'd1', ops: [], text: null, locked: false, presence: [], ...answer });
  if (!wait) {
    await flush();
    return { conn, client, opening, openArg: arg };
  }
  const doc = await opening;
  await flush();
  return { conn, client, doc, openArg: arg };
}

/** The first page: opens 'abc' at revision 3, types `d` (sent, no answer) then `e` offline, and is reloaded. */
async function typedThenReloaded(storage) {
  const first = await page(storage, { revision: 3, text: 'abc' });
  first.doc.applyLocal([3, 'd']);
  const sent = first.conn.take('SubmitOp');
  first.conn.drop();
  await flush();
  first.doc.applyLocal([4, 'e']);
  return { first, sent };
}

test('readPending takes a well-formed state and nothing else', () => {
  const good = { v: 1, clientId: 'c', nextSeq: 2, revision: 3, base: 'abc', outstanding: { op: [3, 'd'], seq: 1 }, buffer: [4, 'e'] };
  assert.deepEqual(readPending(JSON.stringify(good)), good);
  assert.deepEqual(readPending({ ...good, outstanding: { op: [3, 'd'] } }).outstanding, { op: [3, 'd'], seq: null });
  assert.equal(readPending(null), null);
  assert.equal(readPending('not json'), null);
  assert.equal(readPending({ ...good, v: 2 }), null, 'another version');
  assert.equal(readPending({ ...good, outstanding: { op: [3, 'd'], seq: 2 } }), null, 'a seq the client has not handed out');
  assert.equal(readPending({ ...good, outstanding: { op: [3, { x: 1 }], seq: 1 } }), null, 'not an op');
  assert.equal(readPending({ ...good, outstanding: null, buffer: null }), null, 'nothing to send');
  assert.equal(readPending({ ...good, revision: -1 }), null);
  assert.equal(readPending({ ...good, clientId: '' }), null);
});

test('the store keeps each participant\'s edits apart, per document', () => {
  const storage = new MemoryStorage();
  const mine = createUnsentStore(storage, who);
  const theirs = createUnsentStore(storage, { workshopId: 'w1', participantId: 'p2' });
  const state = { v: 1, clientId: 'c', nextSeq: 1, revision: 0, base: '', outstanding: { op: ['x'], seq: null }, buffer: null };
  mine.save('d1', state);
  mine.save('d:2', state);
  assert.deepEqual(mine.docIds().sort(), ['d1', 'd:2'].sort());
  assert.deepEqual(theirs.docIds(), []);
  assert.equal(theirs.load('d1'), null);
  assert.ok(storage.getItem(unsentKey('w1', 'p1', 'd1')));
  mine.save('d1', null);
  assert.deepEqual(mine.docIds(), ['d:2']);
  mine.forget();
  assert.equal(storage.length, 0);
});

test('unsent edits are stored as they are made, with the seq of what left, and forgotten once acknowledged', async () => {
  const storage = new MemoryStorage();
  const { conn, doc } = await page(storage, { revision: 3, text: 'abc' });
  const store = createUnsentStore(storage, who);
  assert.equal(store.load('d1'), null, 'nothing stored while synchronized');
  doc.applyLocal([3, 'd']);
  const submit = conn.take('SubmitOp');
  assert.deepEqual(store.load('d1'), { v: 1, clientId: doc.clientId, nextSeq: 2, revision: 3, base: 'abc', outstanding: { op: [3, 'd'], seq: 1 }, buffer: null });
  doc.applyLocal([4, 'e']);
  assert.deepEqual(store.load('d1').buffer, [4, 'e']);
  submit.resolve({ revision: 4, op: [3, 'd'] });
  await flush();
  assert.deepEqual(store.load('d1').outstanding, { op: [4, 'e'], seq: 2 }, 'the buffer left as seq 2');
  assert.equal(store.load('d1').base, 'abcd');
  conn.take('SubmitOp').resolve({ revision: 5, op: [4, 'e'] });
  await flush();
  assert.equal(store.load('d1'), null);
  assert.equal(storage.length, 0);
});

test('after a reload, an op the server never got is sent once with its stored clientSeq, after others\' ops', async () => {
  const storage = new MemoryStorage();
  const { first, sent } = await typedThenReloaded(storage);
  // Someone else inserted 'x' at the start meanwhile (revision 4); the server never got 'd'.
  const second = await page(storage, { revision: 4, ops: [entry(4, ['x', 3])] });
  assert.deepEqual(second.openArg, { docId: 'd1', lastRevision: 3 }, 'catches up from the stored revision');
  assert.equal(second.doc.clientId, first.doc.clientId, 'the stored clientId');
  assert.equal(second.doc.text, 'xabcde', 'the typing is back on screen, moved by the op committed meanwhile');
  assert.equal(second.doc.hasUnsyncedChanges, true);
  const again = second.conn.take('SubmitOp');
  assert.deepEqual(again.arg, { docId: 'd1', baseRevision: 4, clientId: sent.arg.clientId, clientSeq: 1, op: [4, 'd'] });
  again.resolve({ revision: 5, op: [4, 'd'] });
  await flush();
  const next = second.conn.take('SubmitOp');
  assert.deepEqual(next.arg, { docId: 'd1', baseRevision: 5, clientId: sent.arg.clientId, clientSeq: 2, op: [5, 'e'] });
  next.resolve({ revision: 6, op: [5, 'e'] });
  await flush();
  assert.equal(second.doc.text, 'xabcde');
  assert.equal(second.doc.hasUnsyncedChanges, false);
  assert.equal(storage.length, 0, 'forgotten once acknowledged');
});

test('after a reload, an op the server had committed is recognised in the catch-up and not sent again', async () => {
  const storage = new MemoryStorage();
  const { sent } = await typedThenReloaded(storage);
  const own = entry(4, [3, 'd'], sent.arg.clientId, 1);
  const second = await page(storage, { revision: 5, ops: [own, entry(5, ['x', 4])] });
  assert.equal(second.doc.text, 'xabcde');
  const submits = second.conn.pending('SubmitOp');
  assert.equal(submits.length, 1, 'only what followed it');
  assert.deepEqual(submits[0].arg, { docId: 'd1', baseRevision: 5, clientId: sent.arg.clientId, clientSeq: 2, op: [5, 'e'] });
});

test('after a reload answered by a snapshot, the stored op is resubmitted against its old base and never doubled', async () => {
  const storage = new MemoryStorage();
  const { sent } = await typedThenReloaded(storage);
  const changes = [];
  const second = await page(storage, { revision: 9, text: 'abcd!' }, { onChange: (text) => changes.push(text) }, { wait: false });
  const resubmit = second.conn.take('SubmitOp');
  assert.deepEqual(resubmit.arg, { docId: 'd1', baseRevision: 3, clientId: sent.arg.clientId, clientSeq: 1, op: [3, 'd'] });
  resubmit.resolve({ revision: 4, op: [3, 'd'] }); // committed before the reload: the original ack
  const doc = await second.opening;
  await flush();
  assert.equal(doc.text, 'abcd!e', "'d' once; 'e' after the '!' committed at the same place (the server's op wins ties)");
  const next = second.conn.take('SubmitOp');
  assert.deepEqual(next.arg, { docId: 'd1', baseRevision: 9, clientId: sent.arg.clientId, clientSeq: 2, op: [5, 'e'] });
  assert.deepEqual(changes, [], 'the page reads the text once open');
});

test('edits never sent are composed and sent as the first seq after a reload', async () => {
  const storage = new MemoryStorage();
  const first = await page(storage, { revision: 3, text: 'abc' });
  first.conn.drop();
  await flush();
  first.doc.applyLocal([3, 'd']);
  first.doc.applyLocal([4, 'e']);
  assert.equal(createUnsentStore(storage, who).load('d1').outstanding.seq, null);
  const second = await page(storage, { revision: 3, ops: [] });
  assert.deepEqual(second.conn.take('SubmitOp').arg, { docId: 'd1', baseRevision: 3, clientId: first.doc.clientId, clientSeq: 1, op: [3, 'de'] });
});

test('a damaged stored state is ignored and the document opens from a snapshot', async () => {
  const storage = new MemoryStorage();
  storage.setItem(unsentKey('w1', 'p1', 'd1'), JSON.stringify({ v: 1, clientId: 'c', nextSeq: 2, revision: 3, base: 'ab', outstanding: { op: [3, 'd'], seq: 1 }, buffer: null }));
  const { doc, openArg } = await page(storage, { revision: 3, text: 'abc' });
  assert.deepEqual(openArg, { docId: 'd1', lastRevision: null });
  assert.equal(doc.text, 'abc');
  assert.equal(storage.length, 0);
});

test('leaving the page is questioned only while edits are unsynced', () => {
  const listeners = new Map();
  const target = { addEventListener: (n, f) => listeners.set(n, f), removeEventListener: (n) => listeners.delete(n) };
  let unsynced = false;
  const stop = warnBeforeLeaving(target, () => unsynced);
  const event = () => ({ prevented: false, returnValue: undefined, preventDefault() { this.prevented = true; } });
  const calm = event();
  listeners.get('beforeunload')(calm);
  assert.equal(calm.prevented, false);
  unsynced = true;
  const asked = event();
  listeners.get('beforeunload')(asked);
  assert.equal(asked.prevented, true);
  assert.equal(asked.returnValue, '');
  stop();
  assert.equal(listeners.size, 0);
});
