// Unit tests of the recommendations board's and endorsement's pure parts (board.js, endorse.js): filters, search,
// sorting, live rows by version, likely duplicates, the status actions per role, the merge dialog's prepared text,
// and the tally, rule and voices in words. The pages themselves run in tests/Collab.BrowserTests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  foldText, boardRows, boardWithRow, mergeBoard, filterRows, sortRows, openDuplicates, duplicateReason, statusActions,
  mergePrefill, sourceText, originLabel, roomsOf, sessionOfRoom,
} from '../../src/Web/wwwroot/js/board.js';
import {
  tallyCounts, tallyText, ruleText, adoptionOutlook, voterName, countedVoices, reservationsOf, voteState, effectivePhaseRule,
} from '../../src/Web/wwwroot/js/endorse.js';
import { createI18n } from '../../src/Web/wwwroot/js/i18n.js';

const en = createI18n('en');
const fr = createI18n('fr');
const plain = (s) => s.replace(/[\u00a0\u202f]/g, ' ');

const rule = { kind: 'consensus', threshold: 0.5, perDelegation: true };
const tally = (support = 0, reservation = 0, objection = 0, abstain = 0, adoptable = false, r = rule) => ({ support, reservation, objection, abstain, adoptable, rule: r });
const row = (id, title, extra = {}) => ({
  workshopId: 'w', id, title, theme: null, origin: 'plenary', status: 'proposed', excerpt: '', tally: tally(), staleLanguages: [], mergedInto: null, version: 1, ...extra,
});

const rows = [
  row('r1', 'Quarterly cross-border community forums', { theme: 'Cooperation', origin: 'd1.g1', excerpt: 'Hold a forum every quarter.', tally: tally(2, 1, 0) }),
  row('r2', 'Radios communautaires frontalières', { theme: 'Information', origin: 'd1.g2', excerpt: 'Émissions en langues locales.', status: 'draft', staleLanguages: ['en'] }),
  row('r3', 'Cross-border community forums every quarter', { theme: 'Cooperation', origin: 'd1.g1', status: 'inReview', tally: tally(3, 0, 1) }),
  row('r10', 'Early warning committees', { theme: null, status: 'adopted', excerpt: 'Women and youth sit on them.', tally: tally(1, 0, 0) }),
  row('r4', 'Égalité femmes-hommes dans les comités', { theme: 'Information', status: 'merged', mergedInto: 'r10' }),
];

test('search ignores accents, case, hyphens and word order, and needs every word', () => {
  assert.equal(foldText('Égalité FEMMES-hommes, cœur'), 'egalite femmes hommes coeur');
  const titles = (q) => filterRows(rows, { query: q }).map((r) => r.id).sort();
  assert.deepEqual(titles('frontalieres'), ['r2']);
  assert.deepEqual(titles('EGALITE'), ['r4']);
  assert.deepEqual(titles('forums cross border'), ['r1', 'r3']);
  assert.deepEqual(titles('quarter forum'), ['r1', 'r3']);
  assert.deepEqual(titles('youth'), ['r10'], 'the excerpt is searched too');
  assert.deepEqual(titles('emissions langues'), ['r2']);
  assert.deepEqual(titles('forums radios'), []);
  assert.deepEqual(titles('   '), ['r1', 'r10', 'r2', 'r3', 'r4']);
});

test('filters by theme (none included), status (or every open one), origin and stale translation, together', () => {
  const ids = (f) => filterRows(rows, f).map((r) => r.id).sort();
  assert.deepEqual(ids({ theme: 'Cooperation' }), ['r1', 'r3']);
  assert.deepEqual(ids({ theme: '' }), ['r10'], "'' is the recommendations without a theme");
  assert.deepEqual(ids({ theme: '*' }).length, 5, "'*' is any theme");
  assert.deepEqual(ids({ status: 'open' }), ['r1', 'r2', 'r3']);
  assert.deepEqual(ids({ status: 'merged' }), ['r4']);
  assert.deepEqual(ids({ origin: 'd1.g1' }), ['r1', 'r3']);
  assert.deepEqual(ids({ origin: 'plenary' }), ['r10', 'r4']);
  assert.deepEqual(ids({ staleOnly: true }), ['r2']);
  assert.deepEqual(ids({ theme: 'Cooperation', status: 'inReview', query: 'forums' }), ['r3']);
});

test('sorts newest first, by title in the reader’s language, by status in the order of the workflow, or by support', () => {
  const ids = (sort, lang = 'en') => sortRows(rows, sort, lang).map((r) => r.id);
  assert.deepEqual(ids('recent'), ['r10', 'r4', 'r3', 'r2', 'r1'], 'r10 is newer than r4: numbers, not text');
  assert.deepEqual(ids('title', 'fr'), ['r3', 'r10', 'r4', 'r1', 'r2'], 'É sorts with E');
  assert.deepEqual(ids('status'), ['r3', 'r1', 'r2', 'r10', 'r4']);
  assert.deepEqual(ids('tally'), ['r1', 'r3', 'r10', 'r4', 'r2'], 'r1 (3 in favour, none against) before r3 (3 in favour, 1 against), then 1, then 0 by title');
  assert.deepEqual(ids('nonsense'), ids('recent'));
  assert.deepEqual(rows.map((r) => r.id), ['r1', 'r2', 'r3', 'r10', 'r4'], 'the input is not reordered');
});

test('a pushed row replaces an older one, never a newer one, moves with its theme, and tells the rule in force', () => {
  let board = { themes: [{ theme: 'Cooperation', recommendations: [row('r1', 'A', { theme: 'Cooperation', version: 3 })] }], likelyDuplicates: [], rule };
  board = boardWithRow(board, row('r1', 'Old', { theme: 'Cooperation', version: 2 }));
  assert.equal(boardRows(board)[0].title, 'A', 'a late push of version 2 does not undo version 3');
  const majority = { kind: 'majority', threshold: 0.67, perDelegation: true };
  board = boardWithRow(board, row('r1', 'B', { theme: 'Security', version: 3, tally: tally(1, 0, 0, 0, true, majority) }));
  assert.deepEqual(board.themes.map((th) => [th.theme, th.recommendations.map((r) => r.title)]), [['Security', ['B']]], 'same version (a new tally after a rule change) replaces it; the empty theme goes');
  assert.deepEqual(board.rule, majority);
  board = boardWithRow(board, row('r2', 'C', { version: 1 }));
  assert.deepEqual(boardRows(board).map((r) => r.id).sort(), ['r1', 'r2']);
  assert.equal(boardRows(boardWithRow(null, row('r5', 'Before the board was read'))).length, 1, 'a push before the first read is kept');
});

test('a board read over HTTP keeps rows that pushes made newer meanwhile, and brings duplicates and the rule', () => {
  const pushed = boardWithRow(null, row('r1', 'Pushed', { version: 5 }));
  const fetched = {
    themes: [{ theme: '', recommendations: [row('r1', 'Read', { version: 4 }), row('r2', 'Only read', { version: 1 })] }],
    likelyDuplicates: [{ first: 'r1', second: 'r2', similarity: 0.8 }],
    rule: { kind: 'majority', threshold: 0.5, perDelegation: false },
  };
  const merged = mergeBoard(pushed, fetched);
  assert.deepEqual(boardRows(merged).map((r) => [r.id, r.title]).sort(), [['r1', 'Pushed'], ['r2', 'Only read']]);
  assert.deepEqual(merged.likelyDuplicates, fetched.likelyDuplicates);
  assert.deepEqual(merged.rule, fetched.rule);
  assert.equal(mergeBoard(pushed, null), pushed, 'a failed read keeps what there is');
});

test('likely duplicates are shown while both are open, with the reason the detector gives', () => {
  const pairs = [
    { first: 'r1', second: 'r3', similarity: 0.86, sharedWords: ['quarter', 'forum', 'community', 'cross-border'] },
    { first: 'r1', second: 'r4', similarity: 0.5 },
    { first: 'r1', second: 'r99', similarity: 0.7 },
  ];
  const open = openDuplicates(pairs, rows);
  assert.deepEqual(open.map((p) => [p.first, p.second, p.firstRow.title, p.secondRow.status]), [['r1', 'r3', 'Quarterly cross-border community forums', 'inReview']]);
  assert.deepEqual(duplicateReason(open[0]), { words: ['quarter', 'forum', 'community', 'cross-border'] });
  assert.deepEqual(duplicateReason({ reason: ['forum'] }), { words: ['forum'] });
  assert.deepEqual(duplicateReason({ reason: ' same stems ' }), { text: 'same stems' });
  assert.equal(duplicateReason({ reason: '' }), null);
  assert.equal(duplicateReason({}), null);
});

test('status actions: only what the caller may do now, irreversible ones marked, adoption blocked until the tally allows it', () => {
  const names = (rec, me) => statusActions(rec, me).map((a) => `${a.action}${a.irreversible ? '!' : ''}${a.blocked ? '(blocked)' : ''}`);
  const facilitator = { id: 'p-f', role: 'facilitator' };
  const author = { id: 'p-a', role: 'participant' };
  const other = { id: 'p-o', role: 'participant' };
  const rapporteur = { id: 'p-r', role: 'rapporteur' };
  const observer = { id: 'p-x', role: 'observer' };
  const draft = { status: 'draft', authorId: 'p-a', tally: tally() };
  const proposed = { status: 'proposed', authorId: 'p-a', tally: tally(1, 0, 0, 0, true) };
  const inReview = { status: 'inReview', authorId: 'p-a', tally: tally(0, 0, 1, 0, false) };
  assert.deepEqual(names(draft, author), ['propose', 'withdraw!']);
  assert.deepEqual(names(draft, rapporteur), ['propose']);
  assert.deepEqual(names(draft, other), []);
  assert.deepEqual(names(draft, observer), []);
  assert.deepEqual(names(proposed, facilitator), ['review', 'adopt!', 'reject!', 'withdraw!']);
  assert.deepEqual(names(inReview, facilitator), ['adopt!(blocked)', 'reject!', 'withdraw!']);
  assert.deepEqual(names(inReview, author), ['withdraw!']);
  assert.deepEqual(names(inReview, rapporteur), []);
  for (const status of ['adopted', 'rejected', 'withdrawn', 'merged']) assert.deepEqual(names({ status, authorId: 'p-a', tally: tally() }, facilitator), [], status);
});

test('the merge dialog starts from the first title, the first theme given, and every source’s text in turn', () => {
  const texts = { 'w.rec.r1.en': 'Hold a forum every quarter.\n', 'w.rec.r1.fr': '', 'w.rec.r3.en': '', 'w.rec.r3.fr': 'Des forums trimestriels.' };
  const view = (id, ofRecord, theme) => ({
    id, title: `Title ${id}`, theme, texts: ['en', 'fr'].map((language) => ({ language, docId: `w.rec.${id}.${language}`, ofRecord: language === ofRecord })),
  });
  const r1 = view('r1', 'en', null);
  const r3 = view('r3', 'fr', 'Cooperation');
  assert.deepEqual(sourceText(r1, 'fr', texts), { language: 'en', text: 'Hold a forum every quarter.' }, 'no French yet: the text of record');
  assert.deepEqual(sourceText(r3, 'fr', texts), { language: 'fr', text: 'Des forums trimestriels.' });
  const sources = [r1, r3].map((v) => ({ title: v.title, theme: v.theme, ...sourceText(v, 'en', texts) }));
  assert.deepEqual(mergePrefill(sources), { title: 'Title r1', theme: 'Cooperation', text: 'Hold a forum every quarter.\n\nDes forums trimestriels.' });
  assert.deepEqual(mergePrefill([]), { title: '', theme: '', text: '' });
});

test('origins read as the plenary or a group with its session; unknown rooms as given', () => {
  const agenda = [{ id: 'd1-breakouts', title: 'Breakouts: best practices' }];
  const rooms = roomsOf([{ sessionId: 'd1-breakouts', title: 'x', breakouts: { groups: [{ room: 'd1-breakouts.g1', name: 'Group 1' }] } }], agenda);
  assert.equal(originLabel('plenary', rooms, fr.t), 'Plénière');
  assert.equal(originLabel('d1-breakouts.g1', rooms, en.t), 'Group 1 (Breakouts: best practices)');
  assert.equal(originLabel('d2.g7', rooms, en.t), 'd2.g7');
  assert.equal(sessionOfRoom('d1-breakouts.r2-g1'), 'd1-breakouts');
  assert.equal(sessionOfRoom('plenary'), null);
  assert.equal(sessionOfRoom('Group notes'), null);
});

test('the tally in words, with abstentions, in English and French', () => {
  const t = tally(2, 1, 0, 1);
  assert.deepEqual(tallyCounts(t), { support: 2, reservation: 1, objection: 0, abstain: 1, favour: 3, decided: 3, share: 1 });
  assert.equal(tallyText(t, en.t), '2 for · 1 for with reservations · 0 against · 1 abstaining');
  assert.equal(tallyText(t, fr.t), '2 pour · 1 pour avec réserves · 0 contre · 1 abstention(s)');
  assert.equal(tallyText(null, en.t), 'No voice yet.');
  assert.equal(tallyText(tally(0, 0, 0, 1), fr.t), '0 pour · 0 pour avec réserves · 0 contre · 1 abstention(s)', 'an abstention is a voice');
  assert.equal(tallyCounts({ support: 1 }).abstain, 0, 'a server without abstentions counts none');
});

test('the rule and what it says about adoption, in words', () => {
  const majority = { kind: 'majority', threshold: 0.67, perDelegation: false };
  assert.equal(ruleText(rule, en), 'consensus (at least one voice for, none against). One voice per delegation.');
  assert.equal(plain(ruleText(majority, fr)), 'majorité de 67 % des voix pour ou contre. Une voix par personne.');
  assert.equal(adoptionOutlook(tally(1, 0, 0, 0, true), en).text, 'The rule allows adoption.');
  assert.equal(adoptionOutlook(tally(0, 0, 0, 2), en).text, 'No voice for yet.');
  assert.equal(adoptionOutlook(tally(2, 0, 1, 0, false), en).text, 'Blocked by a consensus rule: 1 against.');
  assert.equal(adoptionOutlook(tally(1, 0, 1, 3, false, majority), en).text, '50% for so far; 67% needed.', 'abstentions are not in the share');
  assert.equal(plain(adoptionOutlook(tally(1, 0, 1, 0, false, majority), fr).text), '50 % pour à ce stade ; 67 % requis.');
});

test('voices that count under the rule, by delegation name; every reservation recorded', () => {
  const delegations = [{ id: 'gh', name: 'Ghana' }, { id: 'bj', name: 'Bénin' }];
  const endorsements = [
    { voter: 'gh', byName: 'Kofi', stance: 'reservation', reservation: 'Budget permitting.' },
    { voter: 'bj', byName: 'Awa', stance: 'support', reservation: null },
    { voter: 'p:p-1', byName: 'Komi', stance: 'objection', reservation: null },
  ];
  assert.equal(voterName(endorsements[0], delegations), 'Ghana');
  assert.equal(voterName(endorsements[2], delegations), 'Komi');
  assert.deepEqual(countedVoices(endorsements, rule, delegations, 'fr').map((e) => e.name), ['Bénin', 'Ghana']);
  assert.deepEqual(countedVoices(endorsements, { ...rule, perDelegation: false }, delegations, 'en').map((e) => e.name), ['Komi']);
  const perPerson = [...endorsements, { voter: 'p:p-2', byName: 'Adjoa', stance: 'reservation', reservation: 'Only in border districts.' }];
  assert.deepEqual(reservationsOf(perPerson, delegations, 'en'), [
    { name: 'Adjoa', text: 'Only in border districts.', byName: 'Adjoa' },
    { name: 'Ghana', text: 'Budget permitting.', byName: 'Kofi' },
  ], 'every reservation, as the outcome document lists them, whichever voices the rule counts');
});

test('who may record a voice now, and the words for why not', () => {
  const speaker = { role: 'participant', delegation: 'gh' };
  assert.deepEqual(voteState({ status: 'proposed', me: speaker, rule }), { canVote: true, reason: null });
  assert.equal(voteState({ status: 'draft', me: speaker, rule }).reason, 'endorse.why.draft');
  assert.equal(voteState({ status: 'adopted', me: speaker, rule }).reason, 'endorse.why.closed');
  assert.equal(voteState({ status: 'inReview', me: { role: 'observer', delegation: 'gh' }, rule }).reason, 'endorse.why.observer');
  assert.equal(voteState({ status: 'inReview', me: { role: 'participant', delegation: null }, rule }).reason, 'endorse.why.noDelegation');
  assert.equal(voteState({ status: 'inReview', me: { role: 'facilitator', delegation: null }, rule }).reason, 'endorse.why.facilitator');
  assert.equal(voteState({ status: 'inReview', me: { role: 'participant', delegation: null }, rule: { ...rule, perDelegation: false } }).canVote, true);
  assert.equal(voteState({ status: 'inReview', me: speaker, rule, phaseRule: { phase: 'review', endorse: false } }).reason, 'endorse.why.phase');
  assert.equal(voteState({ status: 'inReview', me: { role: 'facilitator', delegation: 'gh' }, rule, phaseRule: { phase: 'review', endorse: false } }).canVote, true);
  for (const key of ['endorse.why.draft', 'endorse.why.closed', 'endorse.why.observer', 'endorse.why.noDelegation', 'endorse.why.facilitator', 'endorse.why.phase']) assert.notEqual(fr.t(key), key);
});

test('the phase rule in force follows the live session, only when the server publishes phase rules', () => {
  const phaseRules = { review: { endorse: false }, adopt: { endorse: true } };
  const workshop = (live, rules = phaseRules) => ({ liveSessionId: live, agenda: [{ id: 's1', phaseRules: rules }, { id: 's2' }] });
  assert.equal(effectivePhaseRule({ liveSessionId: 's1', agenda: [{ id: 's1' }] }, {}), null, 'no phase rules: statuses alone decide');
  assert.deepEqual(effectivePhaseRule(workshop('s1'), { s1: { phase: 'adopt' } }), { phase: 'adopt', endorse: true });
  assert.deepEqual(effectivePhaseRule(workshop('s1'), { s1: { phase: 'review' } }), { phase: 'review', endorse: false });
  assert.deepEqual(effectivePhaseRule(workshop('s1'), { s1: { phase: 'vote' } }), { phase: 'vote', endorse: false }, 'a phase without a row behaves as review');
  assert.deepEqual(effectivePhaseRule(workshop(null), {}), { phase: null, endorse: false }, 'no live session: nothing is endorsed');
  const active = (stage, phase, endorse) => ({ liveSessionId: 's1', agenda: [], activePhase: { stage, sessionId: 's1', phase, rule: { endorse }, version: 3 } });
  assert.deepEqual(effectivePhaseRule(active('live', 'adopt', true), {}), { phase: 'adopt', endorse: true }, "the workshop's active phase, when the server says it");
  assert.deepEqual(effectivePhaseRule(active('ended', 'adopt', false), { s1: { phase: 'adopt' } }), { phase: 'adopt', endorse: false });
});
