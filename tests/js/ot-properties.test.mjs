// Seeded random property tests of ot.js over texts with accents (precomposed and combining), emoji (pairs, ZWJ
// sequences, flags), CJK (BMP and extension B) and ASCII: TP1, compose against apply, associativity, invert,
// transformPosition against transform, canonical outputs, surrogate validation and limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ot from '../../src/Web/wwwroot/js/ot.js';
import { mulberry32 } from './support.mjs';


const ATOMS = ['a', 'b', 'z', ' ', '\n', 'é', 'e\u0301', 'ü', '😀', '🎉', '👨\u200D👩\u200D👧', '🇫🇷', '🇯🇵', '你', '好', '世界', '𠮷', '\t', '"'];

class Gen {
  constructor(seed) {
    this.rnd = mulberry32(seed);
  }
  int(n) {
    return Math.floor(this.rnd() * n);
  }
  pick(list) {
    return list[this.int(list.length)];
  }
  chance(p) {
    return this.rnd() < p;
  }
  text(maxAtoms = 12) {
    let s = '';
    const n = this.int(maxAtoms + 1);
    for (let i = 0; i < n; i++) s += this.pick(ATOMS);
    return s;
  }
  /** A valid op on `text`: every boundary at a code point boundary; sometimes non-canonical. */
  op(text) {
    const stops = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) i++;
      stops.push(i + 1);
    }
    const out = [];
    let k = 0; // index into stops
    const canonical = this.chance(0.7);
    while (k < stops.length - 1 || this.chance(0.2)) {
      const r = this.rnd();
      if (r < 0.3) {
        out.push(this.text(3) || 'x');
      } else if (k < stops.length - 1) {
        const to = k + 1 + this.int(Math.min(4, stops.length - 1 - k));
        const n = stops[to] - stops[k];
        if (r < 0.7) out.push(n);
        else out.push(-n);
        k = to;
      } else {
        break;
      }
    }
    return canonical ? ot.normalize(out) : out;
  }
}

function assertCanonical(op) {
  assert.deepEqual(ot.normalize(op), op);
  for (let i = 0; i < op.length; i++) {
    const c = op[i];
    assert.ok(typeof c === 'string' ? c.length > 0 : Number.isInteger(c) && c !== 0);
    if (i > 0) {
      const p = op[i - 1];
      const kind = (x) => (typeof x === 'string' ? 'i' : x > 0 ? 'r' : 'd');
      assert.notEqual(kind(p), kind(c), 'adjacent components of one kind');
      assert.ok(!(kind(p) === 'd' && kind(c) === 'i'), 'delete before insert');
    }
  }
}

const ROUNDS = 1500;

test('TP1: both orders of a transformed pair give the same text; outputs canonical; b goes first', () => {
  const g = new Gen(1);
  for (let i = 0; i < ROUNDS; i++) {
    const s = g.text();
    const a = g.op(s);
    const b = g.op(s);
    const [ap, bp] = ot.transform(a, b);
    assertCanonical(ap);
    assertCanonical(bp);
    const left = ot.apply(ot.apply(s, a), bp);
    const right = ot.apply(ot.apply(s, b), ap);
    assert.equal(left, right, JSON.stringify({ s, a, b }));
    // An op and its canonical form transform alike.
    assert.deepEqual(ot.transform(ot.normalize(a), ot.normalize(b)), [ap, bp]);
  }
});

test('tie-break: concurrent inserts at one position put the second argument first', () => {
  const g = new Gen(2);
  for (let i = 0; i < 300; i++) {
    const s = g.text();
    const stops = [...s].reduce((acc, ch) => [...acc, acc[acc.length - 1] + ch.length], [0]);
    const p = g.pick(stops);
    const x = g.pick(['X', '😀', 'é', '你']);
    const y = g.pick(['Y', '🎉', 'e\u0301', '好']);
    const a = ot.normalize([p, x, s.length - p].filter((c) => c !== 0));
    const b = ot.normalize([p, y, s.length - p].filter((c) => c !== 0));
    const [ap] = ot.transform(a, b);
    assert.equal(ot.apply(ot.apply(s, b), ap), s.slice(0, p) + y + x + s.slice(p));
  }
});

test('compose agrees with sequential apply and is associative', () => {
  const g = new Gen(3);
  for (let i = 0; i < ROUNDS; i++) {
    const s0 = g.text();
    const a = g.op(s0);
    const s1 = ot.apply(s0, a);
    const b = g.op(s1);
    const s2 = ot.apply(s1, b);
    const c = g.op(s2);
    const s3 = ot.apply(s2, c);
    const ab = ot.compose(a, b);
    assertCanonical(ab);
    assert.equal(ot.apply(s0, ab), s2);
    const left = ot.compose(ab, c);
    const right = ot.compose(a, ot.compose(b, c));
    assert.deepEqual(left, right);
    assert.equal(ot.apply(s0, left), s3);
    assert.equal(ot.baseLength(ab), s0.length);
    assert.equal(ot.targetLength(ab), s2.length);
  }
});

test('invert round-trips and inverts back to the canonical op', () => {
  const g = new Gen(4);
  for (let i = 0; i < ROUNDS; i++) {
    const s = g.text();
    const a = g.op(s);
    const t = ot.apply(s, a);
    const inv = ot.invert(a, s);
    assertCanonical(inv);
    assert.equal(ot.apply(t, inv), s);
    assert.deepEqual(ot.invert(inv, t), ot.normalize(a));
    assert.equal(ot.apply(s, ot.compose(a, inv)), s);
    // Inverting an insert-only op gives a delete-only op and composing them leaves only retains.
    if (a.every((c) => typeof c === 'string' || c > 0)) assert.ok(ot.isNoop(ot.compose(a, inv)));
  }
});

test('transformPosition agrees with transforming a marker insert, and is monotonic', () => {
  const g = new Gen(5);
  const MARK = '\u0001';
  for (let i = 0; i < ROUNDS; i++) {
    const s = g.text();
    const a = g.op(s);
    const t = ot.apply(s, a);
    const stops = [...s].reduce((acc, ch) => [...acc, acc[acc.length - 1] + ch.length], [0]);
    let previous = -1;
    for (const p of stops) {
      const marker = ot.normalize([p, MARK, s.length - p].filter((c) => c !== 0));
      // The marker as the first argument: a (second) goes first, so the marker lands after a's insert ("after").
      const after = ot.apply(t, ot.transform(marker, a)[0]).indexOf(MARK);
      // The marker as the second argument goes first ("before").
      const before = ot.apply(t, ot.transform(a, marker)[1]).indexOf(MARK);
      assert.equal(ot.transformPosition(p, a, 'after'), after, JSON.stringify({ s, a, p }));
      assert.equal(ot.transformPosition(p, a, 'before'), before, JSON.stringify({ s, a, p }));
      assert.ok(before <= after);
      assert.ok(before >= previous);
      previous = after;
    }
  }
});

test('apply rejects exactly the ops whose boundaries split a pair', () => {
  const g = new Gen(6);
  for (let i = 0; i < ROUNDS; i++) {
    const s = g.text();
    // Arbitrary code-unit cuts.
    const cuts = [];
    for (let p = 1; p < s.length; p++) if (g.chance(0.3)) cuts.push(p);
    const op = [];
    let prev = 0;
    for (const p of [...cuts, s.length]) {
      if (p > prev) op.push(g.chance(0.5) ? p - prev : -(p - prev));
      if (g.chance(0.3)) op.push('·');
      prev = p;
    }
    const splits = [];
    let pos = 0;
    for (const c of op) {
      splits.push(pos);
      if (typeof c === 'number') pos += Math.abs(c);
    }
    const bad = splits.some((p) => p > 0 && p < s.length && /[\uD800-\uDBFF]/.test(s[p - 1]) && /[\uDC00-\uDFFF]/.test(s[p]));
    if (bad) {
      assert.throws(() => ot.apply(s, op), { code: 'op.splits_surrogate_pair' });
    } else {
      assert.equal(typeof ot.apply(s, op), 'string');
    }
  }
});

test('default limits: at the limit passes, one over fails', () => {
  assert.deepEqual({ ...ot.DEFAULT_LIMITS }, { maxOpInsertLength: 65536, maxOpComponents: 10000, maxDocumentLength: 1048576 });
  assert.equal(ot.apply('', ['a'.repeat(65536)]).length, 65536);
  assert.throws(() => ot.apply('', ['a'.repeat(65537)]), { code: 'op.too_large' });
  const ten = [];
  for (let i = 0; i < 5000; i++) ten.push(1, 'b');
  assert.equal(ten.length, 10000);
  assert.equal(ot.apply('a'.repeat(5000), ten).length, 10000);
  assert.throws(() => ot.apply('a'.repeat(5001), [...ten, 1]), { code: 'op.too_large' });
  const big = 'x'.repeat(1048576 - 10);
  assert.equal(ot.apply(big, [big.length, 'y'.repeat(10)]).length, 1048576);
  assert.throws(() => ot.apply(big, [big.length, 'y'.repeat(11)]), { code: 'document.too_large' });
  // Limits can be overridden one at a time.
  assert.throws(() => ot.apply('', ['abcd'], { maxOpInsertLength: 3 }), { code: 'op.too_large' });
  assert.equal(ot.apply('', ['a'.repeat(70000)], { maxOpInsertLength: 100000 }).length, 70000);
});

test('errors are OtErrors with the spec codes for every entry point', () => {
  const is = (code) => (err) => err instanceof ot.OtError && err instanceof Error && err.code === code && err.message.startsWith(code);
  for (const bad of [null, undefined, 3, 'x', {}, [0], [''], [1.5], [NaN], [Infinity], [true], [[1]], [2 ** 31]]) {
    assert.throws(() => ot.apply('', bad), is('op.malformed'));
    assert.throws(() => ot.normalize(bad), is('op.malformed'));
    assert.throws(() => ot.baseLength(bad), is('op.malformed'));
    assert.throws(() => ot.targetLength(bad), is('op.malformed'));
    assert.throws(() => ot.isNoop(bad), is('op.malformed'));
    assert.throws(() => ot.compose(bad, []), is('op.malformed'));
    assert.throws(() => ot.compose([], bad), is('op.malformed'));
    assert.throws(() => ot.transform(bad, []), is('op.malformed'));
    assert.throws(() => ot.transform([], bad), is('op.malformed'));
    assert.throws(() => ot.invert(bad, ''), is('op.malformed'));
    assert.throws(() => ot.transformPosition(0, bad, 'before'), is('op.malformed'));
  }
  assert.throws(() => ot.compose([1], [2]), is('op.base_length_mismatch'));
  assert.throws(() => ot.transform([1], [2]), is('op.base_length_mismatch'));
  assert.throws(() => ot.invert([1], 'ab'), is('op.base_length_mismatch'));
  assert.throws(() => ot.transformPosition(0, [1], 'sideways'), TypeError);
  assert.equal(ot.isNoop([]), true);
  assert.equal(ot.isNoop([1, 2]), true);
  assert.equal(ot.isNoop([1, 'a']), false);
  assert.equal(ot.isNoop([-1]), false);
  assert.deepEqual(ot.normalize([0 + 1, 2, -1, 'a', -2, 'b', 3]), [3, 'ab', -3, 3]);
  assert.deepEqual(ot.normalize([]), []);
});

// Hostile input (issue 13): counts near and past 2^31, triples that sum to 2^32 (invisible to a sum taken in a 32-bit
// int), the engine's ceiling, numbers that are not counts (fractions, -0, NaN, Infinity, past 2^53) and values of the
// wrong type. Every function answers with a result or an OtError with a spec code; every op it returns is one the
// server can hold (integers within ±(2^31 - 1)); whatever applies is exactly consistent.
const CODES = new Set(['op.malformed', 'op.base_length_mismatch', 'op.too_large', 'op.splits_surrogate_pair', 'document.too_large']);
const MAX_INT = 2147483647;
const BOUNDARY_COUNTS = [
  1, 2, MAX_INT, MAX_INT - 1, 2 ** 31, -(2 ** 31), ot.MAX_LENGTH - 1, ot.MAX_LENGTH, ot.MAX_LENGTH + 1, 2 ** 30, 2 ** 32,
  2 ** 32 + 1, 2 ** 53, 2 ** 53 + 2, 65536, 1048577,
];
const NOT_COUNTS = [0, -0, 0.5, 1.5, -2.5, 2147483646.5, 1e-300, 1e300, -1e300, NaN, Infinity, -Infinity, null, true, [], [1], {}, { x: 1 }, ''];

class HostileGen extends Gen {
  count() {
    const r = this.rnd();
    if (r < 0.4) return 1 + this.int(12);
    if (r < 0.8) return this.pick(BOUNDARY_COUNTS);
    return Math.floor(this.rnd() * 2 ** 32) - 2 ** 31;
  }
  /** Three retains or deletes summing to exactly 2^32. */
  wrapping() {
    const k = 2 + this.int(MAX_INT - 1);
    const sign = () => (this.chance(0.5) ? 1 : -1);
    return [sign() * k, sign() * MAX_INT, sign() * (2 ** 31 + 1 - k)];
  }
  hostileOp(text) {
    const r = this.rnd();
    if (r < 0.3) return this.op(text);
    if (r < 0.7) {
      const honest = this.op(text);
      const at = this.int(honest.length + 1);
      return [...honest.slice(0, at), ...this.wrapping(), ...honest.slice(at)];
    }
    const out = [];
    const n = this.int(6);
    for (let i = 0; i < n; i++) {
      const k = this.rnd();
      if (k < 0.35) out.push(this.count());
      else if (k < 0.6) out.push(-this.count());
      else if (k < 0.85) out.push(this.pick(['x', 'é', '😀', '\ud83d']));
      else out.push(this.pick(NOT_COUNTS));
    }
    return out;
  }
  position() {
    return this.chance(0.7) ? this.int(40) - 2 : this.pick([MAX_INT, -(2 ** 31), 2 ** 53, -(2 ** 60), ot.MAX_LENGTH + 1]);
  }
}

/** Runs `fn`: its result, or undefined when it throws an OtError with a spec code; anything else fails the test. */
function typed(fn) {
  try {
    return fn();
  } catch (err) {
    assert.ok(err instanceof ot.OtError, `expected an OtError, got ${err}`);
    assert.ok(CODES.has(err.code), `unknown code ${err.code}`);
    return undefined;
  }
}

/** An op the server can hold: components are non-zero integers within ±(2^31 - 1) or non-empty strings. */
function assertHoldable(op) {
  for (const c of op) {
    assert.ok(typeof c === 'string' ? c.length > 0 : Number.isInteger(c) && c !== 0 && Math.abs(c) <= MAX_INT, JSON.stringify(c));
  }
}

test('hostile ops: every function answers with a result or a typed code, and returns only ops the server can hold', () => {
  const g = new HostileGen(7);
  for (let i = 0; i < 6000; i++) {
    const s = g.text(6);
    const a = g.hostileOp(s);
    const b = g.hostileOp(s);
    const affinity = g.chance(0.5) ? 'after' : 'before';
    const results = [
      typed(() => ot.normalize(a)),
      typed(() => ot.invert(a, s)),
      typed(() => ot.compose(a, b)),
      ...(typed(() => ot.transform(a, b)) ?? []),
    ];
    for (const op of results) if (op) assertHoldable(op);
    typed(() => ot.apply(s, a));
    typed(() => ot.apply(s, a, { maxOpInsertLength: Infinity, maxOpComponents: Infinity, maxDocumentLength: Infinity }));
    typed(() => ot.baseLength(a));
    typed(() => ot.targetLength(a));
    typed(() => ot.isNoop(a));
    const moved = typed(() => ot.transformPosition(g.position(), a, affinity));
    if (moved !== undefined) assert.ok(Number.isInteger(moved) && moved >= 0 && moved <= ot.MAX_LENGTH * 3);
  }
});

test('hostile ops: whatever applies spans the text exactly and is undone, transformed and composed exactly', () => {
  const g = new HostileGen(8);
  for (let i = 0; i < 6000; i++) {
    const s = g.text(6);
    const a = g.hostileOp(s);
    const b = g.hostileOp(s);
    const afterA = typed(() => ot.apply(s, a));
    if (afterA === undefined) continue;
    assert.equal(ot.baseLength(a), s.length);
    assert.equal(ot.targetLength(a), afterA.length);
    assert.equal(ot.apply(afterA, ot.invert(a, s)), s);
    const moved = ot.transformPosition(g.position(), a, g.chance(0.5) ? 'after' : 'before');
    assert.ok(moved >= 0 && moved <= afterA.length);
    const afterB = typed(() => ot.apply(s, b));
    if (afterB === undefined) continue;
    const [ap, bp] = ot.transform(a, b);
    const both = ot.apply(afterA, bp);
    assert.equal(ot.apply(afterB, ap), both);
    assert.equal(ot.apply(s, ot.compose(a, bp)), both);
    assert.equal(ot.apply(s, ot.compose(b, ap)), both);
  }
});

test('op.malformed messages name the component and the kind of value, never its content', () => {
  const huge = 'SECRET' + 'x'.repeat(400 * 1024);
  const cases = [
    [[1, ['SECRET']], 1],
    [[{ x: 'SECRET' }], 0],
    [[1, { SECRET: 1 }], 1],
    [[1, [huge]], 1],
    [[1, { x: huge }], 1],
    [[1, true], 1],
    [[1, 2.5], 1],
    [[1, 1e300], 1],
    [{ op: 'SECRET' }, -1],
    ['SECRET', -1],
    [huge, -1],
  ];
  for (const [op, index] of cases) {
    for (const run of [() => ot.apply('a', op), () => ot.transform(op, [1]), () => ot.transformPosition(0, op, 'before')]) {
      assert.throws(run, (err) => {
        assert.equal(err.code, 'op.malformed');
        assert.ok(!err.message.includes('SECRET'), err.message.slice(0, 200));
        assert.ok(err.message.length < 200, `a ${err.message.length}-character message`);
        if (index >= 0) assert.match(err.message, new RegExp(`component ${index} is `));
        return true;
      });
    }
  }
});
