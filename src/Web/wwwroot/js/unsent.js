// Unsent edits kept in the browser's storage, so that typing done while the connection is down survives a reload.
//
// Each open document's local changes not yet acknowledged are written (synchronously, localStorage) on every change
// of them, under a key per workshop, participant and document, with what resending them exactly once needs: the
// DocumentClient's `clientId`, its next `clientSeq`, the server revision and text they apply to, the outstanding op
// (with its seq when it may have left) and the buffer behind it (collab-client.js `pendingState()`). A reload opens
// the document from that state: it catches up from the stored revision (the server's ops transform the stored edits,
// and the outstanding op, if committed meanwhile, is recognised by its clientId + clientSeq), then sends what is left.
// The entry is removed once the server acknowledged everything. Pure apart from the storage given to it.

const PREFIX = 'collab.unsent';
/** Bounds what a page reads back: a damaged or foreign entry is ignored, never sent. */
const MAX_ENTRY_LENGTH = 2_000_000;
const MAX_OP_COMPONENTS = 100_000;

/** The storage key of one document's unsent edits for one participant of one workshop. */
export function unsentKey(workshopId, participantId, docId) {
  return `${PREFIX}:${encodeURIComponent(workshopId)}:${encodeURIComponent(participantId)}:${encodeURIComponent(docId)}`;
}

function isOp(op) {
  if (!Array.isArray(op) || op.length > MAX_OP_COMPONENTS) return false;
  return op.every((c) => typeof c === 'string' || (Number.isInteger(c) && c !== 0));
}

function isSeq(n) {
  return Number.isInteger(n) && n >= 1;
}

/**
 * A stored state as a DocumentClient can take it back, or null when `value` (a string or an object) is not one:
 * `{ v: 1, clientId, nextSeq, revision, base, outstanding: { op, seq | null } | null, buffer | null }`.
 */
export function readPending(value) {
  let s = value;
  if (typeof s === 'string') {
    if (s.length > MAX_ENTRY_LENGTH) return null;
    try {
      s = JSON.parse(s);
    } catch {
      return null;
    }
  }
  if (!s || typeof s !== 'object' || s.v !== 1) return null;
  if (typeof s.clientId !== 'string' || s.clientId.length === 0 || s.clientId.length > 100) return null;
  if (!isSeq(s.nextSeq) || !Number.isInteger(s.revision) || s.revision < 0 || typeof s.base !== 'string') return null;
  const o = s.outstanding ?? null;
  if (o !== null && (typeof o !== 'object' || !isOp(o.op) || !(o.seq === null || o.seq === undefined || (isSeq(o.seq) && o.seq < s.nextSeq)))) return null;
  const buffer = s.buffer ?? null;
  if (buffer !== null && !isOp(buffer)) return null;
  if (!o && !buffer) return null;
  return {
    v: 1,
    clientId: s.clientId,
    nextSeq: s.nextSeq,
    revision: s.revision,
    base: s.base,
    outstanding: o ? { op: o.op, seq: o.seq ?? null } : null,
    buffer,
  };
}

/**
 * The unsent edits of one participant of one workshop in `storage` (localStorage, or anything with getItem, setItem,
 * removeItem, key and length): `load(docId)`, `save(docId, state | null)` (null forgets), `docIds()` (documents with
 * edits waiting), and `forget()` (all of them).
 */
export function createUnsentStore(storage, { workshopId, participantId }) {
  const prefix = unsentKey(workshopId, participantId, '');
  const key = (docId) => prefix + encodeURIComponent(docId);
  const keys = () => {
    const found = [];
    for (let i = 0; i < storage.length; i++) {
      const k = storage.key(i);
      if (k != null && k.startsWith(prefix) && k.length > prefix.length) found.push(k);
    }
    return found;
  };
  return {
    load(docId) {
      return readPending(storage.getItem(key(docId)));
    },
    save(docId, state) {
      if (state) storage.setItem(key(docId), JSON.stringify(state));
      else storage.removeItem(key(docId));
    },
    docIds() {
      return keys().map((k) => decodeURIComponent(k.slice(prefix.length)));
    },
    forget() {
      for (const k of keys()) storage.removeItem(k);
    },
  };
}

/**
 * Asks the browser to warn before the page is left (closed, reloaded, navigated away) while `unsynced()` is true;
 * answers a function that stops asking. The browser shows its own sentence; the edits are kept either way.
 */
export function warnBeforeLeaving(target, unsynced) {
  const listener = (event) => {
    if (!unsynced()) return undefined;
    event.preventDefault();
    event.returnValue = '';
    return '';
  };
  target.addEventListener('beforeunload', listener);
  return () => target.removeEventListener('beforeunload', listener);
}

/**
 * Opens each document with stored edits that no view has open (a recommendation's text typed in before a reload, say),
 * so that they are sent; each closes again once the server has them (DocumentRegistry.release). A document that
 * cannot be opened is reported through `onError` and keeps its edits for the next attempt.
 */
export async function sendStoredEdits(registry, store, onError) {
  for (const docId of store.docIds()) {
    if (registry.collab.documents.has(docId)) continue;
    const listener = {};
    try {
      await registry.acquire(docId, listener);
    } catch (err) {
      onError?.(err, docId);
      continue;
    }
    registry.release(docId, listener);
  }
}
