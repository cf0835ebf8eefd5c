// Pure helpers of a text's history, shared by the recommendation page and the group notes' history (groups.js): the
// one place two texts differ (widened to whole words), committed ops grouped into readable changes per author and
// time, the revision in force at an instant, a word-level diff, and the op that restores an old text as a new edit.
// No DOM, no network: runs in browsers and in Node (tests/js/text-history.test.mjs, recommendation-page.test.mjs).

import { apply } from './ot.js';

// ------------------------------------------------------------------------------------------ edits

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

// ------------------------------------------------------------------------------------------ instants and restoring

/**
 * The revision in force at `instant` (milliseconds, or anything `Date` reads): the last of `ops` (as `GET …/ops`
 * answers them, in revision order) committed at or before it; 0 before the first. Null for an instant that is not one.
 */
export function revisionAt(ops, instant) {
  const at = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant ?? '');
  if (!Number.isFinite(at)) return null;
  let revision = 0;
  for (const entry of ops ?? []) {
    const committed = Date.parse(entry.committedAt ?? '');
    if (!Number.isFinite(committed) || committed > at) break;
    revision = entry.revision;
  }
  return revision;
}

/**
 * What restoring `old` over `current` would do, in words: `{ same, removed, added }` (the number of words each side
 * loses or gains). A restore is one ordinary edit that turns the current text into the old one.
 */
export function restoreSummary(current, old) {
  const words = (text) => tokens(text).filter((x) => /[\p{L}\p{N}]/u.test(x)).length;
  let removed = 0;
  let added = 0;
  for (const piece of wordDiff(current, old)) {
    if (piece.kind === 'removed') removed += words(piece.text);
    else if (piece.kind === 'added') added += words(piece.text);
  }
  return { same: String(current ?? '') === String(old ?? ''), removed, added };
}

// ------------------------------------------------------------------------------------------ times

/** A moment as the reader's language writes it, short ("30/11/2026 10:02"); '' for what is not one. */
export function formatWhen(at, lang) {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(lang, { dateStyle: 'short', timeStyle: 'short' });
}

/** "30/11/2026 10:02 – 10:14": a stretch of work, the day written once when it stays within one. */
export function formatSpan(first, last, lang) {
  const a = new Date(first);
  const b = new Date(last);
  if (Number.isNaN(a.getTime()) || Number.isNaN(b.getTime())) return formatWhen(last, lang);
  if (formatWhen(first, lang) === formatWhen(last, lang)) return formatWhen(last, lang);
  const time = b.toLocaleTimeString(lang, { timeStyle: 'short' });
  return a.toDateString() === b.toDateString() ? `${formatWhen(first, lang)} – ${time}` : `${formatWhen(first, lang)} – ${formatWhen(last, lang)}`;
}
