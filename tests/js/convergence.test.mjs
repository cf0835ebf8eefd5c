// Convergence: 5-20 DocumentClients edit one document through fake SignalR connections to an in-test sequencer
// (built on ot.js like the real grain: transform the incoming op against everything committed since its base
// revision, commit, push to everyone, answer duplicates by (clientId, clientSeq) with the original ack). Every
// message gets a random delay (so pushes, acks and answers arrive reordered), connections drop and come back
// (losing messages in flight, forcing resubmissions and duplicate ack + push), the server sometimes answers a
// reopen with a snapshot, fails with server.unavailable or rejects an op. All in virtual time, seeded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CollabClient } from '../../src/Web/wwwroot/js/collab-client.js';
import { apply, transform } from '../../src/Web/wwwroot/js/ot.js';
import { FakeHubConnection, flush, mulberry32 } from './support.mjs';


const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const hubError = (method, code, text) =>
  new Error(`An unexpected error occurred invoking '${method}' on the server. HubException: ${code}: ${text}`);

/** Virtual time: events run in (time, order) order; promise chains settle between events. */
class Sim {
  constructor() {
    this.now = 0;
    this.queue = [];
    this.n = 0;
    this.steps = 0;
  }
  at(delay, fn) {
    const ev = { t: this.now + Math.max(0, delay), n: this.n++, fn, cancelled: false };
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.queue[mid];
      if (q.t < ev.t || (q.t === ev.t && q.n < ev.n)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, ev);
    return ev;
  }
  setTimeout = (fn, ms) => this.at(ms ?? 0, fn);
  clearTimeout = (ev) => {
    if (ev) ev.cancelled = true;
  };
  async run(maxSteps = 400000) {
    await flush();
    while (this.queue.length > 0) {
      if (++this.steps > maxSteps) throw new Error(`simulation did not settle after ${maxSteps} events`);
      const ev = this.queue.shift();
      this.now = ev.t;
      if (ev.cancelled) continue;
      ev.fn();
      await flush();
    }
  }
}

class SimServer {
  constructor(sim, rnd, opts) {
    this.sim = sim;
    this.rnd = rnd;
    this.opts = opts;
    this.docs = new Map();
    this.links = 0;
    this.rejected = new Map(); // clientId -> Set of rejected seqs
    this.received = new Map(); // clientId -> Set of seqs that reached the server
    this.stats = { catchUps: 0, reopenSnapshots: 0, duplicates: 0, unavailable: 0, rejected: 0, commits: 0, staleBase: 0 };
  }
  doc(id) {
    if (!this.docs.has(id)) this.docs.set(id, { text: this.opts.initialText, revision: 0, log: [], clients: new Map(), members: new Set() });
    return this.docs.get(id);
  }
  connect(conn) {
    return { conn, alive: true, id: ++this.links };
  }
  disconnect(link) {
    link.alive = false;
    for (const d of this.docs.values()) d.members.delete(link);
  }
  handle(link, method, arg) {
    const d = this.doc(arg.docId);
    switch (method) {
      case 'OpenDocument': {
        d.members.add(link);
        const last = arg.lastRevision;
        if (last == null || last < 0 || last > d.revision || this.rnd() < this.opts.snapshotRate) {
          if (last != null) this.stats.reopenSnapshots++;
          return { docId: arg.docId, revision: d.revision, text: d.text, ops: [], locked: false, presence: [] };
        }
        this.stats.catchUps++;
        return { docId: arg.docId, revision: d.revision, text: null, ops: d.log.slice(last), locked: false, presence: [] };
      }
      case 'SubmitOp': {
        if (!this.received.has(arg.clientId)) this.received.set(arg.clientId, new Set());
        this.received.get(arg.clientId).add(arg.clientSeq);
        const mark = d.clients.get(arg.clientId);
        if (mark && arg.clientSeq <= mark.lastSeq) {
          const ack = mark.acks.get(arg.clientSeq);
          this.stats.duplicates++;
          if (ack) return ack;
          throw hubError(method, 'op.sequence_reused', `sequence ${arg.clientSeq} already used`);
        }
        if (this.rnd() < this.opts.unavailableRate && ++this.stats.unavailable) throw hubError(method, 'server.unavailable', 'reloading; try again');
        if (this.rnd() < this.opts.rejectRate) {
          if (!this.rejected.has(arg.clientId)) this.rejected.set(arg.clientId, new Set());
          this.rejected.get(arg.clientId).add(arg.clientSeq);
          this.stats.rejected++;
          throw hubError(method, 'test.rejected', 'refused by the test server');
        }
        if (arg.baseRevision < 0 || arg.baseRevision > d.revision) throw hubError(method, 'revision.in_future', 'no such revision');
        let op = arg.op;
        if (arg.baseRevision < d.revision) this.stats.staleBase++;
        this.stats.commits++;
        for (const e of d.log.slice(arg.baseRevision)) op = transform(op, e.op)[0];
        let text;
        try {
          text = apply(d.text, op);
        } catch (err) {
          throw hubError(method, err.code ?? 'op.malformed', err.message);
        }
        d.text = text;
        d.revision++;
        const entry = { revision: d.revision, op, clientId: arg.clientId, clientSeq: arg.clientSeq, author: 'someone', committedAt: this.sim.now };
        d.log.push(entry);
        const m = d.clients.get(arg.clientId) ?? { lastSeq: 0, acks: new Map() };
        m.lastSeq = arg.clientSeq;
        m.acks.set(arg.clientSeq, { revision: d.revision, op });
        d.clients.set(arg.clientId, m);
        for (const member of d.members) member.conn.push(member, 'OpsCommitted', { docId: arg.docId, ops: [entry] });
        return { revision: d.revision, op };
      }
      case 'CloseDocument':
        d.members.delete(link);
        return null;
      case 'UpdatePresence':
        for (const member of d.members) {
          member.conn.push(member, 'PresenceChanged', {
            docId: arg.docId,
            revision: arg.revision,
            participants: [{ sessionId: String(link.id), name: 'x', selection: arg.selection }],
          });
        }
        return null;
      default:
        throw hubError(method, 'hub.unknown_method', method);
    }
  }
}

/** A HubConnection look-alike whose every message takes a random time (so they overtake each other). */
class SimConnection extends FakeHubConnection {
  constructor(sim, server, rnd, net) {
    super();
    this.sim = sim;
    this.server = server;
    this.rnd = rnd;
    this.net = net;
    this.state = 'Disconnected';
    this.link = null;
    this.calls = new Set();
    this.drops = 0;
  }
  delay() {
    return this.net.min + this.rnd() * this.net.jitter;
  }
  start() {
    if (this.state !== 'Disconnected') return Promise.reject(new Error("Cannot start a HubConnection that is not in the 'Disconnected' state."));
    this.state = 'Connecting';
    return new Promise((resolve) => {
      this.sim.at(this.delay(), () => {
        this.state = 'Connected';
        this.link = this.server.connect(this);
        resolve();
      });
    });
  }
  invoke(method, arg) {
    if (this.state !== 'Connected') return Promise.reject(new Error("Cannot send data if the connection is not in the 'Connected' State."));
    const link = this.link;
    const payload = clone(arg);
    return new Promise((resolve, reject) => {
      const call = { resolve, reject };
      this.calls.add(call);
      this.sim.at(this.delay(), () => {
        if (!link.alive) return; // lost on the way; drop() rejects the call
        let result;
        let error = null;
        try {
          result = clone(this.server.handle(link, method, payload));
        } catch (err) {
          error = err;
        }
        this.sim.at(this.delay(), () => {
          if (!link.alive || !this.calls.has(call)) return; // the answer is lost with the connection
          this.calls.delete(call);
          if (error) reject(error);
          else resolve(result);
        });
      });
    });
  }
  send(method, arg) {
    if (this.state !== 'Connected') return Promise.reject(new Error('not connected'));
    const link = this.link;
    const payload = clone(arg);
    this.sim.at(this.delay(), () => {
      if (link.alive) this.server.handle(link, method, payload);
    });
    return Promise.resolve();
  }
  push(link, name, payload) {
    const wire = clone(payload);
    this.sim.at(this.delay(), () => {
      if (this.link !== link || !link.alive) return;
      for (const fn of this.handlers.get(name) ?? []) fn(clone(wire));
    });
  }
  /** Loses the connection: in-flight messages are lost, calls fail; SignalR then reconnects, or closes for good. */
  drop(mode, downFor) {
    if (this.state !== 'Connected') return;
    this.drops = (this.drops ?? 0) + 1;
    this.server.disconnect(this.link);
    this.link = null;
    const calls = [...this.calls];
    this.calls.clear();
    for (const c of calls) c.reject(new Error('Invocation canceled due to the underlying connection being closed.'));
    const err = new Error('WebSocket closed with status code: 1006.');
    if (mode === 'reconnect') {
      this.state = 'Reconnecting';
      for (const fn of this.cbs.reconnecting) fn(err);
      this.sim.at(downFor, () => {
        this.state = 'Connected';
        this.link = this.server.connect(this);
        for (const fn of this.cbs.reconnected) fn('id-' + this.link.id);
      });
    } else {
      this.state = 'Disconnected';
      for (const fn of this.cbs.close) fn(err);
    }
  }
}

const ATOMS = ['a', 'b', 'c', ' ', '\n', 'é', 'e\u0301', 'ç', '😀', '🎉', '👩\u200D💻', '🇫🇷', '你', '好', '𠮷', 'Ω'];

function randomOp(rnd, text) {
  const stops = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) i++;
    stops.push(i + 1);
  }
  const pick = () => stops[Math.floor(rnd() * stops.length)];
  const word = () => {
    let s = '';
    const n = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) s += ATOMS[Math.floor(rnd() * ATOMS.length)];
    return s;
  };
  const r = rnd();
  if (r < 0.55 || text.length === 0) {
    const p = pick();
    return [p, word(), text.length - p].filter((c) => c !== 0);
  }
  let x = pick();
  let y = pick();
  if (x > y) [x, y] = [y, x];
  if (x === y) return [x, word(), text.length - x].filter((c) => c !== 0);
  if (r < 0.85) return [x, -(y - x), text.length - y].filter((c) => c !== 0);
  return [x, word(), -(y - x), text.length - y].filter((c) => c !== 0);
}

async function scenario(seed) {
  const rnd = mulberry32(seed);
  const sim = new Sim();
  const opts = {
    initialText: 'Bonjour à tous 👋 — 会议记录\n',
    snapshotRate: [0, 0.15, 0.4][seed % 3],
    unavailableRate: seed % 2 === 0 ? 0.05 : 0,
    rejectRate: seed % 4 === 1 ? 0.04 : 0,
  };
  const server = new SimServer(sim, rnd, opts);
  const nClients = 5 + Math.floor(rnd() * 16);
  const net = { min: 1, jitter: 5 + rnd() * 40 };
  const clients = [];
  for (let i = 0; i < nClients; i++) {
    const conn = new SimConnection(sim, server, rnd, net);
    const client = new CollabClient(conn, {
      setTimeout: sim.setTimeout,
      clearTimeout: sim.clearTimeout,
      gapDelay: 2 + rnd() * 30,
      retryDelays: [5, 20, 60],
    });
    const c = { conn, client, doc: null, errors: [], edits: 0 };
    clients.push(c);
    // Open the way an application would: if the connection drops under the first open, try again a bit later.
    const open = () => {
      client
        .start()
        .then(() => client.openDocument('notes', { onError: (code, message) => c.errors.push({ code, message }) }))
        .then(
          (doc) => {
            c.doc = doc;
          },
          () => sim.at(50, open),
        );
    };
    sim.at(rnd() * 50, open);
  }
  const horizon = 1500;
  for (const c of clients) {
    const edits = 6 + Math.floor(rnd() * 14);
    for (let k = 0; k < edits; k++) {
      sim.at(60 + rnd() * horizon, () => {
        if (!c.doc) return;
        const op = randomOp(rnd, c.doc.text);
        c.doc.applyLocal(op);
        c.edits++;
        if (rnd() < 0.2) c.doc.updateSelection({ anchor: 0, head: Math.min(1, c.doc.text.length) });
      });
    }
    const drops = Math.floor(rnd() * 3);
    for (let k = 0; k < drops; k++) {
      sim.at(60 + rnd() * horizon, () => c.conn.drop(rnd() < 0.75 ? 'reconnect' : 'close', 5 + rnd() * 150));
    }
  }
  await sim.run();

  const d = server.doc('notes');
  for (const [i, c] of clients.entries()) {
    const where = `seed ${seed}, client ${i}/${nClients}`;
    assert.ok(c.doc, `${where}: never opened`);
    assert.equal(c.client.connected, true, `${where}: not reconnected`);
    assert.equal(c.doc.hasUnsyncedChanges, false, `${where}: unsynced changes left (${c.doc.state})`);
    assert.equal(c.doc.state, 'synchronized', where);
    assert.equal(c.doc.revision, d.revision, `${where}: revision`);
    assert.equal(c.doc.text, d.text, `${where}: text`);
    for (const e of c.errors) assert.equal(e.code, 'test.rejected', `${where}: unexpected error ${e.code}: ${e.message}`);
    // Exactly once: every seq that reached the server was committed once or rejected, and nothing else.
    const committed = d.log.filter((e) => e.clientId === c.doc.clientId).map((e) => e.clientSeq);
    assert.equal(new Set(committed).size, committed.length, `${where}: an op was committed twice`);
    assert.deepEqual(committed, [...committed].sort((x, y) => x - y), `${where}: seqs out of order`);
    const rejected = server.rejected.get(c.doc.clientId) ?? new Set();
    const received = server.received.get(c.doc.clientId) ?? new Set();
    assert.equal(received.size, committed.length + rejected.size, `${where}: a submitted op was lost`);
    assert.equal(c.errors.length, rejected.size, `${where}: rejections reported`);
  }
  return { nClients, revision: d.revision, steps: sim.steps, stats: server.stats, drops: clients.reduce((n, c) => n + c.conn.drops, 0) };
}

test('5-20 clients converge under reordering, reconnects, snapshots, unavailability and rejections', async (t) => {
  const total = { clients: 0, commits: 0, drops: 0, catchUps: 0, reopenSnapshots: 0, duplicates: 0, unavailable: 0, rejected: 0, staleBase: 0 };
  for (let seed = 1; seed <= 24; seed++) {
    await t.test(`seed ${seed}`, async () => {
      const r = await scenario(seed);
      assert.ok(r.revision > 0);
      total.clients += r.nClients;
      total.drops += r.drops;
      for (const k of Object.keys(r.stats)) total[k] += r.stats[k];
    });
  }
  t.diagnostic(JSON.stringify(total));
  // The scenarios really went through every path they are meant to exercise.
  for (const k of Object.keys(total)) assert.ok(total[k] > 0, `no ${k} happened in any scenario`);
});
