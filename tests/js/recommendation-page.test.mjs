// Unit tests of the pure parts of the recommendation page and of proposing from notes: paragraph alignment and stale
// flags (counted as the server counts them), a suggestion from an edit, history grouped into readable changes, the
// word-level diff, the status actions per role, access → editor mode and its words, refusals in words, and the
// passage helpers of propose.js. The pages themselves run in a real browser (tests/Collab.BrowserTests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { STRINGS, createI18n } from '../../src/Web/wwwroot/js/i18n.js';
import { apply } from '../../src/Web/wwwroot/js/ot.js';
import { diffOp } from '../../src/Web/wwwroot/js/collab-client.js';
import {
  ACCESS_REFUSALS, accessFromRefusal, accessNotice, accessSentence, editorAccess, isAccessRefusal, phaseName, recommendationFallback,
} from '../../src/Web/wwwroot/js/access.js';
import {
  alignParagraphs, codeOf, decidesSuggestions, describeSuggestion, groupHistory, inlineSuggestions, moveRange,
  overlaySegments, paragraphs, phaseAllows, resolvesComment, staleMarks, statusActions, suggestionFromEdit, textsInOrder, tokens,
  wordDiff,
} from '../../src/Web/wwwroot/js/rec-model.js';
import { matchesSearch, openRecommendations, titleFromPassage } from '../../src/Web/wwwroot/js/propose.js';
import { recommendationFromHash } from '../../src/Web/wwwroot/js/recommendation.js';
import { mulberry32 } from './support.mjs';

const en = createI18n('en');
const fr = createI18n('fr');

// ------------------------------------------------------------------------------------------ paragraphs

test('paragraphs are blank-line separated blocks, trimmed, empty ones left out, as the server counts them', () => {
  // RecommendationGrain.Paragraphs: Replace("\r\n", "\n").Split("\n\n").Select(Trim).Where(not empty)
  const text = 'Create joint committees.\n\n\nTrain officers.  \n\n   \n\nEvery year.';
  assert.deepEqual(paragraphs(text).map((p) => p.text), ['Create joint committees.', 'Train officers.', 'Every year.']);
  for (const p of paragraphs(text)) assert.equal(text.slice(p.start, p.end), p.text);
  assert.deepEqual(paragraphs('A\r\n\r\nB').map((p) => p.text), ['A', 'B']);
  assert.deepEqual(paragraphs('One paragraph\nwith two lines.').map((p) => p.text), ['One paragraph\nwith two lines.']);
  assert.deepEqual(paragraphs(''), []);
  assert.deepEqual(paragraphs('\n\n\n\n'), []);
});

test('paragraph i of the translation sits beside paragraph i of the text of record, flagged when stale', () => {
  const record = 'Create joint committees.\n\nTrain border officers.\n\nMeet every quarter.';
  const translation = 'Créer des comités conjoints.\n\nFormer les agents.';
  const rows = alignParagraphs(record, translation, [1, 2]);
  assert.deepEqual(
    rows.map((r) => [r.index, r.record?.text ?? null, r.translation?.text ?? null, r.stale]),
    [
      [0, 'Create joint committees.', 'Créer des comités conjoints.', false],
      [1, 'Train border officers.', 'Former les agents.', true],
      [2, 'Meet every quarter.', null, true],
    ],
  );
  // A translation longer than its record keeps its extra paragraph, unflagged.
  assert.deepEqual(alignParagraphs('A', 'A\n\nB', []).map((r) => [r.record?.text ?? null, r.translation.text, r.stale]), [['A', 'A', false], [null, 'B', false]]);
});

test('stale paragraphs are marked where they are in the translation; a missing one has nothing to mark', () => {
  const translation = 'Créer des comités.\n\nFormer les agents.';
  const marks = staleMarks(translation, [1, 2, 1]);
  assert.deepEqual(marks, [{ id: 'stale-1', kind: 'stale', start: 20, end: 38 }]);
  assert.equal(translation.slice(20, 38), 'Former les agents.');
});

// ------------------------------------------------------------------------------------------ suggestions

test('a suggestion from an edit replaces whole words, inserts between words, and changes nothing when nothing changed', () => {
  const before = 'Train officers every year.';
  assert.deepEqual(suggestionFromEdit(before, 'Train officials every year.'), { start: 6, end: 14, replacement: 'officials' });
  assert.deepEqual(suggestionFromEdit(before, 'Train customs officers every year.'), { start: 6, end: 6, replacement: 'customs ' });
  assert.deepEqual(suggestionFromEdit(before, 'Train officers.'), { start: 14, end: 25, replacement: '' });
  assert.deepEqual(suggestionFromEdit(before, 'Train office every year.'), { start: 6, end: 14, replacement: 'office' });
  assert.deepEqual(suggestionFromEdit('Former les agents.', 'Former les agents frontaliers.'), { start: 17, end: 17, replacement: ' frontaliers' });
  assert.equal(suggestionFromEdit(before, before), null);
  // Applying it gives the edited text back, and a pair is never cut.
  for (const [a, b] of [['a😀b', 'a😃b'], ['x😀', 'x'], ['Créer des comités', 'Créer des comités mixtes'], ['', 'new'], ['old', '']]) {
    const s = suggestionFromEdit(a, b);
    assert.equal(a.slice(0, s.start) + s.replacement + a.slice(s.end), b);
    assert.ok(!/[\uDC00-\uDFFF]/.test(a[s.start] ?? '') || s.start === 0);
  }
});

test('a random edit always becomes a suggestion that reproduces it', () => {
  const random = mulberry32(14);
  const alphabet = ['a', 'b', ' ', 'é', '\n', 'x', '😀'];
  const word = () => Array.from({ length: Math.floor(random() * 12) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  for (let i = 0; i < 500; i++) {
    const a = word();
    const cut = Math.floor(random() * (a.length + 1));
    const b = a.slice(0, cut) + word() + a.slice(Math.min(a.length, cut + Math.floor(random() * 4)));
    const s = suggestionFromEdit(a, b);
    if (a === b) {
      assert.equal(s, null);
      continue;
    }
    assert.equal(a.slice(0, s.start) + s.replacement + a.slice(s.end), b, JSON.stringify({ a, b, s }));
  }
});

test('suggestions read as replace, insert or delete, and show in the text where they are', () => {
  assert.deepEqual(describeSuggestion('officers', 'officials'), { kind: 'replace', removed: 'officers', added: 'officials' });
  assert.equal(describeSuggestion('', 'customs ').kind, 'insert');
  assert.equal(describeSuggestion(' every year', '').kind, 'delete');
  const text = 'Train officers every year.';
  const segments = inlineSuggestions(text, [
    { id: 's2', replacement: 'two years', range: { start: 21, end: 25 } },
    { id: 's1', replacement: 'officials', range: { start: 6, end: 14 } },
    { id: 's3', replacement: 'overlapping', range: { start: 10, end: 16 } },
  ]);
  assert.deepEqual(
    segments.map((s) => (s.suggestion ? [s.suggestion.id, s.removed, s.added] : s.text)),
    ['Train ', ['s1', 'officers', 'officials'], ' every ', ['s2', 'year', 'two years'], '.'],
  );
});

// ------------------------------------------------------------------------------------------ ranges and marks

test('a range moves like an anchor: inserts at its edges stay outside, inserts inside grow it, deletions shrink it', () => {
  const text = 'Mixed patrols. Community radio. Joint markets.';
  const range = { start: 15, end: 30 }; // "Community radio"
  const ops = [['1. ', 46], [28, 'FM ', 21], [36, ' (weekly)', 16]]; // before it, inside it, at its end
  const moved = moveRange(range, ops);
  const after = ops.reduce((t, op) => apply(t, op), text);
  assert.equal(after.slice(moved.start, moved.end), 'Community FM radio');
  assert.deepEqual(moveRange({ start: 5, end: 10 }, [[3, -10, 33]]), { start: 3, end: 3 });
  assert.deepEqual(moveRange({ start: 4, end: 4 }, [[4, 'x', 3]]), { start: 4, end: 4 });
});

test('the mirror layer cuts the text at carets, selections and marks, and puts empty marks as points', () => {
  const people = [{ participantId: 'p-1', name: 'Awa', selection: { anchor: 6, head: 6 } }];
  const marks = [
    { id: 'c1', kind: 'comment', start: 0, end: 5 },
    { id: 's1', kind: 'suggestion', start: 3, end: 9 },
    { id: 's2', kind: 'suggestion', start: 11, end: 11 },
  ];
  const segments = overlaySegments('Train officers.', people, marks);
  const shape = segments.map((s) => (s.caret ? `|${s.caret.name}` : s.point ? `^${s.point.id}` : `${s.text}[${s.marks.map((m) => m.id).join(',')}]`));
  assert.deepEqual(shape, ['Tra[c1]', 'in[c1,s1]', ' [s1]', '|Awa', 'off[s1]', 'ic[]', '^s2', 'ers.[]']);
  assert.equal(segments.filter((s) => s.text != null).map((s) => s.text).join(''), 'Train officers.');
});

// ------------------------------------------------------------------------------------------ history

const op = (revision, authorId, authorName, at, wire, clientId = `c-${authorId}`) => ({
  revision,
  op: wire,
  clientId,
  clientSeq: revision,
  authorId,
  authorName,
  committedAt: at,
});

test('history groups consecutive keystrokes of one author, and splits at another author, a long pause or an accepted suggestion', () => {
  const start = 'Train officers.';
  const ops = [];
  let text = start;
  let revision = 0;
  const type = (authorId, name, at, edit) => {
    const next = edit(text);
    ops.push(op(++revision, authorId, name, at, diffOp(text, next)));
    text = next;
  };
  // Awa types " Every year." key by key.
  [...' Every year.'].forEach((ch, i) => type('p-awa', 'Awa Sow', `2026-11-30T10:00:${String(i).padStart(2, '0')}Z`, (t) => t + ch));
  // Kofi replaces "officers" with "customs officers" in one paste.
  type('p-kofi', 'Kofi Mensah', '2026-11-30T10:01:00Z', (t) => t.replace('officers', 'customs officers'));
  // Kofi again, 20 minutes later: a new change.
  type('p-kofi', 'Kofi Mensah', '2026-11-30T10:21:00Z', (t) => t.replace('Every', 'every'));
  // An accepted suggestion is a change of its own even right after its decider typed.
  ops.push({ ...op(++revision, 'p-kofi', 'Kofi Mensah', '2026-11-30T10:21:05Z', diffOp(text, text.replace('year', 'two years')), 'suggestion:r1:s-1') });
  text = text.replace('year', 'two years');

  const { changes, text: end } = groupHistory(start, ops);

  assert.equal(end, text);
  assert.deepEqual(
    changes.map((c) => [c.authorName, c.fromRevision, c.toRevision, c.edits, c.accepted, c.removed, c.added]),
    [
      ['Awa Sow', 0, 12, 12, false, '', ' Every year.'],
      ['Kofi Mensah', 12, 13, 1, false, '', 'customs '],
      ['Kofi Mensah', 13, 14, 1, false, 'Every', 'every'],
      ['Kofi Mensah', 14, 15, 1, true, 'year', 'two years'],
    ],
  );
  assert.equal(changes[0].firstAt, '2026-11-30T10:00:00Z');
  assert.equal(changes[0].lastAt, '2026-11-30T10:00:11Z');
  assert.equal(changes[1].before, 'Train ');
  assert.equal(changes[1].after, 'officers. Every year.');
});

test('history of a long text shows a few words of context, with ellipses where it was cut', () => {
  const start = `${'word '.repeat(30)}middle ${'tail '.repeat(30)}`;
  const at = start.indexOf('middle');
  const { changes } = groupHistory(start, [op(1, 'p', 'P', '2026-01-01T00:00:00Z', [at, 'MIDDLE', -6, start.length - at - 6])]);
  assert.equal(changes[0].removed, 'middle');
  assert.equal(changes[0].added, 'MIDDLE');
  assert.ok(changes[0].before.startsWith('…') && changes[0].before.endsWith('word '));
  assert.ok(changes[0].after.endsWith('…') && changes[0].after.startsWith(' tail'));
});

// ------------------------------------------------------------------------------------------ word diff

const side = (pieces, kind) => pieces.filter((p) => p.kind === 'same' || p.kind === kind).map((p) => p.text).join('');

test('the word diff shows whole words removed and added, removals first, changes separated by spaces joined', () => {
  const pieces = wordDiff('Train officers every year.', 'Train customs and police officers every two years.');
  assert.deepEqual(pieces, [
    { kind: 'same', text: 'Train ' },
    { kind: 'added', text: 'customs and police ' },
    { kind: 'same', text: 'officers every ' },
    { kind: 'removed', text: 'year' },
    { kind: 'added', text: 'two years' },
    { kind: 'same', text: '.' },
  ]);
  // An addition next to equal words sits on word and sentence boundaries, not across them.
  assert.deepEqual(wordDiff('Coordinate engagement.', 'Jointly: Coordinate engagement. Every quarter.'), [
    { kind: 'added', text: 'Jointly: ' },
    { kind: 'same', text: 'Coordinate engagement.' },
    { kind: 'added', text: ' Every quarter.' },
  ]);
  assert.deepEqual(wordDiff('Forums. Radios.', 'Forums.'), [{ kind: 'same', text: 'Forums.' }, { kind: 'removed', text: ' Radios.' }]);
  assert.deepEqual(wordDiff('same', 'same'), [{ kind: 'same', text: 'same' }]);
  assert.deepEqual(wordDiff('', 'new text'), [{ kind: 'added', text: 'new text' }]);
  assert.deepEqual(wordDiff('old text', ''), [{ kind: 'removed', text: 'old text' }]);
  assert.deepEqual(tokens('Créer des comités, vite!'), ['Créer', ' ', 'des', ' ', 'comités', ',', ' ', 'vite', '!']);
  assert.deepEqual(wordDiff('Créer des comités mixtes.', 'Créer des comités frontaliers mixtes.').filter((p) => p.kind !== 'same'), [{ kind: 'added', text: 'frontaliers ' }]);
});

test('each side of a word diff is exactly its text, on random texts (and beyond the edit limit)', () => {
  const random = mulberry32(7);
  const words = ['the', 'border', 'committee', 'comité', 'frontière', ' ', ' ', '\n', ',', '.', 'a', 'b'];
  const text = (n) => Array.from({ length: n }, () => words[Math.floor(random() * words.length)]).join('');
  for (let i = 0; i < 300; i++) {
    const a = text(Math.floor(random() * 40));
    const b = random() < 0.5 ? text(Math.floor(random() * 40)) : a.replace(/border/g, 'frontier');
    const pieces = wordDiff(a, b, { maxEdits: i % 3 === 0 ? 2 : 4000 });
    assert.equal(side(pieces, 'removed'), a, JSON.stringify({ a, b }));
    assert.equal(side(pieces, 'added'), b, JSON.stringify({ a, b }));
    for (let j = 1; j < pieces.length; j++) assert.notEqual(pieces[j].kind, pieces[j - 1].kind);
  }
});

// ------------------------------------------------------------------------------------------ status and rights

const view = (status, extra = {}) => ({ status, authorId: 'p-author', tally: { adoptable: false }, ...extra });
const person = (role, participantId = `p-${role}`) => ({ role, participantId });

test('status actions: only those the caller may take now, irreversible ones flagged, adoption blocked without the votes', () => {
  const to = (v, who) => statusActions(v, who).map((a) => `${a.to}${a.irreversible ? '!' : ''}${a.blocked ? '?' : ''}`);
  assert.deepEqual(to(view('draft'), person('participant', 'p-author')), ['proposed', 'withdrawn!']);
  assert.deepEqual(to(view('draft'), person('participant')), []);
  assert.deepEqual(to(view('draft'), person('rapporteur')), ['proposed']);
  assert.deepEqual(to(view('proposed'), person('facilitator')), ['inReview', 'adopted!?', 'rejected!', 'withdrawn!']);
  assert.deepEqual(to(view('inReview', { tally: { adoptable: true } }), person('facilitator')), ['adopted!', 'rejected!', 'withdrawn!']);
  assert.deepEqual(to(view('inReview'), person('participant', 'p-author')), ['withdrawn!']);
  assert.deepEqual(to(view('adopted'), person('facilitator')), []);
  assert.deepEqual(to(view('proposed'), person('observer', 'p-author')), []);
  assert.equal(statusActions(view('proposed'), person('facilitator')).find((a) => a.to === 'adopted').blocked, 'rec.status.notAdoptable');
});

test('suggestions are decided by the author, facilitators and rapporteurs while open; comments resolved by their author too', () => {
  assert.equal(decidesSuggestions(view('inReview'), person('participant', 'p-author')), true);
  assert.equal(decidesSuggestions(view('inReview'), person('rapporteur')), true);
  assert.equal(decidesSuggestions(view('inReview'), person('participant')), false);
  assert.equal(decidesSuggestions(view('adopted'), person('facilitator')), false);
  const comment = { authorId: 'p-kofi' };
  assert.equal(resolvesComment(comment, person('participant', 'p-kofi')), true);
  assert.equal(resolvesComment(comment, person('participant')), false);
  assert.equal(resolvesComment(comment, person('facilitator')), true);
  assert.equal(resolvesComment(comment, person('observer', 'p-kofi')), false);
});

test('texts read in order: the text of record first', () => {
  const texts = [{ language: 'en', ofRecord: false }, { language: 'fr', ofRecord: true }];
  assert.deepEqual(textsInOrder({ texts }).map((x) => x.language), ['fr', 'en']);
});

test("the phase's rules say whether proposing is open, when the workshop tells them", () => {
  const workshop = { agenda: [{ id: 's1', phaseRules: { review: { propose: false }, share: { propose: true } } }, { id: 's2' }] };
  assert.equal(phaseAllows(workshop, { sessionId: 's1', phase: 'review' }, 'propose'), false);
  assert.equal(phaseAllows(workshop, { sessionId: 's1', phase: 'share' }, 'propose'), true);
  assert.equal(phaseAllows(workshop, { sessionId: 's2', phase: 'review' }, 'propose'), null);
  assert.equal(phaseAllows(workshop, null, 'propose'), null);
});

// ------------------------------------------------------------------------------------------ access

test("the server's access decides the editor's mode, locks included (an adopted text's stale translation stays open to its rapporteurs)", () => {
  assert.deepEqual(editorAccess({ access: { mode: 'suggest', reason: 'phase', phase: 'review' }, role: 'participant' }), { mode: 'suggest', reason: 'phase', phase: 'review' });
  assert.deepEqual(editorAccess({ access: { mode: 'edit', reason: null }, role: 'participant', fallback: { mode: 'suggest', reason: 'status' } }), { mode: 'edit', reason: null, phase: null });
  assert.deepEqual(editorAccess({ access: { mode: 'edit' }, role: 'rapporteur', fallback: { mode: 'read', reason: 'status' } }), { mode: 'edit', reason: null, phase: null });
  assert.deepEqual(editorAccess({ access: { mode: 'read', reason: 'locked' }, role: 'participant' }), { mode: 'read', reason: 'locked', phase: null });
  assert.deepEqual(editorAccess({ access: { mode: 'read', reason: 'session_ended' }, role: 'rapporteur' }), { mode: 'read', reason: 'session_ended', phase: null });
});

test("a lock pushed or a refusal told after the server's last access answer is stricter until it answers again", () => {
  // The lock arrives before the server's new access: typing in between would be shown, then refused.
  assert.deepEqual(editorAccess({ access: { mode: 'edit' }, role: 'participant', locked: true }), { mode: 'read', reason: 'locked', phase: null });
  assert.deepEqual(editorAccess({ access: { mode: 'suggest', reason: 'phase', phase: 'review' }, role: 'participant', locked: true }), { mode: 'read', reason: 'locked', phase: null });
  // A read access keeps its own reason (not a member stays the reason even when the document is also locked).
  assert.deepEqual(editorAccess({ access: { mode: 'read', reason: 'not_a_member' }, role: 'participant', locked: true }), { mode: 'read', reason: 'not_a_member', phase: null });
  // A refusal of typing is stricter than the access it contradicts, never looser.
  assert.deepEqual(editorAccess({ access: { mode: 'edit' }, role: 'participant', refused: accessFromRefusal('document.locked') }), { mode: 'read', reason: 'locked', phase: null });
  assert.deepEqual(editorAccess({ access: { mode: 'edit' }, role: 'participant', refused: accessFromRefusal('document.suggest_only') }), { mode: 'suggest', reason: null, phase: null });
  assert.deepEqual(editorAccess({ access: { mode: 'read', reason: 'phase', phase: 'adopt' }, role: 'participant', refused: accessFromRefusal('document.suggest_only') }), { mode: 'read', reason: 'phase', phase: 'adopt' });
});

test("without the server's access the editor behaves as before: observers read, locked documents are read only, others edit", () => {
  assert.deepEqual(editorAccess({ role: 'participant' }), { mode: 'edit', reason: null, phase: null });
  assert.deepEqual(editorAccess({ role: 'observer' }), { mode: 'read', reason: 'observer', phase: null });
  assert.deepEqual(editorAccess({ role: 'participant', locked: true }), { mode: 'read', reason: 'locked', phase: null });
  assert.deepEqual(editorAccess({ access: { mode: 'bogus' }, role: 'participant' }), { mode: 'edit', reason: null, phase: null });
  // What the page knows (a recommendation in review) and what a refusal told come next.
  assert.deepEqual(editorAccess({ role: 'participant', fallback: recommendationFallback('inReview', 'participant') }), { mode: 'suggest', reason: 'status', phase: null });
  assert.deepEqual(editorAccess({ role: 'participant', refused: accessFromRefusal('document.phase_read_only') }), { mode: 'read', reason: 'phase', phase: null });
  assert.deepEqual(
    editorAccess({ role: 'participant', refused: accessFromRefusal('document.not_a_member'), fallback: recommendationFallback('inReview', 'participant') }),
    { mode: 'suggest', reason: 'status', phase: null },
  );
});

test("a recommendation's status says how participants take part when the server does not", () => {
  assert.equal(recommendationFallback('draft', 'participant'), null);
  assert.equal(recommendationFallback('proposed', 'participant'), null);
  assert.deepEqual(recommendationFallback('inReview', 'participant'), { mode: 'suggest', reason: 'status' });
  assert.equal(recommendationFallback('inReview', 'rapporteur'), null);
  assert.deepEqual(recommendationFallback('adopted', 'facilitator'), { mode: 'read', reason: 'status' });
});

test('every access refusal of the contract keeps the typing and tells a mode; other codes do not', () => {
  assert.deepEqual(
    ACCESS_REFUSALS.map((c) => [c, accessFromRefusal(c).mode]),
    [
      ['document.read_only', 'read'],
      ['document.not_a_member', 'read'],
      ['document.locked', 'read'],
      ['document.phase_read_only', 'read'],
      ['document.suggest_only', 'suggest'],
      ['document.status_locked', 'read'],
    ],
  );
  assert.equal(isAccessRefusal('op.too_large'), false);
  assert.equal(accessFromRefusal('op.too_large'), null);
});

test('the mode is said in words in both languages, naming the phase, never with a code', () => {
  const cases = [
    { mode: 'read', reason: 'observer' },
    { mode: 'read', reason: 'not_a_member' },
    { mode: 'read', reason: 'locked' },
    { mode: 'read', reason: 'phase', phase: 'review' },
    { mode: 'read', reason: 'phase', phase: null },
    { mode: 'read', reason: 'status' },
    { mode: 'read', reason: 'session_ended' },
    { mode: 'read', reason: 'unknown_reason' },
    { mode: 'suggest', reason: 'phase', phase: 'review' },
    { mode: 'suggest', reason: 'phase' },
    { mode: 'suggest', reason: 'status' },
    { mode: 'suggest', reason: null },
  ];
  for (const access of cases) {
    for (const i18n of [en, fr]) {
      const words = accessSentence(access, i18n.t);
      assert.ok(words.length > 10, `${JSON.stringify(access)} in ${i18n.language}`);
      assert.doesNotMatch(words, /rec\.|[a-z]+_[a-z]+|\{/, `${JSON.stringify(access)} in ${i18n.language}: ${words}`);
    }
  }
  assert.match(accessSentence({ mode: 'suggest', reason: 'phase', phase: 'review' }, en.t), /“Review”/);
  assert.match(accessSentence({ mode: 'suggest', reason: 'phase', phase: 'review' }, fr.t), /«\u00a0Examen\u00a0»/);
  assert.match(accessSentence({ mode: 'read', reason: 'phase', phase: 'plénière finale' }, fr.t), /plénière finale/);
  assert.equal(accessNotice({ mode: 'edit' }), null);
  assert.equal(phaseName('adopt', fr.t), 'Adoption');
});

test('a refusal code is read from hub messages and codes, never from other errors', () => {
  assert.equal(codeOf({ code: 'ECONNRESET' }), null);
  assert.equal(codeOf('document.locked'), 'document.locked');
});

// ------------------------------------------------------------------------------------------ propose and routes

test('a passage gives a first title: its first line, without a list marker, cut at a word', () => {
  assert.equal(titleFromPassage('- Coordinate cross-border community engagement between neighbouring countries.'), 'Coordinate cross-border community engagement between neighbouring countries');
  assert.equal(titleFromPassage('2) Local radio.\nMore text'), 'Local radio');
  const long = titleFromPassage('Treat border communities as partners of the national border management agencies, not only as people crossing');
  assert.ok(long.length <= 81 && long.endsWith('…') && !long.includes('agencies,…'), long);
});

test('the picker lists open recommendations newest first, and finds them whatever the accents or case', () => {
  const board = {
    themes: [
      { theme: 'Coopération', recommendations: [{ id: 'r2', title: 'Comités frontaliers', status: 'proposed' }, { id: 'r10', title: 'Radio locale', status: 'draft' }] },
      { theme: 'Other', recommendations: [{ id: 'r3', title: 'Adopted one', status: 'adopted' }, { id: 'r4', title: 'Merged one', status: 'merged' }] },
    ],
  };
  assert.deepEqual(openRecommendations(board).map((r) => r.id), ['r10', 'r2']);
  assert.equal(matchesSearch({ title: 'Comités frontaliers', theme: 'Coopération' }, 'COMITES coop'), true);
  assert.equal(matchesSearch({ title: 'Comités frontaliers' }, 'radio'), false);
  assert.deepEqual(openRecommendations(null), []);
});

test('a recommendation page is addressed #rec=<id>', () => {
  assert.equal(recommendationFromHash('#rec=r12'), 'r12');
  assert.equal(recommendationFromHash('rec=r%2012'), 'r 12');
  assert.equal(recommendationFromHash('#workspace'), null);
  assert.equal(recommendationFromHash('#rec=%E0%A4%A'), null);
});

// ------------------------------------------------------------------------------------------ words

test('every rec.* and propose.* key the pages use exists in English and French, with the same placeholders', () => {
  const folder = new URL('../../src/Web/wwwroot/js/', import.meta.url);
  const used = new Set();
  for (const file of ['recommendation.js', 'propose.js', 'editor.js', 'workspace.js', 'access.js', 'rec-model.js']) {
    const source = readFileSync(new URL(file, folder), 'utf8');
    for (const m of source.matchAll(/'((?:rec|propose)\.[A-Za-z0-9_.]+)'/g)) used.add(m[1]);
  }
  // Keys built from a value.
  for (const mode of ['edit', 'suggest', 'read']) used.add(`rec.mode.${mode}`);
  for (const to of ['proposed', 'inReview', 'adopted', 'rejected', 'withdrawn']) used.add(`rec.action.${to}`);
  for (const to of ['adopted', 'rejected', 'withdrawn']) used.add(`rec.confirm.${to}.title`).add(`rec.confirm.${to}.body`);
  for (const s of ['draft', 'proposed', 'inReview', 'adopted', 'rejected', 'withdrawn', 'merged']) used.add(`rec.statusExplained.${s}`);
  for (const r of ['observer', 'not_a_member', 'locked', 'phase', 'phaseUnnamed', 'status', 'session_ended', 'other']) used.add(`rec.access.read.${r}`);
  for (const r of ['phase', 'phaseUnnamed', 'status', 'other']) used.add(`rec.access.suggest.${r}`);
  for (const l of ['en', 'fr']) used.add(`rec.lang.${l}`);
  const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const key of used) {
    if (key.endsWith('.')) continue;
    assert.ok(key in STRINGS.en, `missing English for ${key}`);
    assert.ok(key in STRINGS.fr, `missing French for ${key}`);
    assert.equal(placeholders(STRINGS.fr[key]), placeholders(STRINGS.en[key]), `placeholders of ${key}`);
    if (!['rec.statusChange', 'rec.sources'].includes(key)) assert.notEqual(STRINGS.fr[key], STRINGS.en[key], `${key} is not translated`);
  }
  // French punctuation: a no-break space before : ; ? ! and inside « ».
  for (const [key, text] of Object.entries(STRINGS.fr)) {
    if (!/^(rec|propose)\./.test(key)) continue;
    assert.doesNotMatch(text, / [:;?!»]|« /, `${key}: a no-break space is due in French`);
  }
});
