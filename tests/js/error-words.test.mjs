// Refusals in words (errors.js and the error.* table of i18n.js): every code the documentation lists, every code
// the server's source can produce and the issue 14 contract's new codes have a sentence in English and French; the
// one function the client uses turns hub and HTTP errors into those sentences, never into a code or the server's
// English; French sentences follow French typography.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STRINGS, translate, frenchTypography } from '../../src/Web/wwwroot/js/i18n.js';
import { describeError, errorKey } from '../../src/Web/wwwroot/js/errors.js';
import { ApiError } from '../../src/Web/wwwroot/js/api.js';
import { CollabError } from '../../src/Web/wwwroot/js/collab-client.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CODE = /^[a-z][a-z0-9_]*(\.[a-z0-9_*]+)+$/;
const FILE_NAME = /\.(js|mjs|md|cs|json|key|png|csv|docx|html|txt|xml)$/;
const en = (key, params) => translate('en', key, params);
const fr = (key, params) => translate('fr', key, params);

function hasSentence(code) {
  const key = `error.${code}`;
  return Object.hasOwn(STRINGS.en, key) && Object.hasOwn(STRINGS.fr, key) && STRINGS.en[key] !== STRINGS.fr[key];
}

/** Backticked names in the docs that look like codes: `document.not_a_member`, `roster.*`, `recommendation.*_too_long`. */
function documentedCodes() {
  // Not codes: file names, and JSON fields the docs name (workshops.md's introduction; OpenDocument's access).
  const notCodes = new Set(['timer.duration', 'access.mode', 'access.reason']);
  const codes = new Set();
  for (const doc of ['protocol.md', 'workshops.md', 'recommendations.md', 'outcome.md']) {
    const text = readFileSync(join(root, 'docs', doc), 'utf8');
    for (const [, name] of text.matchAll(/`([^`\s]+)`/g)) {
      if (CODE.test(name) && !FILE_NAME.test(name) && !notCodes.has(name)) codes.add(name);
    }
  }
  return codes;
}

function csFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'bin' || name === 'obj') return [];
    return statSync(path).isDirectory() ? csFiles(path) : name.endsWith('.cs') ? [path] : [];
  });
}

/**
 * Every code the server's source can produce: its code-like string literals, except instrument names (`collab.*`)
 * and file names (the signing key, word lists); a literal given to the text-cleaning rules (`CleanText`, `Text`) is a prefix of the
 * codes they make (`…_invalid`, `…_too_long`, `…_required`); codes built from a field's name are listed by hand.
 */
function sourceCodes() {
  const codes = new Set();
  const prefixes = new Set();
  for (const file of csFiles(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const [, literal] of text.matchAll(/"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"/g)) {
      if (literal.startsWith('collab.') || literal === 'signing.key' || FILE_NAME.test(literal)) continue;
      codes.add(literal);
    }
    for (const [, prefix] of text.matchAll(/\b(?:CleanText|Text)\([^;]*?"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"/g)) prefixes.add(prefix);
    for (const [, prefix] of text.matchAll(/\b(?:CleanText|Text)\([^;]*?"([a-z][a-z0-9_]*\.)" \+ field/g)) prefixes.add(prefix);
  }
  for (const prefix of prefixes) codes.delete(prefix);
  return { codes, prefixes };
}

const CONTRACT_CODES = [
  'document.read_only', 'document.not_a_member', 'document.locked', 'document.phase_read_only', 'document.suggest_only',
  'document.status_locked', 'phase.propose_closed', 'phase.comment_closed', 'phase.suggest_closed', 'phase.endorse_closed',
];

// Codes whose names the server builds from a field (RecommendationGrain.Clean and Name, WorkshopRules.Names).
const BUILT_FROM_FIELDS = [
  'recommendation.title_required', 'recommendation.title_too_long', 'recommendation.title_invalid',
  'recommendation.theme_too_long', 'recommendation.theme_invalid', 'recommendation.origin_too_long', 'recommendation.origin_invalid',
  'recommendation.note_too_long', 'recommendation.text_required', 'recommendation.text_too_long',
  'recommendation.reservation_required', 'recommendation.reservation_too_long',
  'workshop.organisers_too_many', 'workshop.organisers_too_long', 'workshop.organisers_invalid',
  'workshop.funders_too_many', 'workshop.funders_too_long', 'workshop.funders_invalid',
];

// What the web client itself produces (api.js, collab-client.js, ot.js, editor.js).
const CLIENT_CODES = ['client.network', 'client.diverged', 'client.protocol', 'client.error', 'document.closed'];

test('every code the docs list has a sentence in English and in French', () => {
  const documented = documentedCodes();
  assert.ok(documented.size > 80, `only ${documented.size} codes found in the docs`);
  const { codes: inSource } = sourceCodes();
  const missing = [];
  for (const code of documented) {
    if (code.includes('*')) {
      // `roster.*`, `recommendation.*_too_long`: every code of the source that the pattern names.
      const pattern = new RegExp(`^${code.replace(/\./g, '\\.').replace(/\*/g, '[a-z0-9_]*')}$`);
      const named = [...inSource, ...BUILT_FROM_FIELDS].filter((c) => pattern.test(c));
      assert.ok(named.length > 0, `${code} names no code of the source`);
      missing.push(...named.filter((c) => !hasSentence(c)));
    } else if (!hasSentence(code)) missing.push(code);
  }
  assert.deepEqual([...new Set(missing)], []);
});

test('every code the server can produce, the contract’s new ones and the client’s own have a sentence in both languages', () => {
  const { codes, prefixes } = sourceCodes();
  assert.ok(codes.size > 150, `only ${codes.size} codes found in src`);
  assert.ok(prefixes.has('participant.name') && prefixes.has('recommendation.'), 'the text-cleaning prefixes are found');
  const built = [...prefixes].filter((p) => !p.endsWith('.')).map((p) => `${p}_invalid`);
  const all = [...codes, ...built, ...CONTRACT_CODES, ...BUILT_FROM_FIELDS, ...CLIENT_CODES];
  assert.deepEqual(all.filter((c) => !hasSentence(c)), []);
});

test('sentences are plain words: no code, no placeholder left, French with French typography', () => {
  for (const [key, text] of Object.entries(STRINGS.en).filter(([k]) => k.startsWith('error.'))) {
    const french = STRINGS.fr[key];
    for (const sentence of [text, french]) {
      assert.doesNotMatch(sentence, /\b[a-z]+\.[a-z_]+\b/, `${key} shows a code: ${sentence}`);
      assert.doesNotMatch(sentence, /\{\w+\}/, `${key} has a placeholder`);
      assert.match(sentence, /[.!?]$/, `${key} is a sentence`);
    }
    assert.doesNotMatch(french, / [:;!?»%]|« /, `${key}: French wants a no-break space there: ${french}`);
  }
  assert.equal(frenchTypography('Statut : « adoptée » ; vraiment ? 100 %'), 'Statut\u00a0: «\u00a0adoptée\u00a0»\u202f; vraiment\u202f? 100\u202f%');
});

test('a hub refusal, an HTTP problem and a local refusal become the sentence of their code, never the code or the server’s text', () => {
  const hub = new Error("An unexpected error occurred invoking 'SubmitOp' on the server. HubException: document.not_a_member: Only members of the group in room 'd1.g1' edit 'x'.");
  assert.equal(describeError(hub, fr), 'Seul·es les membres du groupe (ainsi que l’équipe de facilitation et les rapporteur·ses) modifient ce document.');
  const http = new ApiError(409, 'recommendation.not_adoptable', 'Adoption needs 67 % of the voices in favour.');
  assert.equal(describeError(http, en), 'The endorsements do not allow adoption under the current rule yet.');
  assert.equal(describeError(new CollabError('op.too_large', 'inserts 70000 code units'), en), en('error.op.too_large'));
  assert.equal(describeError({ code: 'phase.endorse_closed' }, fr), 'Les soutiens ne sont pas ouverts dans cette phase de la séance.');
});

test('an unknown code is said by its family, else by its HTTP status, else generically', () => {
  assert.equal(errorKey(new ApiError(400, 'workshop.sponsors_too_long', 'x')), 'error.any.too_long');
  assert.equal(errorKey(new ApiError(400, 'roster.phone_invalid', 'x')), 'error.any.invalid');
  assert.equal(errorKey(new ApiError(404, 'minutes.not_found', 'x')), 'error.any.not_found');
  assert.equal(errorKey(new ApiError(403, 'minutes.chair_only', 'x')), 'error.any.forbidden');
  assert.equal(errorKey(new ApiError(409, 'phase.vote_closed', 'x')), 'error.any.closed');
  assert.equal(errorKey(new ApiError(409, null, 'HTTP 409')), 'error.any.conflict');
  assert.equal(errorKey(new ApiError(502, null, 'Bad gateway')), 'error.server.error');
  assert.equal(errorKey(new ApiError(0, 'client.network', 'Failed to fetch')), 'error.client.network');
  assert.equal(errorKey({ statusCode: 503, message: 'Service Unavailable' }), 'error.server.unavailable');
  assert.equal(errorKey(new Error("Cannot invoke 'OpenDocument': not connected.")), 'error.unknown');
  assert.equal(errorKey(null), 'error.unknown');
  assert.equal(describeError(new Error('System.InvalidOperationException at …'), fr), 'Une erreur est survenue. Veuillez réessayer.');
  for (const key of ['error.any.too_long', 'error.any.required', 'error.any.invalid', 'error.any.too_many', 'error.any.not_found', 'error.any.forbidden', 'error.any.closed', 'error.any.conflict', 'error.unknown']) {
    assert.notEqual(fr(key), key);
  }
});
