// The pure part of creating and setting up a workshop (create.js, setup.js): names in the reader's language, the
// request bodies of POST /api/workshops and PUT /api/workshops/{id} (docs/workshops.md) from what the forms hold, a
// seed file read as a creation, agenda edits, join links and the roster preview. No DOM: runs in browsers and in Node.

/** Most agenda sessions, delegations and themes a form offers (the server's limits: docs/workshops.md). */
export const LIMITS = Object.freeze({ sessions: 40, delegations: 60, themes: 40, organisers: 20, phases: 10 });

export const DEFAULT_PHASES = Object.freeze(['share', 'draft', 'review', 'adopt']);

/** The working-language choices of a new workshop; the first language of each is its language of record. */
export const LANGUAGE_CHOICES = Object.freeze(['en', 'fr', 'en,fr', 'fr,en']);

/**
 * A name in `language`: its form in `forms` (`{ fr: 'Bénin' }`) when the organisers gave one, else `name` (the form in
 * the workshop's first language). Old workshops have no forms: their single name is shown.
 */
export function localName(name, forms, language) {
  const form = forms && typeof forms === 'object' ? forms[language] : null;
  return typeof form === 'string' && form.trim() ? form : (name ?? '');
}

/** An agenda session's title in `language`. */
export const sessionTitle = (session, language) => localName(session?.title, session?.titles, language);

/** A delegation's name in `language`. */
export const delegationName = (delegation, language) => localName(delegation?.name, delegation?.names, language);

/** A recommendation theme (as typed on a recommendation) in `language`, through the workshop's named themes. */
export function themeName(theme, themes, language) {
  if (!theme) return theme ?? '';
  const key = nameKey(theme);
  const known = (themes ?? []).find((x) => nameKey(x.name) === key || Object.values(x.names ?? {}).some((n) => nameKey(n) === key));
  return known ? localName(known.name, known.names, language) : theme;
}

/** Names compared as people read them: case, accents and spacing ignored. */
export function nameKey(text) {
  return String(text ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLocaleUpperCase('en');
}

/** Non-empty trimmed lines of a textarea. */
export function lines(text) {
  return String(text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Phases as typed ("share, draft review"): distinct lower-case words, in order; empty means the default phases. */
export function parsePhases(text) {
  const words = String(text ?? '')
    .toLowerCase()
    .split(/[\s,;→>]+/)
    .filter(Boolean);
  return [...new Set(words)];
}

/** Forms in other languages as the API takes them: `{ fr: 'Bénin' }` without empty ones, or null. */
export function forms(byLanguage, languages) {
  const out = {};
  for (const language of languages.slice(1)) {
    const text = String(byLanguage?.[language] ?? '').trim();
    if (text) out[language] = text;
  }
  return Object.keys(out).length ? out : null;
}

/** A short URL-safe id from a title, as the server derives them (`Ghana` → `ghana`). */
export function slug(text, max = 32) {
  const s = String(text ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, max).replace(/-+$/, '');
}

/** An id for a new agenda session: `d<day>-<slug of its title>`, made unique among `taken` ids. */
export function newSessionId(day, title, taken) {
  const used = new Set(taken);
  const base = `d${day}-${slug(title, 30) || 'session'}`;
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
  return id;
}

/** The list with the item at `index` moved by `delta` places (kept within bounds); a new array. */
export function move(list, index, delta) {
  const to = Math.max(0, Math.min(list.length - 1, index + delta));
  if (to === index || index < 0 || index >= list.length) return [...list];
  const copy = [...list];
  const [item] = copy.splice(index, 1);
  copy.splice(to, 0, item);
  return copy;
}

/** `hh:mm` of a TimeOnly as JSON gives it (`09:00:00`), or ''. */
export const hhmm = (time) => (typeof time === 'string' ? time.slice(0, 5) : '');

/**
 * An agenda form row (`{ id, day, title, titles, kind, startsAt, endsAt, phases: 'share, draft', phaseRules }`) from an
 * agenda session as the workshop reads back.
 */
export function agendaRow(session) {
  return {
    id: session.id,
    day: session.day,
    title: session.title,
    titles: { ...(session.titles ?? {}) },
    kind: session.kind,
    startsAt: hhmm(session.startsAt),
    endsAt: hhmm(session.endsAt),
    phases: (session.phases ?? []).join(', '),
    phaseRules: session.phaseRules ?? null,
  };
}

/**
 * An agenda session for the API from a form row. A new row (no id) gets one from its day and title; the phase rules read
 * back are kept for the phases the session still has (a row for a phase it lost would be refused).
 */
export function agendaEntry(row, languages, taken = []) {
  const phases = parsePhases(row.phases);
  const rules = row.phaseRules ? Object.fromEntries(Object.entries(row.phaseRules).filter(([phase]) => phases.includes(phase))) : null;
  const day = Number(row.day) || 1;
  return {
    id: row.id || newSessionId(day, row.title, taken),
    day,
    title: String(row.title ?? '').trim(),
    titles: forms(row.titles, languages),
    kind: row.kind === 'breakouts' ? 'breakouts' : 'plenary',
    startsAt: row.startsAt || null,
    endsAt: row.endsAt || null,
    phases: phases.length ? phases : null,
    phaseRules: rules && Object.keys(rules).length ? rules : null,
  };
}

/** The agenda for the API: new sessions get ids that differ from every other's. */
export function agendaEntries(rows, languages) {
  const taken = rows.map((r) => r.id).filter(Boolean);
  return rows.map((row) => {
    const entry = agendaEntry(row, languages, taken);
    taken.push(entry.id);
    return entry;
  });
}

/** A delegation form row from a delegation as read back. */
export const delegationRow = (d) => ({ id: d.id, name: d.name, names: { ...(d.names ?? {}) }, kind: d.kind ?? '', language: d.language ?? '' });

/** A delegation for the API from a form row. */
export const delegationEntry = (row, languages) => ({
  id: row.id || null,
  name: String(row.name ?? '').trim(),
  names: forms(row.names, languages),
  kind: String(row.kind ?? '').trim() || null,
  language: row.language || null,
});

/** A theme form row / API entry. */
export const themeRow = (x) => ({ name: x.name, names: { ...(x.names ?? {}) } });
export const themeEntry = (row, languages) => ({ name: String(row.name ?? '').trim(), names: forms(row.names, languages) });

/** Rows whose main name is empty are left out (an empty row the person added and did not fill). */
const filled = (rows, key) => rows.filter((r) => String(r[key] ?? '').trim());

/**
 * The body of POST /api/workshops from the creation form: `{ title, venue, startsOn, endsOn, languages: 'en,fr',
 * organisers: 'one per line', delegations: [rows], agenda: [rows], themes: [rows], creatorName, creatorLanguage }`.
 */
export function createRequest(form) {
  const languages = String(form.languages || 'en').split(',');
  return {
    title: String(form.title ?? '').trim(),
    venue: String(form.venue ?? '').trim() || null,
    startsOn: form.startsOn || null,
    endsOn: form.endsOn || form.startsOn || null,
    languages,
    organisers: lines(form.organisers),
    delegations: filled(form.delegations ?? [], 'name').map((r) => delegationEntry(r, languages)),
    agenda: agendaEntries(filled(form.agenda ?? [], 'title'), languages),
    themes: filled(form.themes ?? [], 'name').map((r) => themeEntry(r, languages)),
    creator: { name: String(form.creatorName ?? '').trim(), delegation: null, language: languages.includes(form.creatorLanguage) ? form.creatorLanguage : languages[0] },
  };
}

/** Thrown when an uploaded seed file cannot be a workshop; `code` has a sentence in strings/admin.js. */
export class SeedError extends Error {
  constructor(code) {
    super(code);
    this.name = 'SeedError';
    this.code = code;
  }
}

/** Largest seed file read in the page (the seed of the reference conference is 30 KB; a request holds 8 MiB). */
export const MAX_SEED_BYTES = 4 * 1024 * 1024;

/**
 * A seed file (seeds/*.json: the body of POST /api/workshops plus its plenary `documents`) read as a creation made by
 * the person filling the form: `{ body, documents, summary }`. The file's own creator is replaced by them.
 */
export function seedRequest(text, creator) {
  if (typeof text !== 'string' || text.length > MAX_SEED_BYTES) throw new SeedError('seed.too_large');
  let seed;
  try {
    seed = JSON.parse(text);
  } catch {
    throw new SeedError('seed.not_json');
  }
  if (!seed || typeof seed !== 'object' || Array.isArray(seed) || typeof seed.title !== 'string' || !seed.startsOn) {
    throw new SeedError('seed.not_a_workshop');
  }
  const documents = Array.isArray(seed.documents) ? seed.documents.filter((d) => d && typeof d === 'object') : [];
  const body = { ...seed };
  delete body.documents;
  const languages = Array.isArray(seed.languages) && seed.languages.length ? seed.languages : ['en'];
  body.creator = {
    name: String(creator?.name ?? '').trim(),
    delegation: null,
    language: languages.includes(creator?.language) ? creator.language : languages[0],
  };
  return {
    body,
    documents: documents.map((d) => ({ title: d.title ?? null, text: d.text ?? null })),
    summary: {
      title: seed.title,
      venue: seed.venue ?? null,
      startsOn: seed.startsOn,
      endsOn: seed.endsOn ?? seed.startsOn,
      languages,
      delegations: Array.isArray(seed.delegations) ? seed.delegations.length : 0,
      sessions: Array.isArray(seed.agenda) ? seed.agenda.length : 0,
      documents: documents.length,
    },
  };
}

/**
 * The body of PUT /api/workshops/{id}: the workshop as read back with `changes` applied (`{ title, venue, startsOn,
 * endsOn, organisers: [..], delegations: [rows], agenda: [rows], themes: [rows] }`, each optional), guarded by `version`
 * (see expectedVersion).
 */
export function updateRequest(workshop, changes = {}, version = workshop.version) {
  const languages = workshop.languages;
  return {
    expectedVersion: version,
    title: changes.title ?? workshop.title,
    venue: changes.venue !== undefined ? changes.venue || null : workshop.venue,
    startsOn: changes.startsOn ?? workshop.startsOn,
    endsOn: changes.endsOn ?? workshop.endsOn,
    languages,
    organisers: changes.organisers ?? workshop.organisers,
    funders: workshop.funders,
    delegations: changes.delegations
      ? filled(changes.delegations, 'name').map((r) => delegationEntry(r, languages))
      : workshop.delegations.map((d) => delegationEntry(delegationRow(d), languages)),
    agenda: changes.agenda ? agendaEntries(filled(changes.agenda, 'title'), languages) : workshop.agenda.map((s) => agendaEntry(agendaRow(s), languages)),
    themes: changes.themes ? filled(changes.themes, 'name').map((r) => themeEntry(r, languages)) : (workshop.themes ?? []).map((x) => themeEntry(themeRow(x), languages)),
  };
}

/** What the Set-up's editors show of a workshop: a change elsewhere (people joining, a phase) leaves it the same. */
export function metadataOf(workshop) {
  if (!workshop) return null;
  const { title, venue, startsOn, endsOn, languages, organisers, funders, delegations, agenda, themes } = workshop;
  return JSON.stringify({ title, venue, startsOn, endsOn, languages, organisers, funders, delegations, agenda, themes: themes ?? [] });
}

/**
 * The version a save is guarded by: the workshop's version now when nothing the editor shows changed since it was
 * drawn (people joining bump the version too, and must not make a facilitator's edit a conflict); else the version it
 * was drawn from, so that the server refuses a save over someone else's change (`workshop.version_conflict`).
 */
export function expectedVersion(drawnFrom, current) {
  if (!current) return drawnFrom?.version ?? null;
  return metadataOf(drawnFrom) === metadataOf(current) ? current.version : drawnFrom.version;
}

/** The identity the page keeps (as app.js's join does) for the creator of a workshop, from the 201 answer. */
export function identityFromCreated(created) {
  const facilitatorCode = created.joinCodes.find((c) => c.role === 'facilitator')?.code ?? null;
  const f = created.facilitator;
  return {
    workshopId: f.workshopId,
    token: f.token,
    expiresAt: f.expiresAt,
    rejoinKey: f.rejoinKey,
    code: facilitatorCode,
    participant: f.participant,
  };
}

/** A join code as people read it aloud: `8B7Y-ZLAU-PD`. */
export function codeText(code) {
  const c = String(code ?? '').replace(/[\s-]/g, '').toUpperCase();
  return [c.slice(0, 4), c.slice(4, 8), c.slice(8)].filter(Boolean).join('-');
}

/** The link that opens the join page with `code` filled in (app.js reads `#join=`). */
export function joinLink(origin, code) {
  return `${String(origin).replace(/\/+$/, '')}/#join=${encodeURIComponent(String(code ?? '').replace(/[\s-]/g, ''))}`;
}

/** Join codes in the order people are told them: participants first. */
export const ROLE_ORDER = Object.freeze(['participant', 'rapporteur', 'observer', 'facilitator']);
export const sortCodes = (codes) => [...codes].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role));

/**
 * What a roster preview says at a glance: `{ added, updated, errors, canImport }`; an import is offered only when no
 * line is at fault, at least one would change, and the whole is not refused (`preview.code`, e.g. workshop.full).
 */
export function previewSummary(preview) {
  const rows = preview?.rows ?? [];
  const errors = rows.filter((r) => r.action === 'error').length;
  const added = preview?.added ?? 0;
  const updated = preview?.updated ?? 0;
  return { added, updated, errors, canImport: errors === 0 && !preview?.code && added + updated > 0 };
}

/** The roster in display order (names as people read them), the caller first excluded from nothing. */
export function sortRoster(roster, locale = 'en') {
  return [...(roster ?? [])].sort((a, b) => a.name.localeCompare(b.name, locale, { sensitivity: 'base' }));
}
