// Pure view-model helpers of the web client: which room someone is in, which documents it has, what the timer
// shows, colours for people. No DOM, no network: runs in browsers and in Node (tests/js/web-model.test.mjs).

/** The newer of two views of the same thing by `version` (pushes can arrive out of order or twice). */
export function newer(current, incoming) {
  if (!incoming) return current ?? null;
  if (!current) return incoming;
  return (incoming.version ?? 0) >= (current.version ?? 0) ? incoming : current;
}

/** The breakout group `participantId` is in while breakouts are open, else null (plenary). */
export function groupOf(session, participantId) {
  const breakouts = session?.breakouts;
  if (!breakouts?.open || !participantId) return null;
  return breakouts.groups?.find((g) => g.members?.includes(participantId)) ?? null;
}

/** `{ key, kind: 'plenary' | 'group', group }`: `key` changes exactly when the person changes room. */
export function roomOf(session, participantId) {
  const group = groupOf(session, participantId);
  return group ? { key: group.room, kind: 'group', group } : { key: 'plenary', kind: 'plenary', group: null };
}

/** A group document's title in `lang`, else in English, else any, else its section key. */
export function sectionTitle(titles, lang, fallback) {
  if (titles) {
    if (titles[lang]) return titles[lang];
    if (titles.en) return titles.en;
    const any = Object.values(titles).find(Boolean);
    if (any) return any;
  }
  return fallback ?? '';
}

/** The documents of a room: a group's notes, or the workshop's plenary documents. `[{ docId, title }]`. */
export function roomDocuments(workshop, room, lang) {
  if (room?.kind === 'group') {
    return (room.group.documents ?? []).map((d) => ({ docId: d.docId, title: sectionTitle(d.titles, lang, d.section) }));
  }
  return (workshop?.documents ?? []).map((d) => ({ docId: d.docId, title: d.title || d.docId }));
}

/** "hh:mm:ss" (a .NET TimeSpan as JSON; may carry days "d.hh:mm:ss" and fractions) to milliseconds. */
export function parseTimeSpan(text) {
  if (typeof text === 'number') return text;
  const m = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(String(text ?? ''));
  if (!m) return null;
  const [, neg, d, h, min, s, frac] = m;
  const ms = ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60000 + Number(s) * 1000 + (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
  return neg ? -ms : ms;
}

/**
 * What the countdown shows at local time `now`: `{ state: 'none' | 'running' | 'paused' | 'up', remainingMs, label }`.
 * The deadline is on the server's clock: `skewMs` (server time minus local time when the view arrived) cancels the
 * difference between the two clocks.
 */
export function timerState(timer, now, skewMs = 0) {
  if (!timer) return { state: 'none', remainingMs: 0, label: null };
  const label = timer.label ?? null;
  if (timer.timeUpAt) return { state: 'up', remainingMs: 0, label };
  if (timer.deadline) {
    const remainingMs = Date.parse(timer.deadline) - (now + skewMs);
    return remainingMs > 0 ? { state: 'running', remainingMs, label } : { state: 'up', remainingMs: 0, label };
  }
  if (timer.remaining != null) return { state: 'paused', remainingMs: Math.max(0, parseTimeSpan(timer.remaining) ?? 0), label };
  return { state: 'none', remainingMs: 0, label };
}

/** The countdown's line in the page's language (`t` from i18n): "Group work: 4:05 left", "Time's up" … */
export function timerText(state, t) {
  const text =
    state.state === 'running'
      ? t('timer.left', { time: formatDuration(state.remainingMs) })
      : state.state === 'paused'
        ? t('timer.paused', { time: formatDuration(state.remainingMs) })
        : state.state === 'up'
          ? t('timer.up')
          : t('timer.none');
  // With a label, one sentence per language ("Group work: 4:05 left" / "Travail en groupe : reste 4:05").
  return state.label ? t(`timer.labelled.${state.state}`, { label: state.label, time: formatDuration(state.remainingMs) }) : text;
}

/** Server clock minus local clock, from a view's `serverTime` received at local time `receivedAt`. */
export function clockSkew(serverTime, receivedAt) {
  const server = Date.parse(serverTime ?? '');
  return Number.isFinite(server) ? server - receivedAt : 0;
}

/** "4:05", "12:00", "1:02:03": whole seconds, rounded up so that 0:00 means over. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Colours for people: each keeps white text (names on carets) at a contrast of at least 4.5:1, and shows on white. */
export const PEOPLE_COLOURS = Object.freeze([
  '#b3261e', '#0b57d0', '#146c2e', '#8e24aa', '#a14f00', '#00695c',
  '#c2185b', '#3949ab', '#5d4037', '#006064', '#6a1b9a', '#37474f',
]);

/** A stable colour per person, from PEOPLE_COLOURS. */
export function colorFor(id) {
  let hash = 0;
  for (const ch of String(id ?? '')) hash = (Math.imul(hash, 31) + ch.codePointAt(0)) | 0;
  return PEOPLE_COLOURS[Math.abs(hash) % PEOPLE_COLOURS.length];
}

/** The join code in a link: `#join=CODE`, `#/join/CODE` or `?code=CODE`; null when there is none. */
export function joinCodeFrom(href) {
  let url;
  try {
    url = new URL(href, 'http://localhost/');
  } catch {
    return null;
  }
  const query = url.searchParams.get('code');
  if (query) return query.trim();
  const m = /^#\/?join[=/]([A-Za-z0-9 -]+)$/.exec(url.hash);
  return m ? decodeURIComponent(m[1]).trim() : null;
}

/** Announcements merged by id, oldest first, at most `max` kept. */
export function mergeAnnouncements(current, incoming, max = 50) {
  const byId = new Map((current ?? []).map((a) => [a.id, a]));
  for (const a of incoming ?? []) if (a?.id) byId.set(a.id, a);
  return [...byId.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)).slice(-max);
}

/** Cuts `text` at the sorted caret and selection boundaries of others: segments for the cursor overlay. */
export function presenceSegments(text, participants) {
  const marks = [];
  for (const p of participants ?? []) {
    const sel = p.selection;
    if (!sel) continue;
    const start = Math.max(0, Math.min(text.length, Math.min(sel.anchor, sel.head)));
    const end = Math.max(0, Math.min(text.length, Math.max(sel.anchor, sel.head)));
    const caret = Math.max(0, Math.min(text.length, sel.head));
    marks.push({ at: caret, kind: 'caret', who: p });
    if (end > start) marks.push({ at: start, end, kind: 'range', who: p });
  }
  const cuts = [...new Set([0, text.length, ...marks.flatMap((m) => (m.kind === 'range' ? [m.at, m.end] : [m.at]))])].sort((a, b) => a - b);
  const segments = [];
  for (let i = 0; i < cuts.length; i++) {
    const at = cuts[i];
    for (const m of marks) if (m.kind === 'caret' && m.at === at) segments.push({ caret: m.who });
    const next = cuts[i + 1];
    if (next === undefined || next === at) continue;
    const covering = marks.filter((m) => m.kind === 'range' && m.at <= at && m.end >= next).map((m) => m.who);
    segments.push({ text: text.slice(at, next), highlight: covering[0] ?? null });
  }
  return segments;
}
