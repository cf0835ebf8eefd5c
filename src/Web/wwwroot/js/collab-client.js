// Client side of Collab's server-sequenced OT over SignalR (hub /hubs/collab, JSON or MessagePack hub protocol: the
// same camelCase messages in both).
//
//   // token: from POST /api/join (or POST /api/workshops for the creator)
//   const connection = new signalR.HubConnectionBuilder()
//     .withUrl('/hubs/collab', { accessTokenFactory: () => token }).withAutomaticReconnect().build();
//   const collab = new CollabClient(connection);
//   await collab.start();
//   const doc = await collab.openDocument(docId, { onChange: (text, op, meta) => render(text) });
//   doc.applyLocal([5, 'Bénin', -3, 2]);
//
// The SignalR library is injected: anything with invoke, send, on, onreconnecting, onreconnected, onclose, start and
// state works (tests use a fake). The OT rules are those of docs/ot-spec.md, implemented by ./ot.js.
//
// One DocumentClient per open document. Its text is the server's text at `revision` plus the local changes not yet
// committed: at most one `outstanding` op (sent, awaiting its ack; or not sent yet while offline) and one `buffer`
// (composed local edits made while awaiting). Committed ops arrive by revision (pushes, acks, catch-up answers) and
// are applied strictly in order: older or equal revisions are duplicates, a gap waits briefly and then catches up
// with OpenDocument(lastRevision). The client's own op is recognised among them by clientId + clientSeq, which makes
// resubmission after a reconnect exactly-once: the server answers a known (clientId, clientSeq) with its original ack.

import { apply, compose, transform, invert, transformPosition, normalize, isNoop, OtError, DEFAULT_LIMITS } from './ot.js';
import { readPending } from './unsent.js';

const UNLIMITED = Object.freeze({ maxOpInsertLength: Infinity, maxOpComponents: Infinity, maxDocumentLength: Infinity });
const HISTORY_KEPT = 200;

/** An error of the collaboration layer with a stable `code` (the server's codes, or `document.*` / `client.*`). */
export class CollabError extends Error {
  constructor(code, message) {
    super(message ? `${code}: ${message}` : code);
    this.name = 'CollabError';
    this.code = code;
  }
}

const CODE_PATTERN = /(?:^|HubException:\s*)([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+):\s?/;

/**
 * The stable code of an error thrown by a hub invocation: the server's HubException message is "<code>: <text>",
 * which the SignalR client may prefix ("An unexpected error occurred invoking 'X' on the server. HubException: ").
 * Null when there is none (a transport failure, e.g. the connection closed under the call).
 */
export function errorCode(err) {
  if (err == null) return null;
  if (typeof err.code === 'string' && /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(err.code)) return err.code;
  const m = CODE_PATTERN.exec(String(err.message ?? err));
  return m ? m[1] : null;
}

function errorText(err) {
  const message = String(err?.message ?? err ?? '');
  const m = CODE_PATTERN.exec(message);
  return m ? message.slice(m.index + m[0].length) : message;
}

/**
 * `server.unavailable` and transport failures (no code) mean: reopen, then try again. So does the hub's
 * `rate.limited` ("slow down and resend"): nothing was applied, and dropping the edit would lose it.
 * Anything else rejects the op.
 */
function isRetryable(code) {
  return code == null || code === 'server.unavailable' || code === 'rate.limited';
}

function randomId() {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function isHigh(code) {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLow(code) {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** An op turning `a` into `b`: one replaced range between the common prefix and suffix, never inside a pair. */
export function diffOp(a, b) {
  if (a === b) return a.length > 0 ? [a.length] : [];
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p > 0 && isHigh(a.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  if (s > 0 && isLow(a.charCodeAt(a.length - s))) s--;
  const op = [];
  if (p > 0) op.push(p);
  if (b.length - s > p) op.push(b.slice(p, b.length - s));
  if (a.length - s > p) op.push(-(a.length - s - p));
  if (s > 0) op.push(s);
  return normalize(op);
}

/** The server refuses an op over the limits: never build one by composing local edits. */
function checkSendable(op, limits) {
  let inserted = 0;
  for (const c of op) if (typeof c === 'string') inserted += c.length;
  if (op.length > limits.maxOpComponents || inserted > limits.maxOpInsertLength) {
    throw new OtError('op.too_large', 'this edit would make the changes waiting to be sent larger than one operation may be; wait until they are sent');
  }
}

const EDIT = Object.freeze({ mode: 'edit', reason: null, phase: null });

/** An `access` as the server sent it (OpenDocument's answer), or edit when it sent none. */
function readAccess(access) {
  if (!access || typeof access !== 'object' || !['edit', 'suggest', 'read'].includes(access.mode)) return EDIT;
  return Object.freeze({ mode: access.mode, reason: access.reason ?? null, phase: access.phase ?? null });
}

/**
 * The code the server refuses an op with for this `access` (null when it edits): what the client answers a local edit
 * with before sending it. docs/protocol.md, "Access to a document".
 */
export function accessRefusalCode(access) {
  const a = readAccess(access);
  if (a.mode === 'edit') return null;
  switch (a.reason) {
    case 'observer':
      return 'document.read_only';
    case 'not_a_member':
      return 'document.not_a_member';
    case 'locked':
      return 'document.locked';
    default:
      if (a.mode === 'suggest') return 'document.suggest_only';
      return a.reason === 'status' ? 'document.status_locked' : 'document.phase_read_only';
  }
}

function sameOp(x, y) {
  return JSON.stringify(normalize(x)) === JSON.stringify(normalize(y));
}

/** Moves a selection through an op: a caret with `affinity`; a range never grows at its edges. */
function moveSelection(selection, op, affinity) {
  if (!selection) return selection ?? null;
  const { anchor, head } = selection;
  if (anchor === head) {
    const p = transformPosition(anchor, op, affinity);
    return { anchor: p, head: p };
  }
  const forward = anchor < head;
  const start = transformPosition(forward ? anchor : head, op, 'after');
  const end = Math.max(start, transformPosition(forward ? head : anchor, op, 'before'));
  return forward ? { anchor: start, head: end } : { anchor: end, head: start };
}

/**
 * Wraps a SignalR HubConnection (injected) and multiplexes open documents over it. Options: `setTimeout` /
 * `clearTimeout` (timers, injectable for tests), `retryDelays` (ms, backoff for reopen and resubmit after
 * `server.unavailable` or a transport failure), `gapDelay` (ms to wait for a missing revision before catching up),
 * `restartOnClose` (start the connection again after it closed for good; default true), `clientIdFactory`,
 * `limits` (the server's op and document limits, ot.js DEFAULT_LIMITS by default), `pendingStore` (keeps each
 * document's unsent edits across page reloads: `{ load(docId), save(docId, state | null) }`, see unsent.js).
 */
export class CollabClient {
  constructor(connection, options = {}) {
    if (!connection || typeof connection.invoke !== 'function') throw new TypeError('CollabClient needs a SignalR connection');
    this.connection = connection;
    this.options = options;
    this._setTimeout = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    this._clearTimeout = options.clearTimeout ?? ((t) => globalThis.clearTimeout(t));
    // A silo that dies takes a few seconds to be replaced (README, "What a node failure costs a participant"): retry
    // quickly at first so that an edit waits about that long, then back off.
    this.retryDelays = options.retryDelays ?? [250, 500, 1000, 2000, 5000];
    this.gapDelay = options.gapDelay ?? 300;
    this.restartOnClose = options.restartOnClose ?? true;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.onConnectionChanged = options.onConnectionChanged ?? null;
    this.pendingStore = options.pendingStore ?? null;
    this._docs = new Map();
    this._gen = 0;
    this._connected = connection.state === 'Connected';
    this._stopped = false;
    this._restartTimer = null;
    this._restartAttempt = 0;
    this._connectWaiters = [];

    connection.on('OpsCommitted', (m) => this._docs.get(m?.docId)?._onOpsCommitted(m.ops));
    connection.on('PresenceChanged', (m) => this._docs.get(m?.docId)?._onPresenceChanged(m));
    connection.on('LockChanged', (m) => this._docs.get(m?.docId)?._onLockChanged(m));
    // What the caller may do with the document changed (a phase, a status, a lock): reopening answers the new access.
    connection.on('AccessChanged', (m) => this._docs.get(m?.docId)?._onAccessChanged(m));
    connection.onreconnecting(() => this._setDisconnected());
    connection.onreconnected(() => this._setConnected());
    connection.onclose(() => {
      this._setDisconnected();
      if (this.restartOnClose && !this._stopped) this._scheduleRestart();
    });
  }

  /** True while the hub connection is up. */
  get connected() {
    return this._connected;
  }

  /** Open documents by id. */
  get documents() {
    return this._docs;
  }

  /** Starts the connection if it is stopped; waits for it while it is (re)connecting. */
  async start() {
    this._stopped = false;
    const state = this.connection.state;
    if (state === 'Disconnected' || state == null) {
      await this.connection.start();
    } else if (state !== 'Connected') {
      await new Promise((resolve) => this._connectWaiters.push(resolve));
    }
    if (!this._connected && this.connection.state === 'Connected') this._setConnected();
  }

  /** Closes every document and stops the connection. */
  async stop() {
    this._stopped = true;
    if (this._restartTimer != null) this._clearTimeout(this._restartTimer);
    this._restartTimer = null;
    await Promise.all([...this._docs.keys()].map((id) => this.closeDocument(id)));
    if (typeof this.connection.stop === 'function') await this.connection.stop();
  }

  /**
   * Opens a document (or returns the one already open). `handlers`: onChange(text, op, meta), onPresence(participants),
   * onUnsyncedChanged(bool), onError(code, message, detail), onLockChanged(locked, revision), onAccessChanged(access);
   * `clientId` to choose the id. `access` is `{ mode: 'edit' | 'suggest' | 'read', reason, phase }` (docs/protocol.md);
   * a refused op's `detail` is `{ op, base }`: the op and the server text it applied to, so that what was typed can be
   * shown and offered as a suggestion.
   */
  async openDocument(docId, handlers = {}) {
    const existing = this._docs.get(docId);
    if (existing) return existing._opened;
    if (!this._connected) {
      await this.start();
      const opened = this._docs.get(docId);
      if (opened) return opened._opened;
    }
    const doc = new DocumentClient(this, docId, handlers);
    this._docs.set(docId, doc);
    doc._opened = doc._open().then(
      () => doc,
      (err) => {
        if (this._docs.get(docId) === doc) this._docs.delete(docId);
        doc._dispose();
        throw err;
      },
    );
    return doc._opened;
  }

  /** Stops following a document. Local changes not yet committed are abandoned. */
  async closeDocument(docId) {
    const doc = this._docs.get(docId);
    if (!doc) return;
    this._docs.delete(docId);
    doc._dispose();
    if (this._connected) {
      try {
        await this._invoke('CloseDocument', { docId });
      } catch {
        // The server forgets the session with the connection anyway.
      }
    }
  }

  _invoke(method, arg) {
    if (!this._connected) return Promise.reject(new Error(`Cannot invoke '${method}': not connected.`));
    try {
      return Promise.resolve(this.connection.invoke(method, arg));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  _send(method, arg) {
    if (!this._connected) return;
    try {
      Promise.resolve(this.connection.send(method, arg)).catch(() => {});
    } catch {
      // Presence is best effort.
    }
  }

  _timer(fn, ms) {
    return this._setTimeout(fn, ms);
  }

  _cancel(t) {
    if (t != null) this._clearTimeout(t);
  }

  _setDisconnected() {
    if (!this._connected) return;
    this._connected = false;
    this._gen++;
    for (const doc of this._docs.values()) doc._onDisconnected();
    this.onConnectionChanged?.(false);
  }

  _setConnected() {
    this._connected = true;
    this._gen++;
    this._restartAttempt = 0;
    for (const doc of this._docs.values()) doc._onReconnected();
    const waiters = this._connectWaiters;
    this._connectWaiters = [];
    for (const w of waiters) w();
    this.onConnectionChanged?.(true);
  }

  _scheduleRestart() {
    if (this._restartTimer != null) return;
    const delays = this.retryDelays;
    const delay = delays[Math.min(this._restartAttempt, delays.length - 1)] ?? 1000;
    this._restartAttempt++;
    this._restartTimer = this._timer(async () => {
      this._restartTimer = null;
      if (this._stopped || this._connected) return;
      try {
        if (this.connection.state === 'Disconnected') await this.connection.start();
        if (this.connection.state === 'Connected') this._setConnected();
      } catch {
        this._scheduleRestart();
      }
    }, delay);
  }
}

/**
 * One open document. States: "synchronized" (nothing pending), "awaitingAck" (one op outstanding),
 * "awaitingAckWithBuffer" (one op outstanding and local edits composed behind it).
 */
export class DocumentClient {
  constructor(client, docId, handlers = {}) {
    this.client = client;
    this.docId = docId;
    /** Random per DocumentClient; kept across reconnects so that resubmissions are recognised. */
    this.clientId = handlers.clientId ?? client.options.clientIdFactory?.() ?? randomId();
    /** Local text: the server's text at `revision` plus local changes not yet committed. */
    this.text = '';
    /** Last server revision applied (null until opened). */
    this.revision = null;
    this.locked = false;
    /** What this participant may do with the document now (updated when the server says it changed). */
    this.access = EDIT;
    this.onChange = handlers.onChange ?? null;
    this.onPresence = handlers.onPresence ?? null;
    this.onUnsyncedChanged = handlers.onUnsyncedChanged ?? null;
    this.onError = handlers.onError ?? null;
    this.onLockChanged = handlers.onLockChanged ?? null;
    this.onAccessChanged = handlers.onAccessChanged ?? null;

    this._serverText = '';
    this._outstanding = null; // { op, seq (null until first sent), sent }
    this._buffer = null;
    this._nextSeq = 1;
    this._pending = new Map(); // revision -> committed entry not applied yet
    this._inFlight = null; // { seq, gen } of the SubmitOp invocation under way
    this._resolved = null; // 'committed' | 'rejected': the outstanding op's fate, learned outside the op stream
    this._syncing = false;
    this._syncAgain = false;
    this._wantSnapshot = false;
    this._retryTimer = null;
    this._gapTimer = null;
    this._attempt = 0;
    this._history = []; // recent committed entries, to move presence selections
    this._presence = null; // { revision, participants } as received
    this._selection = undefined; // last local selection given to updateSelection
    this._selectionDirty = false;
    this._unsynced = false;
    this._waiters = [];
    this._closed = false;
    this._opened = null;
  }

  get state() {
    if (!this._outstanding) return 'synchronized';
    return this._buffer ? 'awaitingAckWithBuffer' : 'awaitingAck';
  }

  /** True while any local change is not yet committed (outstanding, buffered or not sent yet). */
  get hasUnsyncedChanges() {
    return this._outstanding != null || this._buffer != null;
  }

  get closed() {
    return this._closed;
  }

  /** Resolves when every local change has been committed. */
  whenSynced() {
    if (!this.hasUnsyncedChanges) return Promise.resolve();
    return new Promise((resolve) => this._waiters.push(resolve));
  }

  /**
   * Applies a local edit (an op on the current `text`) and queues it for the server; returns the new text.
   * Throws (changing nothing) the engine's OtError for an invalid op, also `op.too_large` when the edits waiting
   * to be sent would compose into an op over the limits, and CollabError `document.locked` / `document.closed`.
   */
  applyLocal(op) {
    if (this._closed) throw new CollabError('document.closed', `Document '${this.docId}' is closed.`);
    if (this.locked) throw new CollabError('document.locked', `Document '${this.docId}' is locked; it accepts no edits.`);
    const refused = accessRefusalCode(this.access);
    if (refused) throw new CollabError(refused, `Document '${this.docId}' accepts no edits from you now.`);
    const limits = this.client.limits;
    const next = apply(this.text, op, limits);
    const n = normalize(op);
    if (isNoop(n)) return this.text;
    const o = this._outstanding;
    if (!o) {
      this._outstanding = { op: n, seq: null, sent: false };
    } else if (!o.sent && !this._buffer) {
      const composed = compose(o.op, n);
      checkSendable(composed, limits);
      o.op = composed;
    } else {
      const composed = this._buffer ? compose(this._buffer, n) : n;
      checkSendable(composed, limits);
      this._buffer = composed;
    }
    this.text = next;
    this._unsyncedChanged();
    this._trySend();
    return next;
  }

  /** Moves a selection of the current text through `op` (a caret with `affinity`; a range does not grow). */
  transformSelection(selection, op, affinity = 'before') {
    return moveSelection(selection, op, affinity);
  }

  /**
   * Moves a range `{ start, end }` of the server's text at `revision` (e.g. an anchor read over HTTP) to the current
   * local text: through the committed ops since, then the local changes not yet committed. Null when this client does
   * not hold every op since `revision` (too old, or not applied yet). Insertions at either edge stay outside.
   */
  rangeFromRevision(range, revision) {
    if (!range || this.revision == null || revision > this.revision) return null;
    let ops = [];
    if (revision < this.revision) {
      const first = this._history.length > 0 ? this._history[0].revision : Infinity;
      if (first > revision + 1) return null;
      ops = this._history.filter((e) => e.revision > revision).map((e) => e.op);
    }
    const local = this._localPending();
    if (local) ops.push(local);
    let sel = { anchor: range.start, head: range.end };
    for (const op of ops) sel = moveSelection(sel, op, 'before');
    return { start: Math.min(sel.anchor, sel.head), end: Math.max(sel.anchor, sel.head) };
  }

  /** Others' presence, with selections moved to the current local text. */
  get participants() {
    const p = this._presence;
    if (!p) return [];
    let ops = [];
    let movable = this.revision != null && p.revision <= this.revision;
    if (movable && p.revision < this.revision) {
      const first = this._history.length > 0 ? this._history[0].revision : Infinity;
      if (first > p.revision + 1) movable = false;
      else ops = this._history.filter((e) => e.revision > p.revision).map((e) => e.op);
    }
    const local = this._localPending();
    if (local) ops.push(local);
    return p.participants.map((participant) => {
      let sel = participant.selection ?? null;
      if (sel) {
        if (movable) for (const op of ops) sel = moveSelection(sel, op, 'after');
        const clamp = (x) => Math.max(0, Math.min(this.text.length, x));
        sel = { anchor: clamp(sel.anchor), head: clamp(sel.head) };
      }
      return { ...participant, selection: sel };
    });
  }

  /** Tells the others where this user's selection is (in the current local text), or null. */
  updateSelection(selection) {
    this._selection = selection ?? null;
    this._selectionDirty = true;
    this._flushSelection();
  }

  /** Stops following the document (see CollabClient.closeDocument). */
  close() {
    return this.client.closeDocument(this.docId);
  }

  // ------------------------------------------------------------------ internals

  _localPending() {
    const o = this._outstanding?.op ?? null;
    if (o && this._buffer) return compose(o, this._buffer);
    return o ?? this._buffer;
  }

  /**
   * What a reload needs to send the local changes exactly once (unsent.js): null when there are none. An outstanding
   * op with a `seq` may have reached the server; it is resubmitted under that seq, never composed with later typing.
   */
  pendingState() {
    if (!this.hasUnsyncedChanges || this.revision == null) return null;
    const o = this._outstanding;
    return {
      v: 1,
      clientId: this.clientId,
      nextSeq: this._nextSeq,
      revision: this.revision,
      base: this._serverText,
      outstanding: o ? { op: o.op, seq: o.seq } : null,
      buffer: this._buffer,
    };
  }

  _savePending() {
    const store = this.client.pendingStore;
    if (!store || this._closed || this.revision == null) return;
    const state = this.pendingState();
    if (!state && !this._stored) return;
    try {
      store.save(this.docId, state);
      this._stored = state != null;
    } catch (err) {
      // Storage full or refused: the edits still live in this page; report it, keep editing.
      this._emitError('client.storage', String(err?.message ?? err));
    }
  }

  /** Takes back the unsent changes a previous page stored (see pendingState), as if this page had made them. */
  _restore(saved) {
    const base = saved.base;
    const o = saved.outstanding;
    const buffer = saved.buffer;
    let text = base;
    if (o) text = apply(text, o.op, UNLIMITED);
    if (buffer) text = apply(text, buffer, UNLIMITED);
    this.clientId = saved.clientId;
    this._nextSeq = saved.nextSeq;
    this._serverText = base;
    this.revision = saved.revision;
    this._outstanding = o ? { op: o.op, seq: o.seq, sent: o.seq != null } : buffer ? { op: buffer, seq: null, sent: false } : null;
    this._buffer = o ? buffer : null;
    this.text = text;
    this._stored = true;
  }

  async _open() {
    const saved = this._loadPending();
    if (saved) {
      await this._openRestored(saved);
      return;
    }
    this._syncing = true;
    try {
      const resp = await this.client._invoke('OpenDocument', { docId: this.docId, lastRevision: null });
      if (this._closed) return;
      if (resp == null || typeof resp.text !== 'string') {
        throw new CollabError('client.protocol', 'OpenDocument without lastRevision must answer with a snapshot');
      }
      this._applyLock(resp.locked, resp.revision, false);
      this._applyAccess(resp.access, false);
      this._adopt(resp.text, resp.revision, null, null, true);
      if (resp.presence) this._presence = { revision: resp.revision, participants: resp.presence };
    } finally {
      this._syncing = false;
    }
    this._drain();
  }

  _loadPending() {
    const store = this.client.pendingStore;
    if (!store) return null;
    let saved;
    try {
      saved = readPending(store.load(this.docId));
    } catch {
      saved = null;
    }
    if (!saved) return null;
    try {
      this._restore(saved);
      return saved;
    } catch (err) {
      if (!(err instanceof OtError)) throw err;
      // Stored edits that no longer apply to their own base text were damaged: start clean.
      store.save(this.docId, null);
      return null;
    }
  }

  /** Opens from the stored state: catches up from its revision (or a snapshot), then sends what is left, once. */
  async _openRestored() {
    this._syncing = true;
    this._restoring = true;
    try {
      await this._syncOnce();
    } finally {
      this._syncing = false;
      this._restoring = false;
    }
    this._unsyncedChanged();
    if (this._syncAgain) {
      this._sync();
      return;
    }
    this._drain();
    this._trySend();
  }

  _dispose() {
    this._closed = true;
    this.client._cancel(this._retryTimer);
    this.client._cancel(this._gapTimer);
    this._retryTimer = null;
    this._gapTimer = null;
  }

  _emit(name, ...args) {
    if (this._restoring && name !== 'onUnsyncedChanged') {
      // While a restored document opens, its views are not attached yet: they read its text, lock and access once it
      // is open; a refusal of a stored edit is told just after.
      if (name === 'onError') this.client._timer(() => this._emit(name, ...args), 0);
      return;
    }
    const fn = this[name];
    if (typeof fn !== 'function') return;
    try {
      fn.apply(this, args);
    } catch (err) {
      // A failing handler must not break the state machine; report it out of band.
      this.client._timer(() => {
        throw err;
      }, 0);
    }
  }

  _emitError(code, message, detail) {
    this._emit('onError', code, message, detail);
  }

  _unsyncedChanged() {
    this._savePending();
    const now = this.hasUnsyncedChanges;
    if (now === this._unsynced) return;
    this._unsynced = now;
    this._emit('onUnsyncedChanged', now);
    if (!now) {
      const waiters = this._waiters;
      this._waiters = [];
      for (const w of waiters) w();
    }
  }

  _onDisconnected() {
    this._inFlight = null;
  }

  _onReconnected() {
    if (this._closed || this.revision == null) return;
    this._attempt = 0;
    this._selectionDirty = this._selection !== undefined;
    this._sync();
  }

  _onOpsCommitted(ops) {
    if (this._closed || !Array.isArray(ops)) return;
    for (const e of ops) this._enqueue(e);
    this._drain();
  }

  _onPresenceChanged(m) {
    if (this._closed) return;
    this._presence = { revision: m.revision, participants: Array.isArray(m.participants) ? m.participants : [] };
    this._emit('onPresence', this.participants);
  }

  _onLockChanged(m) {
    if (this._closed) return;
    this._applyLock(m.locked, m.revision, true);
  }

  /** The server says what decides access changed: reopen to learn this participant's new access. */
  _onAccessChanged() {
    if (this._closed || this.revision == null) return;
    this._sync();
  }

  _applyAccess(access, notify) {
    const value = readAccess(access);
    const old = this.access;
    if (old.mode === value.mode && old.reason === value.reason && old.phase === value.phase) return;
    this.access = value;
    if (notify) this._emit('onAccessChanged', value);
  }

  _applyLock(locked, revision, notify) {
    const value = !!locked;
    if (value === this.locked) return;
    this.locked = value;
    if (notify) this._emit('onLockChanged', value, revision);
  }

  _enqueue(e) {
    if (!e || typeof e.revision !== 'number' || !Array.isArray(e.op)) return;
    if (this.revision != null && e.revision <= this.revision) return; // already applied: a duplicate
    if (!this._pending.has(e.revision)) this._pending.set(e.revision, e);
  }

  /** Applies the pending committed ops that follow `revision`; a gap left behind is caught up after `gapDelay`. */
  _drain() {
    if (this._syncing || this._closed || this.revision == null) return;
    this._drainNow();
    if (this._pending.size > 0 && this._gapTimer == null) {
      this._gapTimer = this.client._timer(() => {
        this._gapTimer = null;
        if (!this._closed && this._pending.size > 0) this._sync();
      }, this.client.gapDelay);
    }
  }

  _drainNow() {
    for (;;) {
      const next = this._pending.get(this.revision + 1);
      if (!next) break;
      this._pending.delete(next.revision);
      try {
        this._applyCommitted(next);
      } catch (err) {
        if (!(err instanceof OtError)) throw err;
        // A committed op this client cannot apply (the server checks every op by the same rules, so this means a
        // fault). Waiting at this revision would stall the document for good, later typing included: nothing was
        // changed, so start over from a snapshot, keeping the local changes.
        this._pending.clear();
        this._emitError('client.diverged', `revision ${next.revision} could not be applied (${err.code}); resynchronising`);
        this._requestSync({ snapshot: true });
        return;
      }
    }
    for (const r of this._pending.keys()) if (r <= this.revision) this._pending.delete(r);
  }

  _remember(e) {
    this._history.push({ revision: e.revision, op: e.op });
    if (this._history.length > HISTORY_KEPT) this._history.splice(0, this._history.length - HISTORY_KEPT);
  }

  /** Applies one committed op; everything is computed before anything changes, so a throw leaves the state as it was. */
  _applyCommitted(e) {
    const o = this._outstanding;
    if (o && o.seq != null && !this._resolved && e.clientId === this.clientId && e.clientSeq === o.seq) {
      // Our own op, committed: this is its ack (whether it came as a push, the invocation's answer or a catch-up).
      const diverged = !sameOp(e.op, o.op);
      const serverText = apply(this._serverText, e.op, UNLIMITED);
      let buffer = this._buffer;
      let text = this.text;
      if (diverged) {
        // Should never happen (both sides transform alike); recover by rebasing what is left on the server's text.
        const mine = apply(this._serverText, o.op, UNLIMITED);
        if (buffer) buffer = transform(buffer, diffOp(mine, serverText))[0];
        text = buffer ? apply(serverText, buffer, UNLIMITED) : serverText;
      }
      const old = this.text;
      this._serverText = serverText;
      this.revision = e.revision;
      this._remember(e);
      this._attempt = 0;
      this._outstanding = null;
      if (this._inFlight?.seq === o.seq) this._inFlight = null;
      this._buffer = null;
      if (diverged) {
        this._emitError('client.diverged', `revision ${e.revision}: the committed op differs from the local one`);
        this.text = text;
        this._emit('onChange', this.text, diffOp(old, this.text), { revision: this.revision, resync: true });
      }
      if (buffer && !isNoop(buffer)) this._outstanding = { op: buffer, seq: null, sent: false };
      this._unsyncedChanged();
      this._trySend();
      return;
    }
    // Someone else's op (sequenced before our pending ones): rebase ours over it, and it over ours.
    let incoming = e.op;
    let outstanding = o?.op;
    let buffer = this._buffer;
    if (o) [outstanding, incoming] = transform(outstanding, incoming);
    if (buffer) [buffer, incoming] = transform(buffer, incoming);
    const serverText = apply(this._serverText, e.op, UNLIMITED);
    const text = apply(this.text, incoming, UNLIMITED);
    if (o) o.op = outstanding;
    this._buffer = buffer;
    this._serverText = serverText;
    this.revision = e.revision;
    this._remember(e);
    this.text = text;
    if (o || buffer) this._savePending();
    this._emit('onChange', this.text, incoming, {
      revision: e.revision,
      clientId: e.clientId,
      clientSeq: e.clientSeq,
      author: e.author ?? e.authorName ?? null,
      authorId: e.authorId ?? null,
      committedAt: e.committedAt ?? null,
      remote: true,
    });
  }

  /** Sends the outstanding op if nothing stops it (one submission at a time; none while reopening). */
  _trySend() {
    const o = this._outstanding;
    if (this._closed || this._syncing || !this.client.connected || !o || this._resolved || this.revision == null) return;
    const gen = this.client._gen;
    if (this._inFlight && this._inFlight.gen === gen && this._inFlight.seq === o.seq) return;
    if (o.seq == null) o.seq = this._nextSeq++;
    o.sent = true;
    // Stored before it leaves: a reload after this point resubmits it under the same (clientId, clientSeq).
    this._savePending();
    const seq = o.seq;
    this._inFlight = { seq, gen };
    this.client
      ._invoke('SubmitOp', { docId: this.docId, baseRevision: this.revision, clientId: this.clientId, clientSeq: seq, op: o.op })
      .then(
        (ack) => this._onSubmitted(seq, gen, ack, null),
        (err) => this._onSubmitted(seq, gen, null, err),
      );
  }

  _onSubmitted(seq, gen, ack, err) {
    if (this._inFlight?.seq === seq && this._inFlight.gen === gen) this._inFlight = null;
    if (this._closed) return;
    const o = this._outstanding;
    if (!err) {
      if (!o || o.seq !== seq || this._resolved || !ack || typeof ack.revision !== 'number') return; // acked already
      if (ack.revision <= this.revision) {
        // Committed at a revision we applied as someone else's: only a snapshot can tell what we have.
        this._resolved = 'committed';
        this._requestSync({ snapshot: true });
        return;
      }
      this._enqueue({ revision: ack.revision, op: ack.op, clientId: this.clientId, clientSeq: seq });
      this._drain();
      return;
    }
    if (gen !== this.client._gen || !o || o.seq !== seq || this._resolved) return; // the reconnect takes over
    const code = errorCode(err);
    if (isRetryable(code)) {
      this._requestSync({ delay: true });
      return;
    }
    // Rejected: drop the op, resync from a snapshot (keeping later local edits), tell the application what it was.
    this._resolved = 'rejected';
    this._emitError(code, errorText(err), { op: o.op, base: this._serverText });
    this._requestSync({ snapshot: true });
  }

  _requestSync({ snapshot = false, delay = false } = {}) {
    if (snapshot) this._wantSnapshot = true;
    if (delay) this._scheduleRetry();
    else this._sync();
  }

  _scheduleRetry() {
    if (this._retryTimer != null || this._closed) return;
    const delays = this.client.retryDelays;
    const delay = delays[Math.min(this._attempt, delays.length - 1)] ?? 1000;
    this._attempt++;
    this._retryTimer = this.client._timer(() => {
      this._retryTimer = null;
      this._sync();
    }, delay);
  }

  /** Reopens the document: catches up (or resyncs from a snapshot), then resumes sending. */
  async _sync() {
    if (this._closed || this.revision == null) return;
    if (this._syncing) {
      this._syncAgain = true;
      return;
    }
    if (!this.client.connected) return; // the reconnect calls again
    this._syncing = true;
    let retry = false;
    try {
      do {
        this._syncAgain = false;
        const gen = this.client._gen;
        try {
          await this._syncOnce();
          if (gen !== this.client._gen) this._syncAgain = true;
        } catch (err) {
          if (this._closed) return;
          if (gen !== this.client._gen) {
            this._syncAgain = true;
          } else {
            const code = errorCode(err);
            if (isRetryable(code)) retry = true;
            else this._emitError(code, errorText(err));
            break;
          }
        }
      } while (this._syncAgain && this.client.connected && !this._closed);
    } finally {
      this._syncing = false;
    }
    if (this._closed) return;
    if (retry) {
      this._scheduleRetry();
      return;
    }
    this._drain();
    this._trySend();
    this._flushSelection();
  }

  async _syncOnce() {
    const snapshot = this._wantSnapshot;
    this._wantSnapshot = false;
    let resp;
    try {
      resp = await this.client._invoke('OpenDocument', { docId: this.docId, lastRevision: snapshot ? null : this.revision });
    } catch (err) {
      if (snapshot) this._wantSnapshot = true;
      throw err;
    }
    if (this._closed || resp == null) return;
    this._applyLock(resp.locked, resp.revision, true);
    this._applyAccess(resp.access, true);
    if (typeof resp.text === 'string') {
      await this._onSnapshot(resp.text, resp.revision);
    } else {
      for (const e of resp.ops ?? []) this._enqueue(e);
      this._drainNow();
      if (this.revision < resp.revision) {
        // The answer does not reach the revision it claims: start over from a snapshot.
        this._wantSnapshot = true;
        this._syncAgain = true;
      }
    }
    if (Array.isArray(resp.presence)) this._presence = { revision: resp.revision, participants: resp.presence };
  }

  /** A snapshot arrived while we may hold local changes: keep them, rebased onto it, without ever doubling one. */
  async _onSnapshot(text, revision) {
    const o = this._outstanding;
    if (o && o.sent && !this._resolved) {
      // The outstanding op may or may not be committed. Resubmitting it (same clientSeq, the base we hold) tells:
      // the server answers a committed one with its original ack, and commits it otherwise.
      try {
        const ack = await this.client._invoke('SubmitOp', {
          docId: this.docId,
          baseRevision: this.revision,
          clientId: this.clientId,
          clientSeq: o.seq,
          op: o.op,
        });
        if (this._closed || this._outstanding !== o) return;
        this._resolved = 'committed';
        if (ack.revision > revision) {
          // Committed after the snapshot was taken: fetch one that includes it.
          this._wantSnapshot = true;
          this._syncAgain = true;
          return;
        }
      } catch (err) {
        const code = errorCode(err);
        if (isRetryable(code)) throw err;
        if (this._closed || this._outstanding !== o) return;
        this._resolved = 'rejected';
        this._emitError(code, errorText(err), { op: o.op, base: this._serverText });
      }
    }
    let unsent;
    let base;
    if (o && this._resolved) {
      // The outstanding op is in the snapshot or was refused; what follows it is still ours to send.
      base = apply(this._serverText, o.op, UNLIMITED);
      unsent = this._buffer;
    } else {
      base = this._serverText;
      unsent = this._localPending();
    }
    this._adopt(text, revision, unsent, base, false);
  }

  /** Takes a server snapshot as the new base and puts `unsent` (an op on `base`) back on top of it. */
  _adopt(text, revision, unsent, base, initial) {
    let op = null;
    if (unsent && !isNoop(unsent)) {
      op = transform(unsent, diffOp(base, text))[0];
      if (isNoop(op)) op = null;
    }
    const old = this.text;
    this._serverText = text;
    this.revision = revision;
    this._outstanding = op ? { op, seq: null, sent: false } : null;
    this._buffer = null;
    this._resolved = null;
    this._inFlight = null;
    this._history = [];
    for (const r of this._pending.keys()) if (r <= revision) this._pending.delete(r);
    this.text = op ? apply(text, op, UNLIMITED) : text;
    this._unsyncedChanged();
    if (!initial && old !== this.text) {
      this._emit('onChange', this.text, diffOp(old, this.text), { revision, resync: true });
    }
  }

  _flushSelection() {
    if (!this._selectionDirty || this._closed || this._syncing || !this.client.connected || this.revision == null) return;
    this._selectionDirty = false;
    let sel = this._selection ?? null;
    if (sel) {
      const clamp = (x) => Math.max(0, Math.min(this.text.length, x));
      sel = { anchor: clamp(sel.anchor), head: clamp(sel.head) };
      const local = this._localPending();
      if (local) {
        // Presence is relative to the server's revision: take our uncommitted changes back out.
        const back = invert(local, this._serverText);
        sel = { anchor: transformPosition(sel.anchor, back, 'before'), head: transformPosition(sel.head, back, 'before') };
      }
    }
    this.client._send('UpdatePresence', { docId: this.docId, revision: this.revision, selection: sel });
  }
}
