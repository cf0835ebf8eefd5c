// Presence colours (colours.js): distinct within a room, stable for a person while they stay, agreed by pages that
// see the same people arrive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignColours, roomColours } from '../../src/Web/wwwroot/js/colours.js';
import { PEOPLE_COLOURS, colorFor } from '../../src/Web/wwwroot/js/model.js';

/** Ids whose hash colours collide (as two participants' did in the seed workshop). */
function collidingIds(count) {
  const byColour = new Map();
  for (let i = 0; ; i++) {
    const id = `p${i}`;
    const c = colorFor(id);
    const list = byColour.get(c) ?? [];
    list.push(id);
    byColour.set(c, list);
    if (list.length === count) return list;
  }
}

const distinct = (map) => new Set(map.values()).size === map.size;

test('people whose hash colours collide get distinct colours in one room', () => {
  const [a, b, c] = collidingIds(3);
  assert.equal(colorFor(a), colorFor(b), 'the ids collide under the hash alone');
  const colours = assignColours(null, [a, b, c]);
  assert.ok(distinct(colours));
  const first = [a, b, c].sort()[0];
  assert.equal(colours.get(first), colorFor(first), 'the first (in id order) keeps its own colour');
});

test('a colour stays with its person while they stay, whoever arrives or leaves', () => {
  const [a, b] = collidingIds(2);
  const first = assignColours(null, [b]);
  const both = assignColours(first, [a, b]);
  assert.equal(both.get(b), first.get(b), 'b came first and keeps the colour a would have preferred');
  assert.notEqual(both.get(a), both.get(b));
  const others = Array.from({ length: 6 }, (_, i) => `x${i}`);
  const crowd = assignColours(both, [a, b, ...others]);
  assert.equal(crowd.get(a), both.get(a));
  assert.equal(crowd.get(b), both.get(b));
  assert.ok(distinct(crowd));
  const bLeft = assignColours(crowd, [a, ...others]);
  assert.equal(bLeft.get(a), both.get(a), 'a does not change colour when b leaves');
});

test('up to as many people as colours, a room never repeats one; beyond, every colour is in use', () => {
  const ids = Array.from({ length: PEOPLE_COLOURS.length }, (_, i) => `participant-${i * 7}`);
  assert.ok(distinct(assignColours(null, ids)));
  const more = assignColours(null, [...ids, 'one-more']);
  assert.equal(new Set(more.values()).size, PEOPLE_COLOURS.length);
});

test('pages that see the same people at once agree on their colours', () => {
  const ids = collidingIds(3);
  assert.deepEqual([...assignColours(null, ids).entries()].sort(), [...assignColours(null, [...ids].reverse()).entries()].sort());
});

test('roomColours remembers each room apart', () => {
  const [a, b] = collidingIds(2);
  const docOne = roomColours('doc-1', [b]);
  const docTwo = roomColours('doc-2', [a]);
  assert.equal(docOne(b), docTwo(a), 'alone in their rooms, both have their own colour');
  const later = roomColours('doc-1', [a, b]);
  assert.equal(later(b), docOne(b));
  assert.notEqual(later(a), later(b));
});
