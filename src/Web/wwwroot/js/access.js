// What the reader may do with a document now, in the editor's terms: `edit` (typing is sent as ops), `suggest` (typing
// becomes a suggestion) or `read`, with the reason when it is not `edit` (docs/protocol.md, OpenDocument's `access`).
// Pure: no DOM, no network; runs in browsers and in Node (tests/js/recommendation-page.test.mjs).

export const MODES = Object.freeze(['edit', 'suggest', 'read']);

/** SubmitOp refusals that mean "you may not edit this now" (not a fault of the op): the typing is kept, never lost. */
export const ACCESS_REFUSALS = Object.freeze([
  'document.read_only',
  'document.not_a_member',
  'document.locked',
  'document.phase_read_only',
  'document.suggest_only',
  'document.status_locked',
]);

export function isAccessRefusal(code) {
  return ACCESS_REFUSALS.includes(code);
}

const REFUSED = Object.freeze({
  'document.read_only': { mode: 'read', reason: 'observer' },
  'document.not_a_member': { mode: 'read', reason: 'not_a_member' },
  'document.locked': { mode: 'read', reason: 'locked' },
  'document.phase_read_only': { mode: 'read', reason: 'phase' },
  'document.suggest_only': { mode: 'suggest', reason: null },
  'document.status_locked': { mode: 'read', reason: 'status' },
});

/** The access a refusal tells of, until the server answers the new one (null for other codes). */
export function accessFromRefusal(code) {
  const a = REFUSED[code];
  return a ? { ...a, phase: null } : null;
}

function normal(access) {
  if (!access || !MODES.includes(access.mode)) return null;
  return { mode: access.mode, reason: access.mode === 'edit' ? null : (access.reason ?? null), phase: access.phase ?? null };
}

const STRICTNESS = Object.freeze({ edit: 0, suggest: 1, read: 2 });

/**
 * The editor's mode: `{ mode, reason, phase }`. The server's `access` decides when it gave one (it accounts for the
 * recommendation's status: an adopted recommendation's stale translation stays open to its rapporteurs), except that
 * news newer than that answer is stricter until the server answers again: a lock pushed since (a locked document
 * accepts nothing from anyone) and a refusal of this reader's typing (`refused`). Typing in the moment between would
 * otherwise be shown and then refused. When the server did not say (an older server), a locked document is read only,
 * and what the page knows decides: `fallback` (e.g. a recommendation in review: suggest), then `refused`, then today's
 * rules: observers read, everyone else edits.
 */
export function editorAccess({ access = null, role = null, locked = false, refused = null, fallback = null, readOnly = false } = {}) {
  const server = normal(access);
  if (readOnly || role === 'observer') return { mode: 'read', reason: 'observer', phase: null };
  if (server) {
    if (locked && server.mode !== 'read') return { mode: 'read', reason: 'locked', phase: null };
    const told = normal(refused);
    return told && STRICTNESS[told.mode] > STRICTNESS[server.mode] ? told : server;
  }
  if (locked) return { mode: 'read', reason: 'locked', phase: null };
  const fromPage = normal(fallback);
  if (fromPage && fromPage.mode !== 'edit') return fromPage;
  const told = normal(refused);
  if (told && told.mode !== 'edit') return told;
  return { mode: 'edit', reason: null, phase: null };
}

/**
 * The recommendation's status as an access for participants when the server does not answer one
 * (docs/recommendations.md, "Status flow"): in review they suggest; once final nobody edits.
 */
export function recommendationFallback(status, role) {
  if (['adopted', 'rejected', 'withdrawn', 'merged'].includes(status)) return { mode: 'read', reason: 'status' };
  if (status === 'inReview' && role !== 'facilitator' && role !== 'rapporteur') return { mode: 'suggest', reason: 'status' };
  return null;
}

/** The i18n key and parameters of the sentence that tells the reader why they do not simply edit (null when they do). */
export function accessNotice(access) {
  if (!access || access.mode === 'edit') return null;
  const reasons = access.mode === 'suggest' ? ['phase', 'status'] : ['observer', 'not_a_member', 'locked', 'phase', 'status', 'session_ended'];
  let reason = reasons.includes(access.reason) ? access.reason : 'other';
  if (reason === 'phase' && !access.phase) reason = 'phaseUnnamed';
  return { key: `rec.access.${access.mode}.${reason}`, phase: access.phase ?? null };
}

/** The sentence of `accessNotice` in the reader's language; a phase is named in words when it is one of the defaults. */
export function accessSentence(access, t) {
  const notice = accessNotice(access);
  if (!notice) return '';
  return t(notice.key, { phase: phaseName(notice.phase, t) });
}

/** A phase's name in words ("review" → "Review" / "Examen"); a workshop's own phase names are shown as they are. */
export function phaseName(phase, t) {
  if (!phase) return '';
  const key = `rec.phase.${phase}`;
  const words = t(key);
  return words === key ? phase : words;
}
