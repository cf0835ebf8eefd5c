// Unit tests of collab-client.js against a hand-driven fake SignalR connection: state transitions, own op in a push
// counts as the ack, duplicates, gaps and catch-up, rejections, server.unavailable, reconnects and resubmission,
// snapshots with pending changes, presence, lock, access.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CollabClient, DocumentClient, CollabError, errorCode, diffOp, accessRefusalCode } from '../../src/Web/wwwroot/js/collab-client.js';
import { OtError, apply } from '../../src/Web/wwwroot/js/ot.js';
import { FakeHubConnection, flush } from './support.mjs';


class ManualConnection extends FakeHubConnection {
  constructor() {
    super();
    this.state = 'Disconnected';
    this.calls = [];
    this.sent = [];
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
  send(method, arg) {
    this.sent.push({ method, arg: structuredClone(arg) });
    return Promise.resolve();
  }
  emit(name, payload) {
    for (const fn of this.handlers.get(name) ?? []) fn(structuredClone(payload));
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
  restore() {
    this.state = 'Connected';
    for (const fn of this.cbs.reconnected) fn('new-connection-id');
  }
}

class FakeTimers {
  constructor() {
    this.list = new Map();
    this.n = 0;
  }
  setTimeout = (fn, ms) => {
    const id = ++this.n;
    this.list.set(id, { fn, ms });
    return id;
  };
  clearTimeout = (id) => {
    this.list.delete(id);
  };
  async runAll() {
    while (this.list.size > 0) {
      const [id, { fn }] = this.list.entries().next().value;
      this.list.delete(id);
      fn();
      await flush();
    }
  }
}

const hubError = (code, text) => new Error(`An unexpected error occurred invoking 'SubmitOp' on the server. HubException: ${code}: ${text}`);
const entry = (revision, op, clientId = 'someone-else', clientSeq = 1) => ({
  revision,
  op,
  clientId,
  clientSeq,
  author: 'Ana',
  committedAt: '2025-01-01T00:00:00Z',
});

async function setup({ text = 'hello', revision = 3, handlers = {}, limits, access } = {}) {
  const conn = new ManualConnection();
  const timers = new FakeTimers();
  const events = { changes: [], unsynced: [], errors: [], presence: [], locks: [], access: [] };
  const client = new CollabClient(conn, { setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout, gapDelay: 50, retryDelays: [10], limits });
  await client.start();
  const opening = client.openDocument('d1', {
    onChange: (t, op, meta) => events.changes.push({ text: t, op, meta }),
    onUnsyncedChanged: (v) => events.unsynced.push(v),
    onError: (code, message, detail) => events.errors.push({ code, message, detail }),
    onPresence: (p) => events.presence.push(p),
    onLockChanged: (locked, rev) => events.locks.push({ locked, rev }),
    onAccessChanged: (a) => events.access.push(a),
    ...handlers,
  });
  await flush();
  const open = conn.take('OpenDocument');
  assert.deepEqual(open.arg, { docId: 'd1', lastRevision: null });
  open.resolve({ docId: 'd1', revision, text, ops: [], locked: false, presence: [], access });
  const doc = await opening;
  return { conn, timers, client, doc, events };
}

test('open takes the snapshot; a fresh document is synchronized', async () => {
  const { doc, events } = await setup();
  assert.ok(doc instanceof DocumentClient);
  assert.equal(doc.text, 'hello');
  assert.equal(doc.revision, 3);
  assert.equal(doc.state, 'synchronized');
  assert.equal(doc.hasUnsyncedChanges, false);
  assert.equal(events.changes.length, 0);
});

test('state transitions: synchronized -> awaitingAck -> awaitingAckWithBuffer -> awaitingAck -> synchronized', async () => {
  const { conn, doc, events } = await setup();
  assert.equal(doc.applyLocal([5, '!']), 'hello!');
  assert.equal(doc.state, 'awaitingAck');
  assert.equal(doc.hasUnsyncedChanges, true);
  assert.deepEqual(events.unsynced, [true]);
  const first = conn.take('SubmitOp');
  assert.deepEqual(first.arg, { docId: 'd1', baseRevision: 3, clientId: doc.clientId, clientSeq: 1, op: [5, '!'] });
  doc.applyLocal([6, '?']);
  assert.equal(doc.state, 'awaitingAckWithBuffer');
  doc.applyLocal([7, '.']);
  assert.equal(doc.text, 'hello!?.');
  assert.equal(conn.pending('SubmitOp').length, 0, 'nothing more is sent while awaiting the ack');
  const synced = doc.whenSynced();
  first.resolve({ revision: 4, op: [5, '!'] });
  await flush();
  assert.equal(doc.state, 'awaitingAck');
  assert.equal(doc.revision, 4);
  const second = conn.take('SubmitOp');
  assert.deepEqual(second.arg, { docId: 'd1', baseRevision: 4, clientId: doc.clientId, clientSeq: 2, op: [6, '?.'] });
  second.resolve({ revision: 5, op: [6, '?.'] });
  await flush();
  await synced;
  assert.equal(doc.state, 'synchronized');
  assert.equal(doc.revision, 5);
  assert.equal(doc.text, 'hello!?.');
  assert.deepEqual(events.unsynced, [true, false]);
  assert.equal(events.changes.length, 0, 'own ops are not reported as remote changes');
});

test('own op in a push counts as the ack; the late invoke answer is ignored', async () => {
  const { conn, doc, events } = await setup();
  doc.applyLocal([5, '!']);
  const first = conn.take('SubmitOp');
  doc.applyLocal([6, '?']);
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(4, [5, '!'], doc.clientId, 1)] });
  assert.equal(doc.revision, 4);
  assert.equal(doc.state, 'awaitingAck');
  const second = conn.take('SubmitOp');
  assert.equal(second.arg.clientSeq, 2);
  assert.equal(second.arg.baseRevision, 4);
  first.resolve({ revision: 4, op: [5, '!'] });
  await flush();
  assert.equal(doc.revision, 4);
  assert.equal(doc.state, 'awaitingAck');
  assert.equal(conn.pending('SubmitOp').length, 0);
  // And the other way round: the invoke answer first, then the push.
  second.resolve({ revision: 5, op: [6, '?'] });
  await flush();
  assert.equal(doc.state, 'synchronized');
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(5, [6, '?'], doc.clientId, 2)] });
  assert.equal(doc.revision, 5);
  assert.equal(doc.text, 'hello!?');
  assert.equal(events.changes.length, 0);
});

test('duplicate and stale pushes are ignored', async () => {
  const { conn, doc, events } = await setup();
  const op = [0 + 5, ' world'];
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(4, op)] });
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(4, op)] });
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(2, [3, -2])] });
  conn.emit('OpsCommitted', { docId: 'other-doc', ops: [entry(5, [1])] });
  assert.equal(doc.text, 'hello world');
  assert.equal(doc.revision, 4);
  assert.equal(events.changes.length, 1);
  assert.deepEqual(events.changes[0].op, [5, ' world']);
  assert.equal(events.changes[0].meta.revision, 4);
  assert.equal(events.changes[0].meta.author, 'Ana');
});

test('remote ops are transformed against outstanding and buffer; the server op wins ties', async () => {
  const { conn, doc, events } = await setup({ text: 'ab', revision: 1 });
  doc.applyLocal([1, 'X', 1]);
  const first = conn.take('SubmitOp');
  doc.applyLocal([3, 'Y']);
  assert.equal(doc.text, 'aXbY');
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(2, [1, 'R', 1])] });
  assert.equal(doc.text, 'aRXbY', "the server's insert goes first at the same position");
  assert.deepEqual(events.changes[0].op, [1, 'R', 3]);
  first.resolve({ revision: 3, op: [2, 'X', 1] });
  await flush();
  const second = conn.take('SubmitOp');
  assert.deepEqual(second.arg.op, [4, 'Y']);
  assert.equal(second.arg.baseRevision, 3);
  second.resolve({ revision: 4, op: [4, 'Y'] });
  await flush();
  assert.equal(doc.state, 'synchronized');
  assert.equal(apply('ab', [1, 'R', 1]), 'aRb');
});

test('a gap waits, then catches up with OpenDocument(lastRevision)', async () => {
  const { conn, doc, timers } = await setup({ text: 'abc', revision: 3 });
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(5, [4, '5'])] });
  assert.equal(doc.revision, 3);
  assert.equal(doc.text, 'abc');
  await timers.runAll();
  const open = conn.take('OpenDocument');
  assert.deepEqual(open.arg, { docId: 'd1', lastRevision: 3 });
  open.resolve({ docId: 'd1', revision: 5, text: null, ops: [entry(4, [3, '4']), entry(5, [4, '5'])], locked: false, presence: [] });
  await flush();
  assert.equal(doc.revision, 5);
  assert.equal(doc.text, 'abc45');
});

test('a gap filled in time needs no catch-up', async () => {
  const { conn, doc, timers } = await setup({ text: 'abc', revision: 3 });
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(5, [4, '5'])] });
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(4, [3, '4'])] });
  assert.equal(doc.text, 'abc45');
  await timers.runAll();
  assert.equal(conn.pending('OpenDocument').length, 0);
});

test('an ack ahead of the pushes before it waits for them', async () => {
  const { conn, doc } = await setup({ text: 'abc', revision: 3 });
  doc.applyLocal([3, '!']);
  conn.take('SubmitOp').resolve({ revision: 5, op: [4, '!'] });
  await flush();
  assert.equal(doc.revision, 3);
  assert.equal(doc.state, 'awaitingAck');
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(4, ['>', 3])] });
  assert.equal(doc.revision, 5);
  assert.equal(doc.text, '>abc!');
  assert.equal(doc.state, 'synchronized');
});

test('own op never pushed: pushes of later ops wait for the answer, which fills its revision; no catch-up', async () => {
  // The server skips the author in a push made only of its ops (docs/protocol.md, OpsCommitted).
  const { conn, doc, timers, events } = await setup({ text: 'abc', revision: 3 });
  doc.applyLocal([3, '!']);
  const submit = conn.take('SubmitOp');
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(5, ['>', 4])] });
  assert.equal(doc.revision, 3, 'revision 5 waits for 4, which is ours');
  submit.resolve({ revision: 4, op: [3, '!'] });
  await flush();
  assert.equal(doc.revision, 5);
  assert.equal(doc.text, '>abc!');
  assert.equal(doc.state, 'synchronized');
  assert.equal(events.changes.length, 1, 'only the other author\'s op is a remote change');
  await timers.runAll();
  assert.equal(conn.pending('OpenDocument').length, 0, 'the answer filled the gap: nothing to catch up');
});

test('rejection: the op is dropped, onError is told, a snapshot resync keeps later edits', async () => {
  const { conn, doc, events } = await setup();
  doc.applyLocal([5, ' world']);
  const first = conn.take('SubmitOp');
  doc.applyLocal(['>', 11]);
  assert.equal(doc.text, '>hello world');
  first.reject(hubError('op.too_large', 'The operation inserts too much.'));
  await flush();
  assert.deepEqual(events.errors, [{ code: 'op.too_large', message: 'The operation inserts too much.', detail: { op: [5, ' world'], base: 'hello' } }]);
  const open = conn.take('OpenDocument');
  assert.deepEqual(open.arg, { docId: 'd1', lastRevision: null });
  open.resolve({ docId: 'd1', revision: 4, text: 'hello!', ops: [], locked: false, presence: [] });
  await flush();
  assert.equal(doc.text, '>hello!');
  assert.equal(doc.revision, 4);
  assert.equal(doc.state, 'awaitingAck');
  const next = conn.take('SubmitOp');
  assert.deepEqual(next.arg, { docId: 'd1', baseRevision: 4, clientId: doc.clientId, clientSeq: 2, op: ['>', 6] });
  assert.equal(events.changes.at(-1).text, '>hello!');
  assert.equal(events.changes.at(-1).meta.resync, true);
  next.resolve({ revision: 5, op: ['>', 6] });
  await flush();
  assert.equal(doc.state, 'synchronized');
});

test('rejection without later edits reverts to the server text', async () => {
  const { conn, doc, events } = await setup();
  doc.applyLocal([5, '!']);
  conn.take('SubmitOp').reject(new Error('document.locked: locked'));
  await flush();
  conn.take('OpenDocument').resolve({ docId: 'd1', revision: 3, text: 'hello', ops: [], locked: true, presence: [] });
  await flush();
  assert.equal(doc.text, 'hello');
  assert.equal(doc.state, 'synchronized');
  assert.equal(doc.hasUnsyncedChanges, false);
  assert.equal(doc.locked, true);
  assert.deepEqual(events.errors.map((e) => e.code), ['document.locked']);
  assert.deepEqual(events.unsynced, [true, false]);
});

test('the access the server gives on open is the document\'s; without one it edits', async () => {
  const { doc, events } = await setup({ access: { mode: 'suggest', reason: 'phase', phase: 'review' } });
  assert.deepEqual(doc.access, { mode: 'suggest', reason: 'phase', phase: 'review' });
  assert.deepEqual(events.access, [], 'the first access is not a change');
  const plain = await setup();
  assert.deepEqual(plain.doc.access, { mode: 'edit', reason: null, phase: null });
});

test('AccessChanged reopens at the last revision and hands the new access to the page', async () => {
  const { conn, doc, events } = await setup();
  conn.emit('AccessChanged', { docId: 'other', revision: 3 });
  conn.emit('AccessChanged', { docId: 'd1', revision: 3 });
  await flush();
  const reopen = conn.take('OpenDocument');
  assert.deepEqual(reopen.arg, { docId: 'd1', lastRevision: 3 });
  assert.equal(conn.pending('OpenDocument').length, 0, 'only the document that changed reopens');
  reopen.resolve({ docId: 'd1', revision: 4, text: null, ops: [entry(4, [5, '!'])], locked: false, presence: [], access: { mode: 'read', reason: 'phase', phase: 'adopt' } });
  await flush();
  assert.deepEqual(events.access, [{ mode: 'read', reason: 'phase', phase: 'adopt' }]);
  assert.deepEqual(doc.access, { mode: 'read', reason: 'phase', phase: 'adopt' });
  assert.equal(doc.text, 'hello!', 'ops missed meanwhile come with it');
  assert.equal(doc.revision, 4);
});

test('AccessChanged while a reopen is on its way reopens once more when it is back', async () => {
  const { conn, doc, events } = await setup();
  conn.emit('AccessChanged', { docId: 'd1', revision: 3 });
  await flush();
  const first = conn.take('OpenDocument');
  conn.emit('AccessChanged', { docId: 'd1', revision: 3 });
  first.resolve({ docId: 'd1', revision: 3, text: null, ops: [], locked: false, presence: [], access: { mode: 'edit', reason: null, phase: null } });
  await flush();
  const second = conn.take('OpenDocument');
  second.resolve({ docId: 'd1', revision: 3, text: null, ops: [], locked: false, presence: [], access: { mode: 'read', reason: 'session_ended', phase: null } });
  await flush();
  assert.deepEqual(events.access, [{ mode: 'read', reason: 'session_ended', phase: null }]);
  assert.equal(doc.access.mode, 'read');
});

test('a local edit the access refuses throws its code and changes nothing', async () => {
  const { conn, doc } = await setup({ access: { mode: 'suggest', reason: 'status', phase: null } });
  assert.throws(() => doc.applyLocal([5, '!']), (err) => err instanceof CollabError && err.code === 'document.suggest_only');
  assert.equal(doc.text, 'hello');
  assert.equal(doc.hasUnsyncedChanges, false);
  assert.equal(conn.pending('SubmitOp').length, 0);
});

test('accessRefusalCode answers the code the server refuses an op with', () => {
  assert.equal(accessRefusalCode({ mode: 'edit', reason: null }), null);
  assert.equal(accessRefusalCode(undefined), null);
  assert.equal(accessRefusalCode({ mode: 'read', reason: 'observer' }), 'document.read_only');
  assert.equal(accessRefusalCode({ mode: 'read', reason: 'not_a_member' }), 'document.not_a_member');
  assert.equal(accessRefusalCode({ mode: 'read', reason: 'locked' }), 'document.locked');
  assert.equal(accessRefusalCode({ mode: 'read', reason: 'phase', phase: 'adopt' }), 'document.phase_read_only');
  assert.equal(accessRefusalCode({ mode: 'read', reason: 'session_ended' }), 'document.phase_read_only');
  assert.equal(accessRefusalCode({ mode: 'read', reason: 'status' }), 'document.status_locked');
  assert.equal(accessRefusalCode({ mode: 'suggest', reason: 'phase', phase: 'review' }), 'document.suggest_only');
  assert.equal(accessRefusalCode({ mode: 'suggest', reason: 'status' }), 'document.suggest_only');
});

test('a refused op is reported with what it was and the text it applied to, so it can become a suggestion', async () => {
  const { conn, doc, events } = await setup();
  doc.applyLocal([5, ' world']);
  const submit = conn.take('SubmitOp');
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(4, ['> ', 5])] });
  await flush();
  submit.reject(hubError('document.suggest_only', 'suggest instead'));
  await flush();
  const [refused] = events.errors;
  assert.equal(refused.code, 'document.suggest_only');
  assert.equal(apply(refused.detail.base, refused.detail.op), '> hello world');
  conn.take('OpenDocument').resolve({ docId: 'd1', revision: 4, text: '> hello', ops: [], locked: false, presence: [], access: { mode: 'suggest', reason: 'phase', phase: 'review' } });
  await flush();
  assert.equal(doc.text, '> hello');
  assert.equal(doc.access.mode, 'suggest');
});

for (const code of ['server.unavailable', 'rate.limited']) test(`${code}: nothing reported; reopen, then resubmit with the same clientSeq`, async () => {
  const { conn, doc, events, timers } = await setup({ text: 'abc', revision: 3 });
  doc.applyLocal([3, 'd']);
  conn.take('SubmitOp').reject(hubError(code, 'try again'));
  await flush();
  assert.equal(events.errors.length, 0);
  assert.equal(conn.pending('OpenDocument').length, 0, 'waits before reopening');
  await timers.runAll();
  const open = conn.take('OpenDocument');
  assert.deepEqual(open.arg, { docId: 'd1', lastRevision: 3 });
  open.resolve({ docId: 'd1', revision: 4, text: null, ops: [entry(4, ['x', 3])], locked: false, presence: [] });
  await flush();
  const again = conn.take('SubmitOp');
  assert.deepEqual(again.arg, { docId: 'd1', baseRevision: 4, clientId: doc.clientId, clientSeq: 1, op: [4, 'd'] });
  again.resolve({ revision: 5, op: [4, 'd'] });
  await flush();
  assert.equal(doc.text, 'xabcd');
  assert.equal(doc.state, 'synchronized');
});

test('reconnect: own op among the missed ops is its ack (no resubmission)', async () => {
  const { conn, doc, client } = await setup({ text: 'abc', revision: 3 });
  const clientId = doc.clientId;
  doc.applyLocal([3, 'd']);
  conn.take('SubmitOp');
  conn.drop();
  await flush();
  assert.equal(client.connected, false);
  assert.equal(doc.hasUnsyncedChanges, true);
  conn.restore();
  const open = conn.take('OpenDocument');
  assert.deepEqual(open.arg, { docId: 'd1', lastRevision: 3 });
  open.resolve({ docId: 'd1', revision: 5, text: null, ops: [entry(4, ['x', 3]), entry(5, [4, 'd'], clientId, 1)], locked: false, presence: [] });
  await flush();
  assert.equal(doc.state, 'synchronized');
  assert.equal(doc.text, 'xabcd');
  assert.equal(doc.revision, 5);
  assert.equal(conn.pending('SubmitOp').length, 0);
  assert.equal(doc.clientId, clientId, 'the client id survives the reconnect');
});

test('reconnect: an op the server never got is resubmitted with the same clientSeq, edits made offline follow', async () => {
  const { conn, doc } = await setup({ text: 'abc', revision: 3 });
  doc.applyLocal([3, 'd']);
  conn.take('SubmitOp');
  conn.drop();
  await flush();
  doc.applyLocal([4, 'e']);
  assert.equal(doc.state, 'awaitingAckWithBuffer');
  assert.equal(conn.pending('SubmitOp').length, 0, 'nothing is sent while disconnected');
  conn.restore();
  conn.take('OpenDocument').resolve({ docId: 'd1', revision: 4, text: null, ops: [entry(4, ['x', 3])], locked: false, presence: [] });
  await flush();
  const again = conn.take('SubmitOp');
  assert.deepEqual(again.arg, { docId: 'd1', baseRevision: 4, clientId: doc.clientId, clientSeq: 1, op: [4, 'd'] });
  again.resolve({ revision: 5, op: [4, 'd'] });
  await flush();
  const next = conn.take('SubmitOp');
  assert.deepEqual(next.arg, { docId: 'd1', baseRevision: 5, clientId: doc.clientId, clientSeq: 2, op: [5, 'e'] });
  next.resolve({ revision: 6, op: [5, 'e'] });
  await flush();
  assert.equal(doc.text, 'xabcde');
  assert.equal(doc.state, 'synchronized');
});

test('edits made before the first send while offline are composed into one op', async () => {
  const { conn, doc } = await setup({ text: 'abc', revision: 3 });
  conn.drop();
  await flush();
  doc.applyLocal([3, 'd']);
  doc.applyLocal([4, 'e']);
  assert.equal(doc.state, 'awaitingAck');
  conn.restore();
  conn.take('OpenDocument').resolve({ docId: 'd1', revision: 3, text: null, ops: [], locked: false, presence: [] });
  await flush();
  assert.deepEqual(conn.take('SubmitOp').arg.op, [3, 'de']);
});

test('reconnect answered by a snapshot: the sent op is resubmitted against its old base, never doubled', async () => {
  const { conn, doc } = await setup({ text: 'abc', revision: 3 });
  doc.applyLocal([3, 'd']);
  conn.take('SubmitOp');
  conn.drop();
  await flush();
  doc.applyLocal(['<', 4]);
  conn.restore();
  conn.take('OpenDocument').resolve({ docId: 'd1', revision: 10, text: 'abcd!', ops: [], locked: false, presence: [] });
  await flush();
  const resubmit = conn.take('SubmitOp');
  assert.deepEqual(resubmit.arg, { docId: 'd1', baseRevision: 3, clientId: doc.clientId, clientSeq: 1, op: [3, 'd'] });
  resubmit.resolve({ revision: 4, op: [3, 'd'] }); // already committed: the original ack
  await flush();
  assert.equal(doc.text, '<abcd!');
  assert.equal(doc.revision, 10);
  const next = conn.take('SubmitOp');
  assert.deepEqual(next.arg, { docId: 'd1', baseRevision: 10, clientId: doc.clientId, clientSeq: 2, op: ['<', 5] });
});

test('reconnect answered by a snapshot, op committed only by the resubmission: a newer snapshot is fetched', async () => {
  const { conn, doc } = await setup({ text: 'abc', revision: 3 });
  doc.applyLocal([3, 'd']);
  conn.take('SubmitOp');
  conn.drop();
  await flush();
  conn.restore();
  conn.take('OpenDocument').resolve({ docId: 'd1', revision: 5, text: 'xabc', ops: [], locked: false, presence: [] });
  await flush();
  conn.take('SubmitOp').resolve({ revision: 6, op: [4, 'd'] });
  await flush();
  const open = conn.take('OpenDocument');
  assert.deepEqual(open.arg, { docId: 'd1', lastRevision: null });
  open.resolve({ docId: 'd1', revision: 6, text: 'xabcd', ops: [], locked: false, presence: [] });
  await flush();
  assert.equal(doc.text, 'xabcd');
  assert.equal(doc.revision, 6);
  assert.equal(doc.state, 'synchronized');
});

test('a pushed op this client cannot apply resyncs from a snapshot instead of stalling the document', async () => {
  const { conn, doc, events } = await setup({ text: 'hello', revision: 3 });
  // Counts that wrap around a 32-bit sum: once committed by a server that summed them in an int (issue 13).
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(4, [5, -2147483647, -2147483643, 5]), entry(5, [10, '!'])] });
  assert.equal(doc.revision, 3, 'nothing of the unappliable op is applied');
  assert.equal(doc.text, 'hello');
  assert.deepEqual(events.errors.map((e) => e.code), ['client.diverged']);
  const open = conn.take('OpenDocument');
  assert.deepEqual(open.arg, { docId: 'd1', lastRevision: null });
  open.resolve({ docId: 'd1', revision: 5, text: 'hellohello!', ops: [], locked: false, presence: [] });
  await flush();
  assert.equal(doc.revision, 5);
  assert.equal(doc.text, 'hellohello!');
  doc.applyLocal([11, '?']);
  const next = conn.take('SubmitOp');
  assert.deepEqual(next.arg, { docId: 'd1', baseRevision: 5, clientId: doc.clientId, clientSeq: 1, op: [11, '?'] });
});

test('an unappliable op in a catch-up answer resyncs from a snapshot and keeps the local edit', async () => {
  const { conn, doc, timers, events } = await setup({ text: 'abc', revision: 3 });
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(5, [4, '5'])] });
  await timers.runAll();
  doc.applyLocal(['<', 3]);
  conn.take('OpenDocument').resolve({
    docId: 'd1', revision: 5, text: null, ops: [entry(4, [2147483647, 2147483647, 5]), entry(5, [4, '5'])], locked: false, presence: [],
  });
  await flush();
  assert.deepEqual(events.errors.map((e) => e.code), ['client.diverged']);
  assert.equal(doc.text, '<abc');
  const open = conn.take('OpenDocument');
  assert.deepEqual(open.arg, { docId: 'd1', lastRevision: null });
  open.resolve({ docId: 'd1', revision: 5, text: 'abc45', ops: [], locked: false, presence: [] });
  await flush();
  assert.equal(doc.text, '<abc45');
  assert.equal(doc.revision, 5);
  const next = conn.take('SubmitOp');
  assert.deepEqual(next.arg, { docId: 'd1', baseRevision: 5, clientId: doc.clientId, clientSeq: 1, op: ['<', 5] });
});

test('presence: selections moved to the local text; updateSelection maps back to the server revision', async () => {
  const { conn, doc, events } = await setup();
  conn.emit('PresenceChanged', { docId: 'd1', revision: 3, participants: [{ connectionId: 's2', name: 'Ana', selection: { anchor: 5, head: 5 } }, { connectionId: 's3', name: 'Bo', selection: null }] });
  assert.deepEqual(events.presence.at(-1), [
    { connectionId: 's2', name: 'Ana', selection: { anchor: 5, head: 5 } },
    { connectionId: 's3', name: 'Bo', selection: null },
  ]);
  doc.applyLocal(['>>', 5]);
  assert.deepEqual(doc.participants[0].selection, { anchor: 7, head: 7 });
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(4, [5, '!'])] });
  assert.equal(doc.text, '>>hello!');
  assert.deepEqual(doc.participants[0].selection, { anchor: 8, head: 8 }, 'moved through the committed op too');
  doc.updateSelection({ anchor: 2, head: 4 });
  const sent = conn.sent.at(-1);
  assert.equal(sent.method, 'UpdatePresence');
  assert.deepEqual(sent.arg, { docId: 'd1', revision: 4, selection: { anchor: 0, head: 2 } });
  doc.updateSelection(null);
  assert.deepEqual(conn.sent.at(-1).arg, { docId: 'd1', revision: 4, selection: null });
});

test('lock: LockChanged sets locked and applyLocal refuses', async () => {
  const { conn, doc, events } = await setup();
  conn.emit('LockChanged', { docId: 'd1', locked: true, revision: 3 });
  assert.equal(doc.locked, true);
  assert.deepEqual(events.locks, [{ locked: true, rev: 3 }]);
  assert.throws(() => doc.applyLocal([5, '!']), (err) => err instanceof CollabError && err.code === 'document.locked');
  conn.emit('LockChanged', { docId: 'd1', locked: false, revision: 3 });
  assert.equal(doc.applyLocal([5, '!']), 'hello!');
});

test('invalid local ops throw OtError and change nothing', async () => {
  const { conn, doc } = await setup({ text: 'a😀', revision: 1 });
  assert.throws(() => doc.applyLocal([2, 'x', 1]), (err) => err instanceof OtError && err.code === 'op.splits_surrogate_pair');
  assert.throws(() => doc.applyLocal([1]), (err) => err instanceof OtError && err.code === 'op.base_length_mismatch');
  assert.throws(() => doc.applyLocal('nope'), (err) => err.code === 'op.malformed');
  assert.equal(doc.applyLocal([3]), 'a😀', 'a no-op changes nothing and sends nothing');
  assert.equal(doc.text, 'a😀');
  assert.equal(doc.state, 'synchronized');
  assert.equal(conn.pending('SubmitOp').length, 0);
});

test('edits that would compose into an op over the limits are refused, changing nothing', async () => {
  const { conn, doc } = await setup({ text: 'ab', revision: 1, limits: { maxOpInsertLength: 4 } });
  doc.applyLocal([2, 'cd']);
  conn.take('SubmitOp');
  doc.applyLocal([4, 'efg']);
  assert.throws(() => doc.applyLocal([7, 'hi']), (err) => err instanceof OtError && err.code === 'op.too_large');
  assert.throws(() => doc.applyLocal([7, 'hijkl']), { code: 'op.too_large' });
  assert.equal(doc.text, 'abcdefg');
  doc.applyLocal([7, 'h']);
  assert.equal(doc.text, 'abcdefgh');
  assert.equal(doc.state, 'awaitingAckWithBuffer');
});

test('closeDocument invokes CloseDocument and stops handling pushes', async () => {
  const { conn, doc, client } = await setup();
  const closing = client.closeDocument('d1');
  conn.take('CloseDocument').resolve(null);
  await closing;
  assert.equal(doc.closed, true);
  assert.equal(client.documents.size, 0);
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(4, [5, '!'])] });
  assert.equal(doc.text, 'hello');
  assert.throws(() => doc.applyLocal([5, '!']), { code: 'document.closed' });
});

test('clientId is random per DocumentClient; a second open of the same id returns the same client', async () => {
  const { conn, client, doc } = await setup();
  assert.equal(await client.openDocument('d1'), doc);
  const other = client.openDocument('d2');
  await flush();
  conn.take('OpenDocument').resolve({ docId: 'd2', revision: 0, text: '', ops: [], locked: false, presence: [] });
  const d2 = await other;
  assert.notEqual(d2.clientId, doc.clientId);
  assert.match(doc.clientId, /^[0-9a-f-]{16,}$/);
});

test('transformSelection: carets follow affinity, ranges do not grow at their edges', async () => {
  const { doc } = await setup();
  assert.deepEqual(doc.transformSelection({ anchor: 2, head: 2 }, [2, 'xx', 3]), { anchor: 2, head: 2 });
  assert.deepEqual(doc.transformSelection({ anchor: 2, head: 2 }, [2, 'xx', 3], 'after'), { anchor: 4, head: 4 });
  assert.deepEqual(doc.transformSelection({ anchor: 1, head: 3 }, [1, 'a', 2, 'b', 2]), { anchor: 2, head: 4 });
  assert.deepEqual(doc.transformSelection({ anchor: 3, head: 1 }, [1, 'a', 2, 'b', 2]), { anchor: 4, head: 2 });
  assert.deepEqual(doc.transformSelection({ anchor: 1, head: 4 }, [-5]), { anchor: 0, head: 0 });
  assert.equal(doc.transformSelection(null, [5]), null);
});

test('errorCode reads the code of hub errors and nothing else', () => {
  assert.equal(errorCode(hubError('op.too_large', 'x')), 'op.too_large');
  assert.equal(errorCode(new Error('server.unavailable: Document is reloading; try again.')), 'server.unavailable');
  assert.equal(errorCode(new Error('Invocation canceled due to the underlying connection being closed.')), null);
  assert.equal(errorCode(new Error("An unexpected error occurred invoking 'SubmitOp' on the server.")), null);
  assert.equal(errorCode({ code: 'document.locked', message: 'x' }), 'document.locked');
  assert.equal(errorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' })), null);
  assert.equal(errorCode(null), null);
});

test('diffOp turns one text into another without cutting a pair', () => {
  for (const [a, b] of [['', ''], ['abc', 'abc'], ['abc', ''], ['', 'xyz'], ['a😀b', 'a😃b'], ['😀', '😀😀'], ['héllo', 'hello'], ['abcabc', 'abc']]) {
    const op = diffOp(a, b);
    assert.equal(apply(a, op), b);
  }
  assert.deepEqual(diffOp('a😀b', 'a😃b'), [1, '😃', -2, 1]);
});

test('the access the server answers is kept, and AccessChanged reopens and tells the page the new one', async () => {
  const accesses = [];
  const { conn, doc } = await setup({ handlers: { onAccessChanged: (a) => accesses.push(a) } });
  assert.deepEqual(doc.access, { mode: 'edit', reason: null, phase: null }); // the open answered no access: edit
  conn.emit('AccessChanged', { docId: 'd1', revision: 3 });
  await flush();
  const reopen = conn.take('OpenDocument');
  assert.deepEqual(reopen.arg, { docId: 'd1', lastRevision: 3 });
  reopen.resolve({ docId: 'd1', revision: 3, text: null, ops: [], locked: false, presence: [], access: { mode: 'suggest', reason: 'phase', phase: 'review' } });
  await flush();
  assert.deepEqual(doc.access, { mode: 'suggest', reason: 'phase', phase: 'review' });
  assert.deepEqual(accesses, [{ mode: 'suggest', reason: 'phase', phase: 'review' }]);
  conn.emit('AccessChanged', { docId: 'other', revision: 1 });
  await flush();
  assert.equal(conn.pending('OpenDocument').length, 0, 'another document changed: nothing to reopen');
});

test('a range read at an older revision moves to the local text through committed ops and unsent edits', async () => {
  const { conn, doc } = await setup({ text: 'Mixed patrols. Local radio.', revision: 3 });
  conn.emit('OpsCommitted', { docId: 'd1', ops: [entry(4, ['1. ', 27])] });
  await flush();
  doc.applyLocal([3, 'Joint ', 27]);
  // "Local radio" at revision 3 is [15, 26); "1. " and "Joint " were inserted before it since.
  assert.deepEqual(doc.rangeFromRevision({ start: 15, end: 26 }, 3), { start: 24, end: 35 });
  assert.equal(doc.text.slice(24, 35), 'Local radio');
  assert.deepEqual(doc.rangeFromRevision({ start: 18, end: 29 }, 4), { start: 24, end: 35 });
  assert.equal(doc.rangeFromRevision({ start: 0, end: 1 }, 9), null, 'a revision this client has not applied yet');
});

