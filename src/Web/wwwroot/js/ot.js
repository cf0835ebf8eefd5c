// Plain-text operational transformation over UTF-16 code units, as specified in docs/ot-spec.md.
// The JavaScript twin of src/Grains/Collab.Grains/Text/TextOt.cs; both run tests/vectors/ot.json.
//
// An operation is an array of components: a positive integer retains that many code units, a non-empty string
// inserts it, a negative integer deletes that many code units. Every function accepts non-canonical input and
// returns canonical output (no empty components, neighbours of a kind merged, an insert before an adjacent delete).
// Functions that combine or move through operations (compose, transform, transformPosition) work on the canonical
// form of their inputs, so an operation and its canonical form always give the same answer.
// No dependencies; runs in browsers and in Node.

/** Default bounds (docs/ot-spec.md). */
export const DEFAULT_LIMITS = Object.freeze({
  maxOpInsertLength: 65536,
  maxOpComponents: 10000,
  maxDocumentLength: 1048576,
});

/** The largest count a component may carry (a 32-bit signed integer, as on the server). */
const MAX_COUNT = 2147483647;

/**
 * The longest text an operation may span or produce: 2^29 code units, far above any document limit, and not
 * configurable (TextOt.MaxLength on the server). Every operation the engine accepts or returns spans and produces at
 * most this, so every length or position it computes stays below 2^31 on the server and is exact here.
 */
export const MAX_LENGTH = 536870912;

/** A rejected operation; `code` is one of the spec's stable codes (e.g. "op.malformed"). */
export class OtError extends Error {
  constructor(code, message) {
    super(message ? `${code}: ${message}` : code);
    this.name = 'OtError';
    this.code = code;
  }
}

/** What kind of value `value` is, in words that reveal nothing of its content (messages get logged and shown). */
function kindOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    case 'undefined':
      return 'missing';
    case 'number':
      if (Number.isNaN(value)) return 'not a number';
      if (!Number.isFinite(value)) return 'a number too large to represent';
      if (!Number.isInteger(value)) return 'a number with a fraction';
      return value === 0 ? 'zero' : `an integer beyond \u00b1${MAX_COUNT}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** Throws op.malformed unless `op` is an array of non-zero integers and non-empty strings. */
function checkComponents(op) {
  if (!Array.isArray(op)) {
    throw new OtError('op.malformed', `an operation is an array of components, not ${kindOf(op)}`);
  }
  for (let i = 0; i < op.length; i++) {
    const c = op[i];
    if (typeof c === 'string') {
      if (c.length === 0) throw new OtError('op.malformed', `component ${i} inserts an empty string`);
    } else if (typeof c !== 'number' || !Number.isInteger(c) || c === 0 || c > MAX_COUNT || c < -MAX_COUNT) {
      throw new OtError('op.malformed', `component ${i} is ${kindOf(c)}, not a non-zero integer or a non-empty string`);
    }
  }
}

/**
 * The op's lengths, once they are known to be within MAX_LENGTH: an op spanning more than any text is
 * op.base_length_mismatch, one producing more is op.too_large. Sums are exact (each count is at most 2^31 - 1 and
 * summing stops past the ceiling, far below 2^53).
 */
function checkSpan(op) {
  const l = lengths(op);
  if (l.base > MAX_LENGTH) {
    throw new OtError('op.base_length_mismatch', `the operation spans more than ${MAX_LENGTH} code units; no text is that long`);
  }
  if (l.target > MAX_LENGTH) {
    throw new OtError('op.too_large', `the operation would make a text longer than ${MAX_LENGTH} code units, the most any text may have`);
  }
  return l;
}

/** What every function checks of its operations: each component (op.malformed), then the ceiling; returns the lengths. */
function checkShape(op) {
  checkComponents(op);
  return checkSpan(op);
}

function isHigh(code) {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLow(code) {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** True when `s` contains a surrogate that is not half of a well-formed pair. */
function hasLoneSurrogate(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isHigh(c)) {
      if (i + 1 >= s.length || !isLow(s.charCodeAt(i + 1))) return true;
      i++;
    } else if (isLow(c)) {
      return true;
    }
  }
  return false;
}

/** True when a cut at `pos` falls between the two halves of a surrogate pair of `text`. */
function splitsPair(text, pos) {
  return pos > 0 && pos < text.length && isHigh(text.charCodeAt(pos - 1)) && isLow(text.charCodeAt(pos));
}

/** Lengths of a well-formed op; once either passes MAX_LENGTH summing stops (the caller refuses the op). */
function lengths(op) {
  let base = 0;
  let target = 0;
  let inserted = 0;
  for (const c of op) {
    if (typeof c === 'string') {
      target += c.length;
      inserted += c.length;
    } else if (c > 0) {
      base += c;
      target += c;
    } else {
      base -= c;
    }
    if (base > MAX_LENGTH || target > MAX_LENGTH) break;
  }
  return { base, target, inserted };
}

/**
 * Builds canonical operations. A merged count is at most the length the built op spans or produces; the engine builds
 * only from ops within MAX_LENGTH, so counts stay below 3 * MAX_LENGTH < 2^31, as on the server.
 */
class Builder {
  constructor() {
    this.ops = [];
  }

  retain(n) {
    if (n <= 0) return;
    const o = this.ops;
    const last = o.length - 1;
    if (last >= 0 && typeof o[last] === 'number' && o[last] > 0) o[last] += n;
    else o.push(n);
  }

  insert(s) {
    if (!s) return;
    const o = this.ops;
    const last = o.length - 1;
    if (last >= 0 && typeof o[last] === 'string') {
      o[last] += s;
    } else if (last >= 0 && o[last] < 0) {
      // Canonical order: an insert goes before the delete it touches, joining an insert already there.
      if (last >= 1 && typeof o[last - 1] === 'string') o[last - 1] += s;
      else o.splice(last, 0, s);
    } else {
      o.push(s);
    }
  }

  /** `n` is the number of code units to delete (positive). */
  delete(n) {
    if (n <= 0) return;
    const o = this.ops;
    const last = o.length - 1;
    if (last >= 0 && typeof o[last] === 'number' && o[last] < 0) o[last] -= n;
    else o.push(-n);
  }

  add(c) {
    if (typeof c === 'string') this.insert(c);
    else if (c > 0) this.retain(c);
    else this.delete(-c);
  }
}

function canonical(op) {
  const b = new Builder();
  for (const c of op) b.add(c);
  return b.ops;
}

const RETAIN = 1;
const INSERT = 2;
const DELETE = 3;

/** Walks an operation, handing out parts of components. Past the end it reports kind 0 and length Infinity. */
class Cursor {
  constructor(op) {
    this.op = op;
    this.i = 0;
    this.off = 0;
  }

  get kind() {
    if (this.i >= this.op.length) return 0;
    const c = this.op[this.i];
    return typeof c === 'string' ? INSERT : c > 0 ? RETAIN : DELETE;
  }

  get remaining() {
    if (this.i >= this.op.length) return Infinity;
    const c = this.op[this.i];
    return (typeof c === 'string' ? c.length : Math.abs(c)) - this.off;
  }

  /** Consumes `n` units of the current component; returns the inserted text taken, if it is an insert. */
  take(n) {
    const c = this.op[this.i];
    let piece = null;
    if (typeof c === 'string') piece = this.off === 0 && n === c.length ? c : c.slice(this.off, this.off + n);
    this.off += n;
    if (this.off >= (typeof c === 'string' ? c.length : Math.abs(c))) {
      this.i++;
      this.off = 0;
    }
    return piece;
  }

  takeAll() {
    return this.take(this.remaining);
  }
}

function mergeLimits(limits) {
  if (limits == null) return DEFAULT_LIMITS;
  return { ...DEFAULT_LIMITS, ...limits };
}

/**
 * The op's own checks, in the order the server runs them: shape (op.malformed), component count (op.too_large),
 * lone surrogates in inserted text (op.splits_surrogate_pair), inserted length (op.too_large), then the ceiling
 * (op.base_length_mismatch past MAX_LENGTH spanned, op.too_large past MAX_LENGTH produced). Returns the lengths.
 */
function checkOp(op, limits) {
  checkComponents(op);
  if (op.length > limits.maxOpComponents) {
    throw new OtError('op.too_large', `the operation has ${op.length} components; at most ${limits.maxOpComponents} are allowed`);
  }
  let inserted = 0;
  for (const c of op) {
    if (typeof c === 'string') {
      if (hasLoneSurrogate(c)) {
        throw new OtError('op.splits_surrogate_pair', 'an inserted text contains half of a surrogate pair');
      }
      inserted += c.length;
    }
  }
  if (inserted > limits.maxOpInsertLength) {
    throw new OtError('op.too_large', `the operation inserts ${inserted} code units; at most ${limits.maxOpInsertLength} are allowed`);
  }
  return checkSpan(op);
}

/** Throws op.splits_surrogate_pair when a component of `op` starts inside a surrogate pair of `text`. */
function checkBoundaries(text, op) {
  let pos = 0;
  for (const c of op) {
    if (splitsPair(text, pos)) {
      throw new OtError('op.splits_surrogate_pair', `the operation cuts the text at ${pos}, inside a surrogate pair`);
    }
    if (typeof c !== 'string') pos += Math.abs(c);
  }
}

/**
 * Applies `op` to `text`, validating everything the spec lists. Checks run in this order: op.malformed,
 * op.too_large (components), op.splits_surrogate_pair (lone surrogate inserted), op.too_large (inserted length),
 * op.base_length_mismatch, document.too_large, op.splits_surrogate_pair (a boundary inside a pair of the text).
 * `limits` may override any of DEFAULT_LIMITS.
 */
export function apply(text, op, limits) {
  if (typeof text !== 'string') throw new TypeError('apply: text must be a string');
  const l = mergeLimits(limits);
  const { base, target } = checkOp(op, l);
  if (base !== text.length) {
    throw new OtError('op.base_length_mismatch', `the operation spans ${base} code units but the text has ${text.length}`);
  }
  if (target > l.maxDocumentLength) {
    throw new OtError('document.too_large', `the text would have ${target} code units; at most ${l.maxDocumentLength} are allowed`);
  }
  checkBoundaries(text, op);
  const parts = [];
  let pos = 0;
  for (const c of op) {
    if (typeof c === 'string') {
      parts.push(c);
    } else if (c > 0) {
      parts.push(pos === 0 && c === text.length ? text : text.slice(pos, pos + c));
      pos += c;
    } else {
      pos -= c;
    }
  }
  return parts.length === 1 ? parts[0] : parts.join('');
}

/** Length of the text `op` applies to. */
export function baseLength(op) {
  return checkShape(op).base;
}

/** Length of the text `op` produces. */
export function targetLength(op) {
  return checkShape(op).target;
}

/** The canonical form of `op` (a new array). */
export function normalize(op) {
  checkShape(op);
  return canonical(op);
}

/** True when `op` changes nothing (it only retains, or is empty). */
export function isNoop(op) {
  checkShape(op);
  return op.every((c) => typeof c === 'number' && c > 0);
}

/** One operation with the effect of `a` then `b`; requires targetLength(a) === baseLength(b). */
export function compose(a, b) {
  const la = checkShape(a);
  const lb = checkShape(b);
  if (la.target !== lb.base) {
    throw new OtError('op.base_length_mismatch', `cannot compose: the first operation produces ${la.target} code units, the second spans ${lb.base}`);
  }
  const x = new Cursor(canonical(a));
  const y = new Cursor(canonical(b));
  const out = new Builder();
  for (;;) {
    // a's deletes and b's inserts touch nothing of the other.
    if (x.kind === DELETE) {
      out.delete(x.remaining);
      x.takeAll();
      continue;
    }
    if (y.kind === INSERT) {
      out.insert(y.takeAll());
      continue;
    }
    if (x.kind === 0 && y.kind === 0) break;
    if (x.kind === 0 || y.kind === 0) throw new OtError('op.base_length_mismatch', 'cannot compose: the operations do not line up');
    const n = Math.min(x.remaining, y.remaining);
    if (x.kind === RETAIN) {
      if (y.kind === RETAIN) out.retain(n);
      else out.delete(n);
      x.take(n);
    } else {
      // x inserts: b keeps it or deletes it.
      const s = x.take(n);
      if (y.kind === RETAIN) out.insert(s);
    }
    y.take(n);
  }
  return out.ops;
}

/**
 * Rebases two concurrent operations on the same text over each other: returns [a', b'] with
 * apply(apply(s, a), b') === apply(apply(s, b), a'). On inserts at the same position b's insert goes first:
 * b is the operation sequenced earlier (the server calls transform(incoming, committed); a client calls
 * transform(pending, incomingFromServer)).
 */
export function transform(a, b) {
  const la = checkShape(a).base;
  const lb = checkShape(b).base;
  if (la !== lb) {
    throw new OtError('op.base_length_mismatch', `cannot transform operations over ${la} and ${lb} code units`);
  }
  const x = new Cursor(canonical(a));
  const y = new Cursor(canonical(b));
  const ap = new Builder();
  const bp = new Builder();
  for (;;) {
    if (y.kind === INSERT) {
      const s = y.takeAll();
      bp.insert(s);
      ap.retain(s.length);
      continue;
    }
    if (x.kind === INSERT) {
      const s = x.takeAll();
      ap.insert(s);
      bp.retain(s.length);
      continue;
    }
    if (x.kind === 0 && y.kind === 0) break;
    if (x.kind === 0 || y.kind === 0) throw new OtError('op.base_length_mismatch', 'cannot transform: the operations do not line up');
    const n = Math.min(x.remaining, y.remaining);
    if (x.kind === RETAIN && y.kind === RETAIN) {
      ap.retain(n);
      bp.retain(n);
    } else if (x.kind === DELETE && y.kind === RETAIN) {
      ap.delete(n);
    } else if (x.kind === RETAIN && y.kind === DELETE) {
      bp.delete(n);
    }
    // Both delete the same text: nothing is left to do for either.
    x.take(n);
    y.take(n);
  }
  // The text both ops make together can pass the ceiling (each may insert up to it); it stays below 2^31.
  if (lengths(ap.ops).target > MAX_LENGTH) {
    throw new OtError('document.too_large', `together the operations would make a text longer than ${MAX_LENGTH} code units, the most any text may have`);
  }
  return [ap.ops, bp.ops];
}

/**
 * The operation that undoes `op`, given the text `op` applies to: apply(apply(text, op), invert(op, text)) === text.
 * Checks op.malformed and op.base_length_mismatch.
 */
export function invert(op, text) {
  if (typeof text !== 'string') throw new TypeError('invert: text must be a string');
  const { base } = checkShape(op);
  if (base !== text.length) {
    throw new OtError('op.base_length_mismatch', `the operation spans ${base} code units but the text has ${text.length}`);
  }
  const out = new Builder();
  let pos = 0;
  for (const c of op) {
    if (typeof c === 'string') {
      out.delete(c.length);
    } else if (c > 0) {
      out.retain(c);
      pos += c;
    } else {
      out.insert(text.slice(pos, pos - c));
      pos -= c;
    }
  }
  return out.ops;
}

/**
 * Moves a position of the base text of `op` through `op` (its canonical form). An insert exactly at the position
 * moves it right with affinity "after" and leaves it with "before"; a position inside a deleted range (or at its
 * end) collapses to where the range was, after any text inserted there. Positions outside [0, baseLength] are
 * clamped into it first.
 */
export function transformPosition(pos, op, affinity = 'before') {
  if (typeof pos !== 'number' || !Number.isInteger(pos)) throw new TypeError('transformPosition: position must be an integer');
  if (affinity !== 'before' && affinity !== 'after') throw new TypeError('transformPosition: affinity must be "before" or "after"');
  const { base } = checkShape(op);
  const c = canonical(op);
  let p = pos < 0 ? 0 : pos > base ? base : pos;
  let index = 0; // position in the base text
  let moved = 0; // the same place in the target text
  for (const comp of c) {
    if (typeof comp === 'string') {
      if (index < p || affinity === 'after') moved += comp.length;
      else return moved;
    } else if (comp > 0) {
      if (p < index + comp) return moved + (p - index);
      index += comp;
      moved += comp;
    } else {
      if (p < index - comp) return moved;
      index -= comp;
    }
  }
  return moved + (p - index);
}
