// Presence colours that are distinct within a room and stable for a person while they stay. Each person prefers the
// colour their id hashes to (model.js colorFor), so that pages mostly agree; when two people of one room would share
// one, the one seen first keeps it and the other takes the next free colour. Once given, a colour stays with its
// person while they are in the room, whoever arrives. Only with more people in a room than colours do colours repeat.
// Pure apart from the page-wide book of rooms (`roomColours`); runs in browsers and in Node (tests/js/colours.test.mjs).

import { PEOPLE_COLOURS } from './model.js';

function preferredIndex(id, size) {
  let hash = 0;
  for (const ch of String(id ?? '')) hash = (Math.imul(hash, 31) + ch.codePointAt(0)) | 0;
  return Math.abs(hash) % size;
}

/**
 * The colours of the people `ids` in a room, given the room's `previous` assignment (a Map, or null): those still
 * here keep theirs; newcomers (taken in id order, so that pages seeing them at once agree) get their preferred colour,
 * else the next free one after it. Answers a new Map id → colour.
 */
export function assignColours(previous, ids, palette = PEOPLE_COLOURS) {
  const present = [...new Set(ids.filter((id) => id != null).map(String))];
  const next = new Map();
  const used = new Set();
  for (const id of present) {
    const kept = previous?.get(id);
    if (kept != null && palette.includes(kept) && !used.has(kept)) {
      next.set(id, kept);
      used.add(kept);
    }
  }
  const newcomers = present.filter((id) => !next.has(id)).sort();
  for (const id of newcomers) {
    const preferred = preferredIndex(id, palette.length);
    let pick = palette[preferred];
    for (let k = 0; k < palette.length; k++) {
      const c = palette[(preferred + k) % palette.length];
      if (!used.has(c)) {
        pick = c;
        break;
      }
    }
    next.set(id, pick);
    used.add(pick);
  }
  return next;
}

const rooms = new Map();

/**
 * This page's colours for the people `ids` of `room` (a document id, or 'workshop' for *Who is here*), remembered per
 * room so that each person keeps theirs while they stay. Answers a function id → colour (the hash colour for someone
 * not in the room).
 */
export function roomColours(room, ids) {
  const assigned = assignColours(rooms.get(room) ?? null, ids);
  rooms.set(room, assigned);
  return (id) => assigned.get(String(id)) ?? PEOPLE_COLOURS[preferredIndex(id, PEOPLE_COLOURS.length)];
}
