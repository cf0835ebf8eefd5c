// Runs every shared vector of tests/vectors/ot.json (also run by the C# engine) against ot.js, and checks that the
// expected ops are canonical and agree with brute force (apply both sides, apply sequentially).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as ot from '../../src/Web/wwwroot/js/ot.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/ot.json', import.meta.url), 'utf8'));
const CODES = new Set(['op.malformed', 'op.base_length_mismatch', 'op.splits_surrogate_pair', 'op.too_large', 'document.too_large']);

function assertCanonical(op, what) {
  assert.deepEqual(ot.normalize(op), op, `${what} is not canonical`);
}

function assertThrowsCode(fn, code) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof ot.OtError, `expected an OtError, got ${err}`);
    assert.ok(err instanceof Error);
    assert.equal(err.code, code);
    return true;
  });
}

test('vector file shape', () => {
  assert.deepEqual(Object.keys(vectors), ['apply', 'compose', 'transform', 'invert', 'transformPosition']);
  const total = Object.values(vectors).reduce((n, list) => n + list.length, 0);
  assert.ok(total >= 60, `only ${total} vectors`);
  const seen = new Set();
  for (const v of vectors.apply) if ('error' in v) seen.add(v.error);
  assert.deepEqual([...seen].sort(), [...CODES].sort(), 'every error code has an apply vector');
  for (const [section, list] of Object.entries(vectors)) {
    const names = new Set();
    for (const v of list) {
      assert.equal(typeof v.name, 'string');
      assert.ok(!names.has(v.name), `duplicate name ${section}/${v.name}`);
      names.add(v.name);
      if ('error' in v) assert.ok(CODES.has(v.error), `${v.name}: unknown code ${v.error}`);
    }
  }
});

test('apply vectors', async (t) => {
  for (const v of vectors.apply) {
    await t.test(v.name, () => {
      if ('error' in v) {
        assertThrowsCode(() => ot.apply(v.text, v.op, v.limits), v.error);
      } else {
        assert.equal(ot.apply(v.text, v.op, v.limits), v.result);
      }
    });
  }
});

test('compose vectors', async (t) => {
  for (const v of vectors.compose) {
    await t.test(v.name, () => {
      if ('error' in v) {
        assertThrowsCode(() => ot.compose(v.a, v.b), v.error);
        return;
      }
      assertCanonical(v.result, 'result');
      assert.deepEqual(ot.compose(v.a, v.b), v.result);
      // Vectors at the engine's ceiling (2^29 code units) carry no text: too long to build here.
      if ('text' in v) assert.equal(ot.apply(v.text, v.result), ot.apply(ot.apply(v.text, v.a), v.b));
    });
  }
});

test('transform vectors', async (t) => {
  for (const v of vectors.transform) {
    await t.test(v.name, () => {
      if ('error' in v) {
        assertThrowsCode(() => ot.transform(v.a, v.b), v.error);
        return;
      }
      assertCanonical(v.aPrime, 'aPrime');
      assertCanonical(v.bPrime, 'bPrime');
      const [aPrime, bPrime] = ot.transform(v.a, v.b);
      assert.deepEqual(aPrime, v.aPrime);
      assert.deepEqual(bPrime, v.bPrime);
      if ('text' in v) assert.equal(ot.apply(ot.apply(v.text, v.a), v.bPrime), ot.apply(ot.apply(v.text, v.b), v.aPrime));
    });
  }
});

test('invert vectors', async (t) => {
  for (const v of vectors.invert) {
    await t.test(v.name, () => {
      if ('error' in v) {
        assertThrowsCode(() => ot.invert(v.op, v.text), v.error);
        return;
      }
      assertCanonical(v.inverse, 'inverse');
      assert.deepEqual(ot.invert(v.op, v.text), v.inverse);
      assert.equal(ot.apply(ot.apply(v.text, v.op), v.inverse), v.text);
    });
  }
});

test('transformPosition vectors', async (t) => {
  for (const v of vectors.transformPosition) {
    await t.test(v.name, () => {
      if ('error' in v) {
        assertThrowsCode(() => ot.transformPosition(v.position, v.op, v.affinity), v.error);
        return;
      }
      assert.equal(ot.transformPosition(v.position, v.op, v.affinity), v.result);
    });
  }
});
