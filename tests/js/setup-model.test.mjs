// Unit tests of creating and setting up a workshop's pure part (setup-model.js): names in the reader's language, the
// creation and update bodies, a seed file read as a creation, agenda edits, join links and the roster preview. The
// pages themselves run in tests/Collab.BrowserTests (WorkshopSetupInTheBrowserTests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  localName, sessionTitle, delegationName, themeName, lines, parsePhases, forms, slug, newSessionId, move, agendaRow,
  agendaEntries, createRequest, seedRequest, SeedError, updateRequest, identityFromCreated, codeText, joinLink, sortCodes,
  previewSummary, metadataOf, expectedVersion,
} from '../../src/Web/wwwroot/js/setup-model.js';
import { STRINGS } from '../../src/Web/wwwroot/js/i18n.js';
import { adminEn, adminFr, adminErrorsEn, adminErrorsFr } from '../../src/Web/wwwroot/js/strings/admin.js';

const seedText = readFileSync(new URL('../../seeds/cotonou-2023.json', import.meta.url), 'utf8');

test('a name is shown in the reader’s language when the organisers gave it, else as it was given', () => {
  assert.equal(localName('Benin', { fr: 'Bénin' }, 'fr'), 'Bénin');
  assert.equal(localName('Benin', { fr: 'Bénin' }, 'en'), 'Benin');
  assert.equal(localName('Benin', null, 'fr'), 'Benin', 'an old workshop with one form');
  assert.equal(localName('Benin', { fr: '  ' }, 'fr'), 'Benin');
  assert.equal(sessionTitle({ title: 'Opening plenary', titles: { fr: 'Plénière d’ouverture' } }, 'fr'), 'Plénière d’ouverture');
  assert.equal(delegationName({ name: 'Civil society', names: { fr: 'Société civile' } }, 'fr'), 'Société civile');
});

test('a recommendation’s theme is shown through the workshop’s named themes, whichever form it was typed in', () => {
  const themes = [{ name: 'Border management', names: { fr: 'Gestion des frontières' } }];
  assert.equal(themeName('border  management', themes, 'fr'), 'Gestion des frontières');
  assert.equal(themeName('Gestion des frontieres', themes, 'en'), 'Border management');
  assert.equal(themeName('Early warning', themes, 'fr'), 'Early warning', 'an unnamed theme stays as typed');
});

test('lines, phases and forms are read as people type them', () => {
  assert.deepEqual(lines(' IOM \n\n  ECOWAS\r\n'), ['IOM', 'ECOWAS']);
  assert.deepEqual(parsePhases('Share, draft → review review;adopt'), ['share', 'draft', 'review', 'adopt']);
  assert.deepEqual(parsePhases('  '), []);
  assert.deepEqual(forms({ en: 'x', fr: ' Bénin ' }, ['en', 'fr']), { fr: 'Bénin' });
  assert.equal(forms({ fr: '' }, ['en', 'fr']), null);
  assert.equal(forms({ fr: 'Bénin' }, ['en']), null, 'no form in a language the workshop does not work in');
});

test('a new session gets an id of its day and title that no other session has', () => {
  assert.equal(slug('Côte d’Ivoire: élections!'), 'cote-d-ivoire-elections');
  assert.equal(newSessionId(2, 'Drafting', []), 'd2-drafting');
  assert.equal(newSessionId(2, 'Drafting', ['d2-drafting', 'd2-drafting-2']), 'd2-drafting-3');
  assert.equal(newSessionId(1, '!!!', []), 'd1-session');
  const rows = [{ day: 1, title: 'Drafting', phases: '' }, { day: 1, title: 'Drafting', phases: 'share' }];
  const entries = agendaEntries(rows, ['en']);
  assert.deepEqual(entries.map((e) => e.id), ['d1-drafting', 'd1-drafting-2']);
  assert.equal(entries[0].phases, null, 'no phases typed: the default phases');
});

test('moving a session keeps every other in order and stays within the list', () => {
  assert.deepEqual(move(['a', 'b', 'c'], 2, -1), ['a', 'c', 'b']);
  assert.deepEqual(move(['a', 'b', 'c'], 0, -1), ['a', 'b', 'c']);
  assert.deepEqual(move(['a', 'b', 'c'], 0, 5), ['b', 'c', 'a']);
});

test('an agenda session read back and saved again keeps its rules for the phases it still has', () => {
  const session = {
    id: 'd1-breakouts', day: 1, title: 'Breakouts', titles: { fr: 'Groupes' }, kind: 'breakouts', startsAt: '14:00:00', endsAt: null,
    phases: ['share', 'draft', 'review'], phaseRules: { share: { notes: 'edit' }, draft: { notes: 'edit' }, review: { notes: 'read' } },
  };
  const row = agendaRow(session);
  assert.equal(row.startsAt, '14:00');
  assert.equal(row.phases, 'share, draft, review');
  row.phases = 'share, review';
  const [entry] = agendaEntries([row], ['en', 'fr']);
  assert.deepEqual(entry.phaseRules, { share: { notes: 'edit' }, review: { notes: 'read' } }, 'a row for a lost phase would be refused');
  assert.deepEqual(entry.titles, { fr: 'Groupes' });
  assert.equal(entry.id, 'd1-breakouts');
});

test('the creation form becomes the body of POST /api/workshops, empty rows left out', () => {
  const body = createRequest({
    title: ' Regional conference ',
    venue: '',
    startsOn: '2023-12-06',
    endsOn: '2023-12-07',
    languages: 'en,fr',
    organisers: 'IOM\n',
    delegations: [{ name: 'Benin', names: { fr: 'Bénin' }, kind: 'country', language: 'fr' }, { name: ' ', names: {} }],
    agenda: [{ day: 1, title: 'Opening', titles: { fr: 'Ouverture' }, kind: 'plenary', startsAt: '09:00', endsAt: '', phases: 'share' }],
    themes: [{ name: 'Trade', names: { fr: 'Commerce' } }],
    creatorName: ' Fatou Diallo ',
    creatorLanguage: 'fr',
  });
  assert.equal(body.title, 'Regional conference');
  assert.equal(body.venue, null);
  assert.deepEqual(body.languages, ['en', 'fr']);
  assert.deepEqual(body.organisers, ['IOM']);
  assert.deepEqual(body.delegations, [{ id: null, name: 'Benin', names: { fr: 'Bénin' }, kind: 'country', language: 'fr' }]);
  assert.deepEqual(body.agenda[0], { id: 'd1-opening', day: 1, title: 'Opening', titles: { fr: 'Ouverture' }, kind: 'plenary', startsAt: '09:00', endsAt: null, phases: ['share'], phaseRules: null });
  assert.deepEqual(body.themes, [{ name: 'Trade', names: { fr: 'Commerce' } }]);
  assert.deepEqual(body.creator, { name: 'Fatou Diallo', delegation: null, language: 'fr' });
});

test('a seed file is read as a creation by the person filling the form, its documents apart', () => {
  const { body, documents, summary } = seedRequest(seedText, { name: 'Fatou Diallo', language: 'fr' });
  assert.equal(body.seedKey, 'cotonou-2023');
  assert.equal(body.documents, undefined);
  assert.deepEqual(body.creator, { name: 'Fatou Diallo', delegation: null, language: 'fr' });
  assert.equal(summary.delegations, 14);
  assert.ok(summary.sessions >= 6);
  assert.equal(documents.length, summary.documents);
  assert.ok(documents.every((d) => 'title' in d && 'text' in d));
});

test('a file that is not a workshop is refused with a code that has words in both languages', () => {
  for (const [text, code] of [['{oops', 'seed.not_json'], ['[1, 2]', 'seed.not_a_workshop'], ['{"title": "x"}', 'seed.not_a_workshop']]) {
    assert.throws(() => seedRequest(text, {}), (err) => err instanceof SeedError && err.code === code);
    assert.ok(STRINGS.en[`error.${code}`] && STRINGS.fr[`error.${code}`], code);
  }
});

test('an update sends the whole workshop back with the change, guarded by its version', () => {
  const workshop = {
    version: 7, title: 'T', venue: null, startsOn: '2023-12-06', endsOn: '2023-12-07', languages: ['en', 'fr'], organisers: ['IOM'], funders: ['US'],
    delegations: [{ id: 'bj', name: 'Benin', kind: 'country', language: 'fr' }],
    agenda: [{ id: 'd1-a', day: 1, title: 'A', kind: 'plenary', startsAt: null, endsAt: null, phases: ['share'], phaseRules: { share: { notes: 'edit' } } }],
  };
  const unchanged = updateRequest(workshop);
  assert.equal(unchanged.expectedVersion, 7);
  assert.deepEqual(unchanged.funders, ['US']);
  assert.deepEqual(unchanged.themes, []);
  assert.equal(unchanged.delegations[0].id, 'bj');
  assert.deepEqual(unchanged.agenda[0].phaseRules, { share: { notes: 'edit' } });
  const renamed = updateRequest(workshop, { delegations: [{ id: 'bj', name: 'Benin', names: { fr: 'Bénin' }, kind: 'country', language: 'fr' }] });
  assert.deepEqual(renamed.delegations[0].names, { fr: 'Bénin' });
});

test('the creator keeps the identity a join would give, with the facilitator code', () => {
  const identity = identityFromCreated({
    joinCodes: [{ role: 'participant', code: 'AAAABBBBCC' }, { role: 'facilitator', code: 'FFFFGGGGHH' }],
    facilitator: { workshopId: 'w1', token: 't', expiresAt: 'x', rejoinKey: 'k', participant: { id: 'p1', name: 'F', role: 'facilitator' } },
  });
  assert.deepEqual(identity, { workshopId: 'w1', token: 't', expiresAt: 'x', rejoinKey: 'k', code: 'FFFFGGGGHH', participant: { id: 'p1', name: 'F', role: 'facilitator' } });
});

test('join codes read aloud in groups, linked, participants first', () => {
  assert.equal(codeText('8b7yzlaupd'), '8B7Y-ZLAU-PD');
  assert.equal(joinLink('http://127.0.0.1:5080/', '8B7Y-ZLAU-PD'), 'http://127.0.0.1:5080/#join=8B7YZLAUPD');
  assert.deepEqual(sortCodes([{ role: 'facilitator' }, { role: 'observer' }, { role: 'participant' }, { role: 'rapporteur' }]).map((c) => c.role), ['participant', 'rapporteur', 'observer', 'facilitator']);
});

test('a roster is offered for import only when no line is at fault and something would change', () => {
  const rows = [{ line: 2, action: 'add' }, { line: 3, action: 'update' }];
  assert.deepEqual(previewSummary({ added: 1, updated: 1, rows }), { added: 1, updated: 1, errors: 0, canImport: true });
  assert.equal(previewSummary({ added: 1, updated: 0, rows: [...rows, { line: 4, action: 'error', code: 'roster.role_invalid' }] }).canImport, false);
  assert.equal(previewSummary({ added: 1, updated: 0, rows, code: 'workshop.full' }).canImport, false);
  assert.equal(previewSummary({ added: 0, updated: 0, rows: [] }).canImport, false);
});

test('every set-up string is in English and French, with the same placeholders', () => {
  for (const [en, fr] of [[adminEn, adminFr], [adminErrorsEn, adminErrorsFr]]) {
    assert.deepEqual(Object.keys(fr).sort(), Object.keys(en).sort());
    for (const key of Object.keys(en)) {
      const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(names(fr[key]), names(en[key]), key);
    }
  }
});

test('a save is not a conflict because people joined meanwhile, but is one over another facilitator’s change', () => {
  const drawn = { version: 4, title: 'T', venue: null, startsOn: 'a', endsOn: 'b', languages: ['en'], organisers: [], funders: [], delegations: [], agenda: [], participantCount: 3 };
  const joined = { ...drawn, version: 6, participantCount: 5, liveSessionId: 'd1' };
  const edited = { ...joined, version: 7, title: 'Another title' };
  assert.equal(metadataOf(drawn), metadataOf(joined));
  assert.equal(expectedVersion(drawn, joined), 6);
  assert.equal(expectedVersion(drawn, edited), 4, 'the server refuses it: workshop.version_conflict');
  assert.equal(expectedVersion(drawn, null), 4);
});
