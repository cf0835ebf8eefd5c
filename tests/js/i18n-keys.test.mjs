// Every string key the web client asks for by name exists in English and in French (a missing key would show the key
// itself, or English on a French page). Dynamic keys (`session.status.${status}`) are checked by their tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STRINGS } from '../../src/Web/wwwroot/js/i18n.js';

const root = new URL('../../src/Web/wwwroot/js/', import.meta.url).pathname;

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'lib' || e.name === 'strings' ? [] : sources(join(dir, e.name))) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

/** `t('key'`, `i18n.t("key"`, `translate(lang, 'key'` with a literal key; also `key: 'section.name'` entries of label tables. */
function keysIn(text) {
  const keys = new Set();
  for (const m of text.matchAll(/\bt\(\s*['"]([a-z][\w-]*(?:\.[\w-]+)+)['"]/g)) keys.add(m[1]);
  for (const m of text.matchAll(/\btranslate\(\s*\w+\s*,\s*['"]([a-z][\w-]*(?:\.[\w-]+)+)['"]/g)) keys.add(m[1]);
  return keys;
}

test('every key the client names is in both the English and the French table', () => {
  const missing = [];
  let count = 0;
  for (const file of sources(root)) {
    for (const key of keysIn(readFileSync(file, 'utf8'))) {
      count++;
      if (key === 'app.name') continue; // the product's name, the same in every language
      for (const lang of ['en', 'fr']) if (!Object.hasOwn(STRINGS[lang], key)) missing.push(`${lang} ${key} (${file.slice(root.length)})`);
    }
  }
  assert.ok(count > 200, `only ${count} keys found: the scan is broken`);
  assert.deepEqual(missing, []);
});

test('the scan finds a key that is not there', () => {
  assert.deepEqual([...keysIn("x = t('console.nothing.here'); y = i18n.t(\"join.title\")")], ['console.nothing.here', 'join.title']);
});

test('no French string is a copy of the English one, but for words that are the same in both languages', () => {
  // Each entry is checked by a person: the French word is the English one.
  const same = new Set(['Documents', 'Phase', 'Pause', 'Minutes', 'Message', 'Version', 'Sources ({count})', '{from} → {to}', '{group} ({session})', '{label}', '{what} ({language})', 'Participants', 'Actions', 'Phases', '—', '{group} — {title}', 'Document {n}']);
  const copies = Object.keys(STRINGS.en).filter((k) => k !== 'app.name' && STRINGS.fr[k] === STRINGS.en[k] && !same.has(STRINGS.en[k]));
  assert.deepEqual(copies, []);
});
