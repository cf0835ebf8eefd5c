// Workshop presence kept current from the hub's pushes (docs/protocol.md, "WorkshopPresenceDelta"): a snapshot (the
// `GET /api/workshops/{id}/presence` answer, or a pushed `WorkshopPresenceChanged`), then every delta applied to the
// version it follows. A delta that does not follow what the page holds (it missed one, it was offline, the server's
// presence started again) is held and the snapshot fetched again. No DOM, no network of its own: tests/js/presence.test.mjs.

import { newer } from './model.js';

/** Deltas held while a snapshot is on its way; the oldest go first (the snapshot covers them). */
export const MAX_HELD = 64;

/** The order of `online`, as the server sends it: by name ignoring case, then by participant id. */
export function byName(a, b) {
  return a.name.localeCompare(b.name, undefined, { sensitivity: 'accent' })
    || (a.participantId < b.participantId ? -1 : a.participantId > b.participantId ? 1 : 0);
}

/**
 * `presence` with `delta` applied: `presence` itself when it already has the delta's version, null when it is older
 * than the delta's `baseVersion` (or there is none yet): fetch the snapshot.
 */
export function applyPresenceDelta(presence, delta) {
  if (!presence) return null;
  if (delta.version <= presence.version) return presence;
  if (delta.baseVersion > presence.version) return null;
  const replaced = new Set([...delta.changed.map((p) => p.participantId), ...delta.gone]);
  const online = [...presence.online.filter((p) => !replaced.has(p.participantId)), ...delta.changed].sort(byName);
  return { ...presence, version: delta.version, online };
}

/**
 * Follows one workshop's presence. `fetch()` answers the snapshot (a promise); `onChange(presence)` gets the whole
 * presence after each change; `onError(err)` a failed fetch. `snapshot(p)` takes a fetched or pushed snapshot,
 * `delta(d)` a pushed delta; `refetch()` fetches the snapshot (after connecting: one fetch at a time).
 */
export function createPresenceSync({ fetch, onChange, onError = () => {} }) {
  let current = null;
  let held = [];
  let fetching = null;

  function refetch() {
    fetching ??= new Promise((resolve) => resolve(fetch()))
      .then(
        (p) => {
          fetching = null;
          snapshot(p);
        },
        (err) => {
          fetching = null;
          onError(err);
        },
      );
    return fetching;
  }

  function settle(before) {
    held.sort((a, b) => a.version - b.version);
    held = held.filter((d) => {
      const next = applyPresenceDelta(current, d);
      if (next === null) return true;
      current = next;
      return false;
    });
    if (held.length) refetch();
    if (current !== before) onChange(current);
  }

  function snapshot(p) {
    if (!p) return;
    const before = current;
    current = newer(current, p);
    settle(before);
  }

  function delta(d) {
    const next = applyPresenceDelta(current, d);
    if (next !== null) {
      if (next !== current) {
        current = next;
        onChange(current);
      }
      return;
    }
    held = [...held.slice(-(MAX_HELD - 1)), d];
    refetch();
  }

  return { snapshot, delta, refetch, get current() { return current; } };
}
