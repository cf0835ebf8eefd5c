// Pure helpers of the group documents view (groups.js) and of empty documents: groups by round, a document's title in
// the reader's language, and the guidance an empty document shows. No DOM, no network (tests/js/notes-model.test.mjs).

import { sectionTitle } from './model.js';

/** The round a group was opened in: its id says it from the second round on (`r2-g1`). */
export function roundOf(groupId) {
  const m = /^r(\d+)-/.exec(String(groupId ?? ''));
  return m ? Number(m[1]) : 1;
}

/** Groups (as `GET …/sessions/{id}/groups` lists them) by round: `[{ round, groups }]`, earliest round first. */
export function groupsByRound(groups) {
  const rounds = new Map();
  for (const g of groups ?? []) {
    const round = roundOf(g.id);
    if (!rounds.has(round)) rounds.set(round, []);
    rounds.get(round).push(g);
  }
  return [...rounds.entries()].sort((a, b) => a[0] - b[0]).map(([round, list]) => ({ round, groups: list }));
}

/** Every document of the groups, flattened: `{ docId, groupId, groupName, section, title, guidance }`. */
export function groupDocuments(groups, lang) {
  return (groups ?? []).flatMap((g) =>
    (g.documents ?? []).map((d) => ({
      docId: d.docId,
      groupId: g.id,
      groupName: g.name,
      section: d.section,
      title: sectionTitle(d.titles, lang, d.section),
      guidance: d.guidance ?? null,
    })),
  );
}

/**
 * What an empty document says (its placeholder), in the reader's language `lang`: nothing to write for a reader who may
 * not edit; else the template's own guidance in that language, else the built-in guidance for a well-known section
 * (best practices, lessons learnt, …), else the template's guidance in another language, else a general sentence for a
 * group's or the plenary's notes. `t` is the page's translate function (it answers the key when it has no string).
 */
export function guidanceFor(doc, lang, t, { canEdit = true, plenary = false } = {}) {
  if (!canEdit) return t('notes.guidance.readOnly');
  const own = doc?.guidance ?? null;
  if (own?.[lang]) return own[lang];
  if (doc?.section) {
    const key = `notes.guidance.${doc.section}`;
    const builtIn = t(key);
    if (builtIn && builtIn !== key) return builtIn;
  }
  const any = own ? Object.values(own).find(Boolean) : null;
  if (any) return any;
  return t(plenary ? 'notes.guidance.plenary' : 'notes.guidance.group');
}

/** Most documents one group gets (the server's limit, docs/workshops.md). */
export const MAX_GROUP_DOCUMENTS = 8;

/** A document key from a title, as the server makes one: ASCII letters and digits, words joined by '-'. */
export function slug(title) {
  return String(title ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

/**
 * A session's group documents as the template editor holds them (`{ key, titles, guidance, text }`, one text per
 * language in `languages`, '' when none), from the agenda's `groupDocuments` (none: an empty list, the default ones).
 */
export function templateDraft(groupDocuments, languages) {
  const per = (texts) => Object.fromEntries(languages.map((l) => [l, texts?.[l] ?? '']));
  return (groupDocuments ?? []).map((d) => ({ key: d.key ?? '', titles: per(d.titles), guidance: per(d.guidance), text: d.text ?? '' }));
}

/**
 * The body of `PUT …/sessions/{id}/group-documents` from the editor's draft: blank texts left out, a key kept or made
 * from the first title; `{ groupDocuments: null }` for none (the default documents). Throws `'titleMissing'` when a
 * document has no title at all.
 */
export function templateBody(draft) {
  if (!draft || draft.length === 0) return { groupDocuments: null };
  const filled = (texts) => {
    const out = Object.fromEntries(Object.entries(texts ?? {}).map(([l, v]) => [l, String(v ?? '').trim()]).filter(([, v]) => v));
    return Object.keys(out).length ? out : null;
  };
  return {
    groupDocuments: draft.map((d) => {
      const titles = filled(d.titles);
      if (!titles) throw new Error('titleMissing');
      return { key: d.key || slug(Object.values(titles)[0]) || 'document', titles, text: d.text ? d.text : null, guidance: filled(d.guidance) };
    }),
  };
}
