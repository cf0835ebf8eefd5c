// Unit tests of the pure parts of the group documents view and of a note's history: the shared history module
// (text-history.js: the revision at an instant, what a restore does, times; grouping and the diff are also covered by
// recommendation-page.test.mjs through rec-model.js, which re-exports them), and notes-model.js (groups by round,
// documents' titles, the guidance an empty document shows in each language). The view runs in a real browser
// (tests/Collab.BrowserTests/GroupNotesForFacilitatorsInTheBrowserTests.cs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createI18n, STRINGS } from '../../src/Web/wwwroot/js/i18n.js';
import * as recModel from '../../src/Web/wwwroot/js/rec-model.js';
import { formatSpan, groupHistory, restoreSummary, revisionAt, suggestionFromEdit, wordDiff } from '../../src/Web/wwwroot/js/text-history.js';
import { groupDocuments, groupsByRound, guidanceFor, roundOf } from '../../src/Web/wwwroot/js/notes-model.js';

const ops = [
  { revision: 1, authorId: 'p1', authorName: 'Adjoa', committedAt: '2026-12-06T10:00:00Z', clientId: 'c1', op: ['Radio'] },
  { revision: 2, authorId: 'p1', authorName: 'Adjoa', committedAt: '2026-12-06T10:00:05Z', clientId: 'c1', op: [5, ' works'] },
  { revision: 3, authorId: 'p2', authorName: 'Koffi', committedAt: '2026-12-06T10:20:00Z', clientId: 'c2', op: [11, '.'] },
];

test('the recommendation page and the notes share one history module', () => {
  assert.equal(recModel.groupHistory, groupHistory);
  assert.equal(recModel.wordDiff, wordDiff);
  assert.equal(recModel.suggestionFromEdit, suggestionFromEdit);
});

test('changes are grouped by author and time, and the text follows the ops', () => {
  const { changes, text } = groupHistory('', ops);
  assert.equal(text, 'Radio works.');
  assert.deepEqual(
    changes.map((c) => [c.authorName, c.fromRevision, c.toRevision, c.edits]),
    [['Adjoa', 0, 2, 2], ['Koffi', 2, 3, 1]],
  );
});

test('the revision in force at an instant is the last one committed by then', () => {
  assert.equal(revisionAt(ops, '2026-12-06T09:59:59Z'), 0);
  assert.equal(revisionAt(ops, '2026-12-06T10:00:00Z'), 1);
  assert.equal(revisionAt(ops, Date.parse('2026-12-06T10:10:00Z')), 2);
  assert.equal(revisionAt(ops, new Date('2026-12-07T00:00:00Z')), 3);
  assert.equal(revisionAt([], '2026-12-06T10:10:00Z'), 0);
  assert.equal(revisionAt(ops, 'not a time'), null);
  assert.equal(revisionAt(ops, undefined), null);
});

test('a restore says what it changes in words, and nothing when the text is already that version', () => {
  assert.deepEqual(restoreSummary('Radio works. Vandalised text here', 'Radio works.'), { same: false, removed: 3, added: 0 });
  assert.deepEqual(restoreSummary('Radio', 'Radio works well'), { same: false, removed: 0, added: 2 });
  assert.deepEqual(restoreSummary('Same text', 'Same text'), { same: true, removed: 0, added: 0 });
});

test('a stretch of work writes its day once', () => {
  const span = formatSpan('2026-12-06T10:00:00Z', '2026-12-06T10:14:00Z', 'en-GB');
  assert.match(span, /^\d\d\/\d\d\/2026,? \d\d:\d\d – \d\d:\d\d$/);
  assert.equal(formatSpan('x', 'y', 'en'), '');
});

test('groups are listed by round, earliest first, with their documents titled in the reader’s language', () => {
  const groups = [
    { id: 'g1', name: 'Group 1', documents: [{ docId: 'w.s.g1.a', section: 'best-practices', titles: { en: 'Best practices', fr: 'Bonnes pratiques' } }] },
    { id: 'r2-g1', name: 'Radio', documents: [{ docId: 'w.s.r2-g1.a', section: 'x', titles: { en: 'Ideas' }, guidance: { en: 'Anything.' } }] },
    { id: 'g2', name: 'Group 2', documents: [] },
  ];
  assert.equal(roundOf('g1'), 1);
  assert.equal(roundOf('r12-g3'), 12);
  assert.deepEqual(groupsByRound(groups).map((r) => [r.round, r.groups.map((g) => g.id)]), [[1, ['g1', 'g2']], [2, ['r2-g1']]]);
  assert.deepEqual(
    groupDocuments(groups, 'fr').map((d) => [d.groupName, d.title]),
    [['Group 1', 'Bonnes pratiques'], ['Radio', 'Ideas']],
  );
});

test('an empty document says what to write, in the reader’s language, from its template first', () => {
  for (const lang of ['en', 'fr']) {
    const { t } = createI18n(lang);
    const own = { section: 'draft-recommendations', guidance: { en: 'One per block.', fr: 'Une par bloc.' } };
    assert.equal(guidanceFor(own, lang, t), lang === 'en' ? 'One per block.' : 'Une par bloc.');
    assert.equal(guidanceFor({ section: 'best-practices' }, lang, t), STRINGS[lang]['notes.guidance.best-practices']);
    assert.equal(guidanceFor({ section: 'unknown', guidance: { en: 'Only English.' } }, lang, t), 'Only English.');
    assert.equal(guidanceFor({ section: 'unknown' }, lang, t), STRINGS[lang]['notes.guidance.group']);
    assert.equal(guidanceFor({}, lang, t, { plenary: true }), STRINGS[lang]['notes.guidance.plenary']);
    assert.equal(guidanceFor(own, lang, t, { canEdit: false }), STRINGS[lang]['notes.guidance.readOnly']);
  }
  // The well-known sections of the default template each have their own guidance, in both languages.
  for (const section of ['best-practices', 'lessons-learnt', 'challenges', 'group-report']) {
    const key = `notes.guidance.${section}`;
    assert.ok(STRINGS.en[key] && STRINGS.fr[key] && STRINGS.en[key] !== STRINGS.fr[key], key);
  }
});
