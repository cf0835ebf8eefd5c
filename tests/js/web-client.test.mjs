// Unit tests of the web client's pure modules: the EN/FR strings (i18n.js), the view model (model.js) and the state
// store (store.js). The pages themselves are tested in a real browser by tests/Collab.BrowserTests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STRINGS, LANGUAGES, pickLanguage, translate, createI18n } from '../../src/Web/wwwroot/js/i18n.js';
import {
  newer, roomOf, roomDocuments, sectionTitle, parseTimeSpan, timerState, timerText, clockSkew, formatDuration, colorFor, PEOPLE_COLOURS,
  joinCodeFrom, mergeAnnouncements, presenceSegments,
} from '../../src/Web/wwwroot/js/model.js';
import { createStore } from '../../src/Web/wwwroot/js/store.js';

test('every English string has a French translation with the same placeholders', () => {
  const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  for (const [key, text] of Object.entries(STRINGS.en)) {
    if (key === 'app.name') continue; // a name, not text
    assert.ok(key in STRINGS.fr, `missing French for ${key}`);
    assert.equal(placeholders(STRINGS.fr[key]), placeholders(text), `placeholders of ${key}`);
  }
  for (const key of Object.keys(STRINGS.fr)) assert.ok(key in STRINGS.en, `French-only key ${key}`);
});

test('the language follows the preference, regional variants included, else the fallback', () => {
  assert.deepEqual(LANGUAGES, ['en', 'fr']);
  assert.equal(pickLanguage('fr-BE'), 'fr');
  assert.equal(pickLanguage('FR'), 'fr');
  assert.equal(pickLanguage('en_GB'), 'en');
  assert.equal(pickLanguage('pt'), 'en');
  assert.equal(pickLanguage(undefined, 'fr'), 'fr');
});

test('translate fills placeholders and falls back to English, then to the key', () => {
  assert.equal(translate('fr', 'timer.left', { time: '4:05' }), 'Reste 4:05');
  assert.equal(translate('en', 'timer.left', { time: '4:05' }), '4:05 left');
  assert.equal(translate('fr', 'app.name'), 'Collab');
  assert.equal(translate('de', 'join.submit'), 'Join');
  assert.equal(translate('en', 'no.such.key'), 'no.such.key');
  assert.equal(translate('en', 'timer.left', {}), '{time} left');
});

test('switching language tells the listeners once, and ignores unknown languages', () => {
  const i18n = createI18n('en');
  const seen = [];
  i18n.onChange((l) => seen.push(l));
  i18n.setLanguage('fr');
  i18n.setLanguage('fr');
  i18n.setLanguage('xx');
  assert.deepEqual(seen, ['fr']);
  assert.equal(i18n.t('join.submit'), 'Rejoindre');
});

const session = {
  version: 7,
  breakouts: {
    open: true,
    groups: [
      { id: 'g1', name: 'Group 1', room: 'd1.g1', members: ['p-a'], documents: [{ docId: 'd1', section: 'bestPractices', titles: { en: 'Best practices', fr: 'Bonnes pratiques' } }] },
      { id: 'g2', name: 'Group 2', room: 'd1.g2', members: ['p-b'], documents: [] },
    ],
  },
};

test('a member of an open group is in its room; anyone else, or everyone after a recall, is in plenary', () => {
  assert.equal(roomOf(session, 'p-a').key, 'd1.g1');
  assert.equal(roomOf(session, 'p-a').group.name, 'Group 1');
  assert.equal(roomOf(session, 'p-z').key, 'plenary');
  assert.equal(roomOf({ ...session, breakouts: { ...session.breakouts, open: false } }, 'p-a').key, 'plenary');
  assert.equal(roomOf(null, 'p-a').kind, 'plenary');
});

test("a room's documents: the group's sections in the reader's language, else the workshop's plenary documents", () => {
  const workshop = { documents: [{ docId: 'w1', title: 'Opening notes', room: 'plenary' }, { docId: 'w2', title: null }] };
  assert.deepEqual(roomDocuments(workshop, roomOf(session, 'p-a'), 'fr'), [{ docId: 'd1', title: 'Bonnes pratiques' }]);
  assert.deepEqual(roomDocuments(workshop, roomOf(session, 'p-z'), 'fr'), [
    { docId: 'w1', title: 'Opening notes' },
    { docId: 'w2', title: 'w2' },
  ]);
  assert.equal(sectionTitle({ fr: 'Défis' }, 'en', 'challenges'), 'Défis');
  assert.equal(sectionTitle(null, 'en', 'challenges'), 'challenges');
});

test('the newer view wins by version, whatever order pushes arrive in', () => {
  const a = { version: 3 };
  const b = { version: 4 };
  assert.equal(newer(a, b), b);
  assert.equal(newer(b, a), b);
  assert.equal(newer(null, a), a);
  assert.equal(newer(a, null), a);
});

test('the countdown runs against the server clock, pauses with what is left, and is up at its deadline', () => {
  const now = Date.parse('2026-11-30T09:00:00Z');
  const skew = clockSkew('2026-11-30T09:00:10Z', now); // the server is 10 s ahead
  assert.equal(skew, 10_000);
  const running = timerState({ label: 'Group work', deadline: '2026-11-30T09:05:10Z', duration: '00:05:00' }, now, skew);
  assert.deepEqual(running, { state: 'running', remainingMs: 300_000, label: 'Group work' });
  assert.equal(timerState({ deadline: '2026-11-30T09:00:05Z' }, now, skew).state, 'up');
  assert.deepEqual(timerState({ remaining: '00:04:30', duration: '00:05:00' }, now), { state: 'paused', remainingMs: 270_000, label: null });
  assert.equal(timerState({ timeUpAt: '2026-11-30T08:59:00Z' }, now).state, 'up');
  assert.equal(timerState(null, now).state, 'none');
  assert.equal(parseTimeSpan('1.02:03:04.5'), ((26 * 60 + 3) * 60 + 4) * 1000 + 500);
  assert.equal(parseTimeSpan('nonsense'), null);
});

test('the countdown line says what is left, paused or over, after its label, in the page language', () => {
  const fr = createI18n('fr');
  const en = createI18n('en');
  const running = { state: 'running', remainingMs: 65_000, label: 'Travail en groupe' };
  // One French sentence, not "Travail en groupe: Reste 1:05" (issue 15).
  assert.equal(timerText(running, fr.t), 'Travail en groupe\u00a0: reste 1:05');
  assert.equal(timerText({ ...running, label: 'Group work' }, en.t), 'Group work: 1:05 left');
  assert.equal(timerText({ state: 'paused', remainingMs: 270_000, label: null }, en.t), en.t('timer.paused', { time: '4:30' }));
  assert.equal(timerText({ state: 'up', remainingMs: 0, label: null }, en.t), en.t('timer.up'));
  assert.equal(timerText({ state: 'none', remainingMs: 0, label: null }, en.t), en.t('timer.none'));
  assert.notEqual(fr.t('timer.left', { time: '1:05' }), en.t('timer.left', { time: '1:05' }));
});

test('durations read as m:ss or h:mm:ss, rounded up so that 0:00 means over', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(1), '0:01');
  assert.equal(formatDuration(65_000), '1:05');
  assert.equal(formatDuration(3_723_000), '1:02:03');
});

test('join links carry the code in the hash or the query', () => {
  assert.equal(joinCodeFrom('http://venue.local/#join=8B7Y-ZLAU-PD'), '8B7Y-ZLAU-PD');
  assert.equal(joinCodeFrom('http://venue.local/#/join/8b7yzlaupd'), '8b7yzlaupd');
  assert.equal(joinCodeFrom('http://venue.local/?code=ABC'), 'ABC');
  assert.equal(joinCodeFrom('http://venue.local/#console'), null);
});

test('a person keeps one colour, distinct people usually differ, and every colour carries white text at 4.5:1', () => {
  assert.equal(colorFor('p-1'), colorFor('p-1'));
  assert.ok(PEOPLE_COLOURS.includes(colorFor('p-1')));
  const colours = new Set(['p-1', 'p-2', 'p-3', 'p-4', 'p-5'].map(colorFor));
  assert.ok(colours.size >= 4);
  const luminance = (hex) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  for (const c of PEOPLE_COLOURS) assert.ok(1.05 / (luminance(c) + 0.05) >= 4.5, `${c} with white text`);
});

test('announcements merge by id in time order', () => {
  const a = { id: 'a', at: '2026-11-30T09:00:00Z' };
  const b = { id: 'b', at: '2026-11-30T09:01:00Z' };
  assert.deepEqual(mergeAnnouncements([b], [a, b]).map((x) => x.id), ['a', 'b']);
  assert.equal(mergeAnnouncements([a, b], [], 1).length, 1);
});

test("others' carets and selections cut the text into segments that put it back together", () => {
  const text = 'Border communities';
  const people = [
    { participantId: 'p-1', name: 'Amina', selection: { anchor: 7, head: 7 } },
    { participantId: 'p-2', name: 'Kofi', selection: { anchor: 18, head: 0 } },
    { participantId: 'p-3', name: 'Away', selection: null },
  ];
  const segments = presenceSegments(text, people);
  assert.equal(segments.filter((s) => s.text).map((s) => s.text).join(''), text);
  assert.deepEqual(segments.filter((s) => s.caret).map((s) => s.caret.name), ['Kofi', 'Amina']);
  assert.ok(segments.filter((s) => s.text).every((s) => s.highlight?.name === 'Kofi'));
  assert.deepEqual(presenceSegments('ab', [{ selection: { anchor: 99, head: 99 }, name: 'X' }]).map((s) => s.text ?? s.caret.name), ['ab', 'X']);
});

test('the store tells listeners synchronously, once more when a listener changes it', () => {
  const store = createStore({ n: 0 });
  const seen = [];
  store.subscribe((s) => {
    seen.push(s.n);
    if (s.n === 1) store.set({ n: 2 });
  });
  store.set({ n: 1 });
  assert.deepEqual(seen, [1, 2]);
  store.set((s) => ({ n: s.n + 1 }));
  assert.deepEqual(seen, [1, 2, 3]);
});

class FakeCollab {
  constructor() {
    this.documents = new Map();
    this.opened = [];
    this.closed = [];
  }

  async openDocument(docId, handlers) {
    this.opened.push(docId);
    let synced;
    const doc = {
      docId,
      handlers,
      hasUnsyncedChanges: false,
      pending: new Promise((resolve) => (synced = resolve)),
      whenSynced() {
        return this.hasUnsyncedChanges ? this.pending : Promise.resolve();
      },
    };
    doc.sync = () => {
      doc.hasUnsyncedChanges = false;
      synced();
    };
    this.documents.set(docId, doc);
    return doc;
  }

  closeDocument(docId) {
    this.closed.push(docId);
    this.documents.delete(docId);
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test('views sharing a document each get its events; it opens once and closes after the last view leaves', async () => {
  const { DocumentRegistry } = await import('../../src/Web/wwwroot/js/documents.js');
  const collab = new FakeCollab();
  const registry = new DocumentRegistry(collab);
  const seen = [];
  const editor = { onChange: (text) => seen.push(`editor:${text}`) };
  const grid = { onChange: (text) => seen.push(`grid:${text}`) };
  const doc = await registry.acquire('d1', editor);
  assert.equal(await registry.acquire('d1', grid), doc);
  assert.deepEqual(collab.opened, ['d1']);
  doc.handlers.onChange('Bénin');
  assert.deepEqual(seen, ['editor:Bénin', 'grid:Bénin']);
  registry.release('d1', grid);
  await settle();
  assert.deepEqual(collab.closed, []);
  registry.release('d1', editor);
  await settle();
  assert.deepEqual(collab.closed, ['d1']);
});

test('a released document with an unacknowledged edit stays open until it is committed, and can be taken back meanwhile', async () => {
  const { DocumentRegistry } = await import('../../src/Web/wwwroot/js/documents.js');
  const collab = new FakeCollab();
  const unsynced = [];
  const registry = new DocumentRegistry(collab, { onUnsyncedChanged: (u) => unsynced.push(u) });
  const first = { onChange() {} };
  const doc = await registry.acquire('d1', first);
  doc.hasUnsyncedChanges = true;
  doc.handlers.onUnsyncedChanged(true);
  assert.deepEqual(unsynced, [true]);
  assert.equal(registry.anyUnsynced, true);
  registry.release('d1', first);
  await settle();
  assert.deepEqual(collab.closed, [], 'closed with an edit in flight');

  const seen = [];
  const again = { onChange: (text) => seen.push(text) };
  assert.equal(await registry.acquire('d1', again), doc);
  doc.sync();
  await settle();
  assert.deepEqual(collab.closed, [], 'closed while a view holds it');
  doc.handlers.onChange('Togo');
  assert.deepEqual(seen, ['Togo']);
  assert.deepEqual(collab.opened, ['d1']);
});
