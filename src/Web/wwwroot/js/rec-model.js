// Pure helpers of the recommendation page and of proposing from notes: paragraphs aligned between languages with
// their stale flags, a suggestion from an edit, history grouped into readable changes, a word-level diff, the status
// actions a caller may take, suggestions shown inline, and the mirror layer's marks. No DOM, no network: runs in
// browsers and in Node (tests/js/recommendation-page.test.mjs).

import { apply, transformPosition } from './ot.js';

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

const WORD = /[\p{L}\p{N}_]/u;
const isWord = (ch) => ch != null && WORD.test(ch);
const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;

/**
 * What an edit of `before` into `after` replaces, as a suggestion: `{ start, end, replacement }` (a range of `before`
 * and its new text), or null when nothing changed. The range is the one place where the texts differ, widened to whole
 * words when the edit cut into one ("officers" → "officials" replaces the word, not "er" with "ial"), never inside a
 * surrogate pair.
 */
export function suggestionFromEdit(before, after) {
  const a = String(before ?? '');
  const b = String(after ?? '');
  if (a === b) return null;
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p > 0 && isHigh(a.charCodeAt(p - 1))) p--;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  if (s > 0 && isLow(a.charCodeAt(a.length - s))) s--;
  let start = p;
  let endA = a.length - s;
  let endB = b.length - s;
  const firstInside = start < endA ? a[start] : b[start];
  if (isWord(firstInside) && isWord(a[start - 1])) {
    while (start > 0 && isWord(a[start - 1])) start--;
  }
  const lastInside = endA > start ? a[endA - 1] : b[endB - 1];
  if (isWord(lastInside) && isWord(a[endA])) {
    while (endA < a.length && isWord(a[endA])) {
      endA++;
      endB++;
    }
  }
  return { start, end: endA, replacement: b.slice(start, endB) };
}

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

// ------------------------------------------------------------------------------------------ history

const SUGGESTION_CLIENT = /^suggestion:/;

/**
 * Committed ops (as `GET /api/documents/{docId}/ops` answers them, in revision order) applied to `startText` (the text
 * at the revision before the first), grouped into readable changes: consecutive ops of one author, at most `gapMs`
 * apart, form one change; an accepted suggestion is a change of its own. Each change: `{ authorId, authorName,
 * fromRevision, toRevision, firstAt, lastAt, edits, accepted, start, removed, added, before, after }` where `removed`
 * and `added` say what the change did in words and `before`/`after` are a few words of context around it.
 * Answers `{ changes, text }` (the text after the last op).
 */
export function groupHistory(startText, ops, { gapMs = 5 * 60_000 } = {}) {
  const changes = [];
  let text = String(startText ?? '');
  let current = null;
  const close = () => {
    if (!current) return;
    const edit = suggestionFromEdit(current.startText, text);
    const change = { ...current, start: 0, removed: '', added: '', before: '', after: '' };
    delete change.startText;
    if (edit) {
      change.start = edit.start;
      change.removed = current.startText.slice(edit.start, edit.end);
      change.added = edit.replacement;
      change.before = contextBefore(current.startText, edit.start);
      change.after = contextAfter(current.startText, edit.end);
    }
    changes.push(change);
    current = null;
  };
  for (const entry of ops ?? []) {
    const at = Date.parse(entry.committedAt ?? '') || 0;
    const accepted = SUGGESTION_CLIENT.test(entry.clientId ?? '');
    const joins =
      current &&
      !accepted &&
      !current.accepted &&
      current.authorId === entry.authorId &&
      current.toRevision === entry.revision - 1 &&
      at - current.lastAtMs <= gapMs;
    if (!joins) {
      close();
      current = {
        authorId: entry.authorId ?? null,
        authorName: entry.authorName ?? '',
        fromRevision: entry.revision - 1,
        toRevision: entry.revision,
        firstAt: entry.committedAt ?? null,
        lastAt: entry.committedAt ?? null,
        lastAtMs: at,
        edits: 0,
        accepted,
        startText: text,
      };
    }
    text = apply(text, entry.op);
    current.toRevision = entry.revision;
    current.lastAt = entry.committedAt ?? current.lastAt;
    current.lastAtMs = at;
    current.edits++;
  }
  close();
  for (const c of changes) delete c.lastAtMs;
  return { changes, text };
}

const CONTEXT_WORDS = 4;

function contextBefore(text, at) {
  const words = text.slice(Math.max(0, at - 200), at).split(/(\s+)/);
  const kept = words.slice(-CONTEXT_WORDS * 2).join('');
  return kept.length < text.slice(0, at).length ? `…${kept}` : kept;
}

function contextAfter(text, at) {
  const words = text.slice(at, at + 200).split(/(\s+)/);
  const kept = words.slice(0, CONTEXT_WORDS * 2).join('');
  return kept.length < text.length - at ? `${kept}…` : kept;
}

// ------------------------------------------------------------------------------------------ word diff

const TOKEN = /\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/** Words, runs of spaces and single punctuation marks: the units of the word-level diff. */
export function tokens(text) {
  return String(text ?? '').match(TOKEN) ?? [];
}

/**
 * The word-level difference between two texts: `[{ kind: 'same' | 'removed' | 'added', text }]`, consecutive pieces
 * of one kind joined, removals before additions. A shortest edit script over words (Myers); when the texts differ in
 * more than `maxEdits` words the middle is shown as one removal and one addition instead.
 */
export function wordDiff(from, to, { maxEdits = 4000 } = {}) {
  const a = tokens(from);
  const b = tokens(to);
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const middle = myers(a.slice(p, a.length - s), b.slice(p, b.length - s), maxEdits) ?? [
    ...a.slice(p, a.length - s).map((x) => ['removed', x]),
    ...b.slice(p, b.length - s).map((x) => ['added', x]),
  ];
  const script = slide([...a.slice(0, p).map((x) => ['same', x]), ...middle, ...a.slice(a.length - s).map((x) => ['same', x])]);
  const pieces = [];
  for (const [kind, text] of script) {
    const last = pieces.at(-1);
    if (last && last.kind === kind) last.text += text;
    else pieces.push({ kind, text });
  }
  return tidy(pieces);
}

const SPACE = /^\s+$/;
const STOP = /^[.,;:!?)»”]$/;

/** How well a change's edges fall on word and sentence boundaries (higher reads better). */
function edges(before, run, after) {
  const edge = (x, y) => (x == null || y == null ? 2 : (SPACE.test(x) || SPACE.test(y) ? 1 : 0) + (STOP.test(x) && SPACE.test(y) ? 1 : 0));
  return edge(before.at(-1), run[0]) + edge(run.at(-1), after[0]);
}

/**
 * An insertion or a deletion next to equal words can often sit in several places ("engagement<ins>. Every
 * quarter</ins>." or "engagement.<ins> Every quarter.</ins>"): each is slid to where its edges fall on word and sentence
 * boundaries.
 */
function slide(script) {
  const out = script.slice();
  let i = 0;
  while (i < out.length) {
    const kind = out[i][0];
    let j = i;
    while (j < out.length && out[j][0] === kind) j++;
    const pure = kind !== 'same' && (i === 0 || out[i - 1][0] === 'same') && (j === out.length || out[j][0] === 'same');
    if (!pure) {
      i = j;
      continue;
    }
    let lo = i;
    while (lo > 0 && out[lo - 1][0] === 'same') lo--;
    let hi = j;
    while (hi < out.length && out[hi][0] === 'same') hi++;
    const before = out.slice(lo, i).map((x) => x[1]);
    const run = out.slice(i, j).map((x) => x[1]);
    const after = out.slice(j, hi).map((x) => x[1]);
    while (before.length && before.at(-1) === run.at(-1)) {
      after.unshift(run.pop());
      run.unshift(before.pop());
    }
    let best = { at: before.length, score: edges(before, run, after) };
    while (after.length && after[0] === run[0]) {
      before.push(run.shift());
      run.push(after.shift());
      const score = edges(before, run, after);
      if (score >= best.score) best = { at: before.length, score };
    }
    // Rebuild the stretch lo..hi with the run at its best place.
    const tokens = [...before, ...run, ...after];
    const start = best.at;
    const stretch = tokens.map((x, k) => [k >= start && k < start + run.length ? kind : 'same', x]);
    out.splice(lo, hi - lo, ...stretch);
    i = lo + start + run.length;
  }
  return out;
}

/**
 * Changes separated only by spaces read as one change: "-old words +new text", not "-old +new - +": a stretch of
 * removals and additions with only spaces between them becomes one removal followed by one addition (the spaces on
 * both sides). A stretch that only removes, or only adds, stays as it was.
 */
function tidy(pieces) {
  const out = [];
  let i = 0;
  while (i < pieces.length) {
    if (pieces[i].kind === 'same') {
      out.push({ ...pieces[i] });
      i++;
      continue;
    }
    const stretch = [];
    while (i < pieces.length) {
      const piece = pieces[i];
      const spacesBetween = piece.kind === 'same' && /^\s+$/.test(piece.text) && i + 1 < pieces.length && pieces[i + 1].kind !== 'same';
      if (piece.kind === 'same' && !spacesBetween) break;
      stretch.push(piece);
      i++;
    }
    const kinds = new Set(stretch.map((p) => p.kind));
    if (kinds.has('removed') && kinds.has('added')) {
      const side = (kind) => stretch.filter((p) => p.kind === kind || p.kind === 'same').map((p) => p.text).join('');
      out.push({ kind: 'removed', text: side('removed') }, { kind: 'added', text: side('added') });
    } else {
      for (const piece of stretch) {
        const last = out.at(-1);
        if (last && last.kind === piece.kind) last.text += piece.text;
        else out.push({ ...piece });
      }
    }
  }
  return out;
}

/** Myers' O((N+M)D) shortest edit script: `[[kind, token]]`, or null beyond `maxEdits`. */
function myers(a, b, maxEdits) {
  const n = a.length;
  const m = b.length;
  if (n === 0 && m === 0) return [];
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d, offset);
    }
  }
  return null;
}

function backtrack(trace, a, b, depth, offset) {
  const script = [];
  let x = a.length;
  let y = b.length;
  for (let d = depth; d > 0; d--) {
    const v = trace[d];
    const k = x - y;
    const down = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]);
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      y--;
      script.push(['same', a[--x]]);
    }
    if (down) script.push(['added', b[--y]]);
    else script.push(['removed', a[--x]]);
  }
  while (x > 0 && y > 0) {
    y--;
    script.push(['same', a[--x]]);
  }
  return script.reverse();
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

