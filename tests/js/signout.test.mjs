// What a device keeps of someone who signed out (signout.js): the way back with one click only when remembered, and
// never the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resumableIdentity, saveSignedOut, signedOut, signedOutRecord } from '../../src/Web/wwwroot/js/signout.js';

const identity = { workshopId: 'w1', code: 'PART-1234', token: 'secret.jwt', rejoinKey: 'kJZMwwDrfz', participant: { id: 'p1', name: 'Awa', role: 'participant' } };

function memory() {
  const map = new Map();
  return { getItem: (k) => map.get(k) ?? null, setItem: (k, v) => map.set(k, String(v)), removeItem: (k) => map.delete(k), map };
}

test('a remembered sign-out keeps the code and the rejoin key, never the token', () => {
  const record = signedOutRecord(identity, true);
  assert.deepEqual(record, { workshopId: 'w1', code: 'PART-1234', participant: { id: 'p1', name: 'Awa' }, rejoinKey: 'kJZMwwDrfz' });
  assert.ok(!JSON.stringify(record).includes('secret.jwt'));
  assert.deepEqual(resumableIdentity(record), { workshopId: 'w1', code: 'PART-1234', rejoinKey: 'kJZMwwDrfz', participant: { id: 'p1', name: 'Awa' }, token: null });
});

test('a sign-out on a shared computer keeps only what fills the form in', () => {
  const record = signedOutRecord(identity, false);
  assert.equal(record.rejoinKey, undefined);
  assert.equal(resumableIdentity(record), null);
  assert.equal(record.code, 'PART-1234');
});

test('the record is stored, read back and forgotten; a damaged one reads as none', () => {
  const storage = memory();
  assert.equal(signedOut(storage), null);
  saveSignedOut(storage, signedOutRecord(identity, true));
  assert.equal(signedOut(storage).participant.name, 'Awa');
  saveSignedOut(storage, null);
  assert.equal(signedOut(storage), null);
  storage.setItem('collab.signedOut', '{not json');
  assert.equal(signedOut(storage), null);
  storage.setItem('collab.signedOut', JSON.stringify({ code: 'x' }));
  assert.equal(signedOut(storage), null);
});
