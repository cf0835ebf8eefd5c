// A recommendation's title in the reader's language, and who may change which title (rec-titles.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { titleIn, canEditTitle, titleRows, proposedTitles } from '../../src/Web/wwwroot/js/rec-titles.js';

const view = {
  id: 'r1',
  title: 'Joint border committees',
  titles: { fr: 'Comités frontaliers conjoints' },
  staleTitles: [],
  languageOfRecord: 'en',
  texts: [{ language: 'en' }, { language: 'fr' }],
  status: 'proposed',
  authorId: 'awa',
};
const awa = { participantId: 'awa', role: 'participant' };
const kofi = { participantId: 'kofi', role: 'participant' };
const rapporteur = { participantId: 'r', role: 'rapporteur' };

test('the reader sees the title in their language, else the title of record', () => {
  assert.deepEqual(titleIn(view, 'fr'), { text: 'Comités frontaliers conjoints', language: 'fr' });
  assert.deepEqual(titleIn(view, 'en'), { text: 'Joint border committees', language: 'en' });
  assert.deepEqual(titleIn({ ...view, titles: { fr: '  ' } }, 'fr'), { text: 'Joint border committees', language: 'en' });
  // A board summary has no language of record and, from older servers, no titles.
  assert.deepEqual(titleIn({ title: 'Radio' }, 'fr'), { text: 'Radio', language: null });
});

test('the author changes titles while it is open; rapporteurs and facilitators always; observers and others never', () => {
  assert.equal(canEditTitle(view, awa, 'en'), true);
  assert.equal(canEditTitle(view, awa, 'fr'), true);
  assert.equal(canEditTitle(view, kofi, 'fr'), false);
  assert.equal(canEditTitle(view, { participantId: 'o', role: 'observer' }, 'fr'), false);
  const adopted = { ...view, status: 'adopted' };
  assert.equal(canEditTitle(adopted, awa, 'fr'), false);
  assert.equal(canEditTitle(adopted, rapporteur, 'en'), false);
  assert.equal(canEditTitle(adopted, rapporteur, 'fr'), true);
  assert.equal(canEditTitle({ ...view, status: 'merged' }, rapporteur, 'fr'), false);
});

test('one row per language, the language of record first, a translation behind its title of record marked so', () => {
  const rows = titleRows({ ...view, languageOfRecord: 'fr', title: 'Comités', titles: { en: 'Committees' }, staleTitles: ['en'] }, kofi);
  assert.deepEqual(rows.map((r) => [r.language, r.ofRecord, r.title, r.stale, r.editable]), [
    ['fr', true, 'Comités', false, false],
    ['en', false, 'Committees', true, false],
  ]);
  const none = titleRows({ ...view, titles: {} }, rapporteur);
  assert.deepEqual(none.map((r) => [r.language, r.title, r.editable]), [['en', 'Joint border committees', true], ['fr', null, true]]);
});

test('a proposal sends the titles typed for the other languages only, trimmed, and none when none was typed', () => {
  assert.deepEqual(proposedTitles(['en', 'fr'], 'en', { en: 'ignored', fr: '  Comités  ' }), { fr: 'Comités' });
  assert.equal(proposedTitles(['en', 'fr'], 'en', { fr: '   ' }), undefined);
  assert.equal(proposedTitles(['en', 'fr'], 'fr', { fr: 'Comités' }), undefined);
});
