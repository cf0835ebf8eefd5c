// Pure helpers of the recommendation page and of proposing from notes: paragraphs aligned between languages with
// their stale flags, a suggestion from an edit, history grouped into readable changes, a word-level diff, the status
// actions a caller may take, suggestions shown inline, and the mirror layer's marks. No DOM, no network: runs in
// browsers and in Node (tests/js/recommendation-page.test.mjs).

import { transformPosition } from './ot.js';

// History, word diff and the minimal edit between two texts live in text-history.js (shared with the notes' history).
export { groupHistory, suggestionFromEdit, tokens, wordDiff } from './text-history.js';

// ------------------------------------------------------------------------------------------ paragraphs

/**
 * The paragraphs of a text as the server counts them (docs/recommendations.md, "Bilingual drafting"): blocks separated
 * by a blank line, trimmed, empty ones left out. Each with its range in the text: `{ text, start, end }`.
 */
export function paragraphs(text) {
  const out = [];
  const source = String(text ?? '');
  const separator = /(?:\r\n|\n)(?:\r\n|\n)/g;
  let from = 0;
  const take = (start, end) => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(source[s])) s++;
    while (e > s && /\s/.test(source[e - 1])) e--;
    if (e > s) out.push({ text: source.slice(s, e), start: s, end: e });
  };
  for (let m = separator.exec(source); m; m = separator.exec(source)) {
    take(from, m.index);
    from = m.index + m[0].length;
  }
  take(from, source.length);
  return out;
}

/**
 * The text of record and a translation side by side, paragraph i beside paragraph i: `[{ index, record, translation,
 * stale }]` (a missing paragraph is null). `stale` lists the translation's stale paragraph indexes as the server
 * answers them (`texts[].staleParagraphs`).
 */
export function alignParagraphs(recordText, translationText, stale = []) {
  const record = paragraphs(recordText);
  const translation = paragraphs(translationText);
  const flagged = new Set(stale ?? []);
  const rows = [];
  for (let i = 0; i < Math.max(record.length, translation.length); i++) {
    rows.push({ index: i, record: record[i] ?? null, translation: translation[i] ?? null, stale: flagged.has(i) });
  }
  return rows;
}

/** Marks for the translation's stale paragraphs (the ones it has), for the editor's mirror layer. */
export function staleMarks(translationText, stale = []) {
  const list = paragraphs(translationText);
  return [...new Set(stale ?? [])]
    .filter((i) => i >= 0 && i < list.length)
    .map((i) => ({ id: `stale-${i}`, kind: 'stale', start: list[i].start, end: list[i].end }));
}

// ------------------------------------------------------------------------------------------ edits and suggestions

/** A suggestion in words: `{ kind: 'replace' | 'insert' | 'delete', removed, added }`. */
export function describeSuggestion(removed, added) {
  if (!removed) return { kind: 'insert', removed: '', added };
  if (!added) return { kind: 'delete', removed, added: '' };
  return { kind: 'replace', removed, added };
}

/**
 * A text with open suggestions shown in place: segments `{ text }` and `{ suggestion, removed, added }` in text order.
 * Each suggestion has a range `{ start, end }` in `text` (already moved to it); one that overlaps an earlier one is
 * left out here (it is still listed beside the text).
 */
export function inlineSuggestions(text, suggestions) {
  const source = String(text ?? '');
  const placed = (suggestions ?? [])
    .filter((x) => x.range && x.range.start >= 0 && x.range.end <= source.length && x.range.start <= x.range.end)
    .sort((x, y) => x.range.start - y.range.start || x.range.end - y.range.end);
  const segments = [];
  let at = 0;
  for (const x of placed) {
    if (x.range.start < at) continue;
    if (x.range.start > at) segments.push({ text: source.slice(at, x.range.start) });
    segments.push({ suggestion: x, removed: source.slice(x.range.start, x.range.end), added: x.replacement ?? '' });
    at = x.range.end;
  }
  if (at < source.length) segments.push({ text: source.slice(at) });
  return segments;
}

// ------------------------------------------------------------------------------------------ ranges

/**
 * Moves a range `{ start, end }` through ops (wire form), as the server moves anchors: text inserted exactly at either
 * edge stays outside, text inserted inside grows it, deletions shrink it.
 */
export function moveRange(range, ops) {
  let { start, end } = range;
  for (const op of ops) {
    if (start === end) {
      start = end = transformPosition(start, op, 'before');
    } else {
      const s = transformPosition(start, op, 'after');
      end = Math.max(s, transformPosition(end, op, 'before'));
      start = s;
    }
  }
  return { start, end };
}

/**
 * The mirror layer of an editor: `text` cut at others' carets and selections and at marks (comments, suggestions,
 * stale paragraphs, a source passage). Segments: `{ caret: person }`, `{ point: mark }` (an empty mark: where a
 * suggestion would insert), `{ text, highlight: person | null, marks: [mark] }`.
 */
export function overlaySegments(text, people, marks) {
  const source = String(text ?? '');
  const clamp = (x) => Math.max(0, Math.min(source.length, x));
  const ranges = [];
  const points = [];
  for (const p of people ?? []) {
    const sel = p.selection;
    if (!sel) continue;
    const start = clamp(Math.min(sel.anchor, sel.head));
    const end = clamp(Math.max(sel.anchor, sel.head));
    points.push({ at: clamp(sel.head), caret: p });
    if (end > start) ranges.push({ start, end, person: p });
  }
  for (const m of marks ?? []) {
    const start = clamp(Math.min(m.start, m.end));
    const end = clamp(Math.max(m.start, m.end));
    if (end > start) ranges.push({ start, end, mark: m });
    else points.push({ at: start, point: m });
  }
  const cuts = [...new Set([0, source.length, ...ranges.flatMap((r) => [r.start, r.end]), ...points.map((p) => p.at)])].sort((x, y) => x - y);
  const segments = [];
  for (let i = 0; i < cuts.length; i++) {
    const at = cuts[i];
    for (const p of points) if (p.at === at) segments.push(p.caret ? { caret: p.caret } : { point: p.point });
    const next = cuts[i + 1];
    if (next === undefined || next === at) continue;
    const covering = ranges.filter((r) => r.start <= at && r.end >= next);
    segments.push({
      text: source.slice(at, next),
      highlight: covering.find((r) => r.person)?.person ?? null,
      marks: covering.filter((r) => r.mark).map((r) => r.mark),
    });
  }
  return segments;
}

// ------------------------------------------------------------------------------------------ status

const FINAL = ['adopted', 'rejected', 'withdrawn', 'merged'];

/** True once a recommendation's text no longer changes. */
export function isFinal(status) {
  return FINAL.includes(status);
}

/**
 * The status changes the caller may make now (docs/recommendations.md, "Status flow"): `[{ to, irreversible,
 * blocked }]` in the order a facilitator meets them. `blocked` is an i18n key saying why the server would refuse it now
 * (adoption without the votes the rule asks for).
 */
export function statusActions(view, me) {
  if (!view || !me || me.role === 'observer') return [];
  const author = view.authorId === me.participantId;
  const facilitator = me.role === 'facilitator';
  const editsEverywhere = facilitator || me.role === 'rapporteur';
  const actions = [];
  const status = view.status;
  if (status === 'draft' && (author || editsEverywhere)) actions.push({ to: 'proposed', irreversible: false, blocked: null });
  if (status === 'proposed' && facilitator) actions.push({ to: 'inReview', irreversible: false, blocked: null });
  if ((status === 'proposed' || status === 'inReview') && facilitator) {
    actions.push({ to: 'adopted', irreversible: true, blocked: view.tally?.adoptable ? null : 'rec.status.notAdoptable' });
    actions.push({ to: 'rejected', irreversible: true, blocked: null });
  }
  if (['draft', 'proposed', 'inReview'].includes(status) && (author || facilitator)) actions.push({ to: 'withdrawn', irreversible: true, blocked: null });
  return actions;
}

/** Who may accept or reject suggestions: the recommendation's author, facilitators and rapporteurs, while it is open. */
export function decidesSuggestions(view, me) {
  if (!view || !me || isFinal(view.status)) return false;
  return me.role === 'facilitator' || me.role === 'rapporteur' || view.authorId === me.participantId;
}

/** Who may resolve or reopen a comment: its author, facilitators and rapporteurs. */
export function resolvesComment(comment, me) {
  if (!comment || !me || me.role === 'observer') return false;
  return me.role === 'facilitator' || me.role === 'rapporteur' || comment.authorId === me.participantId;
}

/** The languages of a recommendation in reading order: the text of record first, then the others as the workshop lists them. */
export function textsInOrder(view) {
  const texts = view?.texts ?? [];
  return [...texts.filter((x) => x.ofRecord), ...texts.filter((x) => !x.ofRecord)];
}

/**
 * Whether the live session's phase lets people do `action` (`propose`, `comment`, `suggest`, `endorse`), when the
 * workshop says (`agenda[].phaseRules`); null when it does not say (the server decides).
 */
export function phaseAllows(workshop, session, action) {
  if (!workshop || !session?.phase) return null;
  const entry = (workshop.agenda ?? []).find((a) => a.id === session.sessionId);
  const rule = entry?.phaseRules?.[session.phase];
  if (!rule || typeof rule[action] !== 'boolean') return null;
  return rule[action];
}

// ------------------------------------------------------------------------------------------ words for refusals

/**
 * The stable code of an error: an HTTP ApiError's `code`, or a hub error's "<code>: <text>" message.
 */
export function codeOf(err) {
  if (!err) return null;
  if (typeof err === 'string') return err;
  if (typeof err.code === 'string' && /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/.test(err.code)) return err.code;
  const m = /(?:^|HubException:\s*)([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+):\s?/.exec(String(err.message ?? ''));
  return m ? m[1] : null;
}

