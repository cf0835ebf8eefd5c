// The recommendations board (docs/recommendations.md), the same for everyone in the workshop: every recommendation
// with its status, theme, origin, excerpt, tally and stale translations; filters, accent- and case-insensitive
// search and sorting; likely duplicates with a merge dialog for facilitators (the merged text prepared from the
// sources, every source's provenance kept); each recommendation's endorsements (endorse.js) and the status changes
// the caller may make now, the irreversible ones confirmed; the adoption rule, set by facilitators. Rows follow
// RecommendationChanged live (the store keeps the highest version per id: boardWithRow, mergeBoard); likely duplicates
// are read again after rows change. A recommendation opens at `#rec=<id>` (its page is recommendation.js).
// The pure functions at the top are tested in tests/js/board.test.mjs.

import { themeName } from './setup-model.js';
import { h, replace, field, select, patch } from './dom.js';
import { describeError } from './errors.js';
import { titleIn } from './rec-titles.js';
import { createEndorsePanel, ruleText, tallyText, adoptionOutlook, tallyCounts, percent } from './endorse.js';

export const STATUSES = Object.freeze(['draft', 'proposed', 'inReview', 'adopted', 'rejected', 'withdrawn', 'merged']);
export const OPEN_STATUSES = Object.freeze(['draft', 'proposed', 'inReview']);
export const SORTS = Object.freeze(['recent', 'title', 'status', 'tally']);
const STATUS_ORDER = Object.freeze({ inReview: 0, proposed: 1, draft: 2, adopted: 3, rejected: 4, withdrawn: 5, merged: 6 });
const ANY = '*';
const DUPLICATES_REFRESH_MS = 1500;
const MAX_SESSIONS_LOOKED_UP = 40;

// ---------------------------------------------------------------------------------------------------- pure parts

/** Text as search compares it: no accents, no case, ligatures spelt out, punctuation (hyphens too) as spaces. */
export function foldText(text) {
  return String(text ?? '')
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Every row (RecommendationSummary) of a board. */
export function boardRows(board) {
  return (board?.themes ?? []).flatMap((th) => th.recommendations ?? []);
}

function themesOf(rows) {
  const byTheme = new Map();
  for (const row of rows) {
    const theme = row.theme ?? '';
    if (!byTheme.has(theme)) byTheme.set(theme, []);
    byTheme.get(theme).push(row);
  }
  return [...byTheme.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([theme, recommendations]) => ({ theme, recommendations }));
}

/** `board` with `row` (a pushed RecommendationSummary) unless it already holds a newer version of it. */
export function boardWithRow(board, row) {
  if (!row?.id) return board ?? null;
  const base = board ?? { themes: [], likelyDuplicates: [], rule: null };
  const rows = boardRows(base);
  const current = rows.find((r) => r.id === row.id);
  if (current && (current.version ?? 0) > (row.version ?? 0)) return base;
  // A row carries the tally under the rule in force when it was published: the newest one tells the rule.
  return { ...base, themes: themesOf([...rows.filter((r) => r.id !== row.id), row]), rule: row.tally?.rule ?? base.rule ?? null };
}

/** A board read over HTTP merged with what pushes brought meanwhile: per id the higher version wins. */
export function mergeBoard(current, fetched) {
  if (!fetched) return current ?? null;
  const byId = new Map(boardRows(current).map((r) => [r.id, r]));
  for (const row of boardRows(fetched)) {
    const known = byId.get(row.id);
    if (!known || (row.version ?? 0) >= (known.version ?? 0)) byId.set(row.id, row);
  }
  return { ...fetched, themes: themesOf([...byId.values()]) };
}

/** The session of a breakout room id (`<sessionId>.<groupId>`), or null for the plenary and other origins. */
export function sessionOfRoom(origin) {
  const at = String(origin ?? '').lastIndexOf('.');
  return !origin || origin === 'plenary' || at <= 0 ? null : origin.slice(0, at);
}

/** Breakout rooms by id, `{ group, session }` names, from session views (`SessionView.breakouts.groups`) and the agenda. */
export function roomsOf(sessionViews, agenda) {
  const rooms = new Map();
  for (const view of sessionViews ?? []) {
    const title = agenda?.find((a) => a.id === view?.sessionId)?.title ?? view?.title ?? null;
    for (const g of view?.breakouts?.groups ?? []) rooms.set(g.room, { group: g.name, session: title });
  }
  return rooms;
}

/** Where a recommendation comes from, in words: the plenary, or a group with its session; else the origin as given. */
export function originLabel(origin, rooms, t) {
  if (!origin || origin === 'plenary') return t('room.plenary');
  const room = rooms?.get(origin);
  if (!room) return origin;
  return room.session ? t('board.groupInSession', { group: room.group, session: room.session }) : room.group;
}

/**
 * The rows that pass the filters: `theme` ('' for none), `status` (a status, or 'open'), `origin`, `staleOnly`, and
 * `query` (every word of it in the title or excerpt, whatever the accents and case). Null or '*' filters pass all.
 */
export function filterRows(rows, { theme = null, status = null, origin = null, staleOnly = false, query = '' } = {}) {
  const words = foldText(query).split(' ').filter(Boolean);
  const any = (v) => v == null || v === ANY;
  return (rows ?? []).filter(
    (r) =>
      (any(theme) || (r.theme ?? '') === theme) &&
      (any(status) || (status === 'open' ? OPEN_STATUSES.includes(r.status) : r.status === status)) &&
      (any(origin) || (r.origin ?? 'plenary') === origin) &&
      (!staleOnly || (r.staleLanguages?.length ?? 0) > 0) &&
      (words.length === 0 || words.every((w) => searchable(r).includes(w))),
  );
}

// Rows are immutable (a change is a new row): each is folded for search once.
const folded = new WeakMap();
function searchable(row) {
  let text = folded.get(row);
  if (text === undefined) {
    text = foldText(`${row.title} ${row.excerpt ?? ''}`);
    folded.set(row, text);
  }
  return text;
}

/** The ids of `rows`, oldest first: a merge starts from the first proposed. */
export function byAge(rows) {
  return [...rows].sort((a, b) => numberOf(a) - numberOf(b)).map((r) => r.id);
}

/** The number in an id such as `r12` (the board numbers recommendations as they are created). */
function numberOf(row) {
  return Number(/^r(\d+)$/.exec(row.id ?? '')?.[1] ?? 0);
}

/**
 * Rows in the chosen order: `recent` (newest first), `title` (alphabetical in `language`, accents ignored), `status`
 * (in review, proposed, draft, then closed ones), `tally` (most voices in favour, then fewest against).
 */
export function sortRows(rows, sort, language) {
  const collator = new Intl.Collator(language, { sensitivity: 'base', numeric: true });
  const byTitle = (a, b) => collator.compare(a.title ?? '', b.title ?? '') || numberOf(a) - numberOf(b);
  const compare = {
    recent: (a, b) => numberOf(b) - numberOf(a),
    title: byTitle,
    status: (a, b) => (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) || byTitle(a, b),
    tally: (a, b) => {
      const x = tallyCounts(a.tally);
      const y = tallyCounts(b.tally);
      return y.favour - x.favour || x.objection - y.objection || byTitle(a, b);
    },
  }[sort] ?? ((a, b) => numberOf(b) - numberOf(a));
  return [...(rows ?? [])].sort(compare);
}

/** Likely duplicates whose two recommendations are both still open (a merge or a decision ends a pair), with their rows. */
export function openDuplicates(pairs, rows) {
  const byId = new Map((rows ?? []).map((r) => [r.id, r]));
  return (pairs ?? [])
    .map((p) => ({ ...p, firstRow: byId.get(p.first), secondRow: byId.get(p.second) }))
    .filter((p) => OPEN_STATUSES.includes(p.firstRow?.status) && OPEN_STATUSES.includes(p.secondRow?.status));
}

/** What the detector says about a pair, when it says something: the words they share, or its sentence. */
export function duplicateReason(pair) {
  const words = [pair?.sharedWords, pair?.shared, pair?.reason].find((x) => Array.isArray(x) && x.length > 0);
  if (words) return { words: words.map(String) };
  if (typeof pair?.reason === 'string' && pair.reason.trim()) return { text: pair.reason.trim() };
  return null;
}

/**
 * The status changes `me` ({ id, role }) may make to `rec` ({ status, authorId, tally }) now, as the grain decides
 * them: `[{ action, to, irreversible, blocked }]`. `blocked`: adoption that the tally does not allow yet.
 */
export function statusActions(rec, me) {
  const isAuthor = !!rec?.authorId && rec.authorId === me?.id;
  const facilitator = me?.role === 'facilitator';
  const editsEverywhere = facilitator || me?.role === 'rapporteur';
  const status = rec?.status;
  const actions = [];
  if (status === 'draft' && (isAuthor || editsEverywhere)) actions.push({ action: 'propose', to: 'proposed', irreversible: false, blocked: false });
  if (status === 'proposed' && facilitator) actions.push({ action: 'review', to: 'inReview', irreversible: false, blocked: false });
  if ((status === 'proposed' || status === 'inReview') && facilitator) {
    actions.push({ action: 'adopt', to: 'adopted', irreversible: true, blocked: !rec.tally?.adoptable });
    actions.push({ action: 'reject', to: 'rejected', irreversible: true, blocked: false });
  }
  if (OPEN_STATUSES.includes(status) && (isAuthor || facilitator)) actions.push({ action: 'withdraw', to: 'withdrawn', irreversible: true, blocked: false });
  return actions;
}

/**
 * A source's text for the merged text in `language`: its text in that language when it has one, else its text of
 * record. `texts` maps docId → text; `view` is the source's RecommendationView.
 */
export function sourceText(view, language, texts) {
  const inLanguage = view?.texts?.find((x) => x.language === language);
  const own = inLanguage ? (texts?.[inLanguage.docId] ?? '').trim() : '';
  if (own) return { language, text: own };
  const record = view?.texts?.find((x) => x.ofRecord);
  return { language: record?.language ?? language, text: record ? (texts?.[record.docId] ?? '').trim() : '' };
}

/** What the merge dialog starts with: the first source's title, the first theme given, the sources' texts in turn. */
export function mergePrefill(sources) {
  return {
    title: sources?.[0]?.title ?? '',
    theme: sources?.find((s) => s?.theme)?.theme ?? '',
    text: (sources ?? []).map((s) => String(s?.text ?? '').trim()).filter(Boolean).join('\n\n'),
  };
}

// ---------------------------------------------------------------------------------------------------- dialogs

/**
 * A modal dialog (`<dialog>`, so Escape closes it and focus stays inside) built by `build(close)`; focus returns to
 * what had it. Answers when it closes.
 */
function openDialog(build, { label } = {}) {
  const opener = document.activeElement;
  const dialog = h('dialog', { class: 'dialog', 'aria-label': label ?? null });
  return new Promise((resolve) => {
    let answer = null;
    const close = (value = null) => {
      answer = value;
      dialog.close();
    };
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus?.();
      resolve(answer);
    });
    replace(dialog, build(close));
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[autofocus]')?.focus();
  });
}

/** Asks before an irreversible status change; answers `{ note }` or null. */
function confirmTransition(i18n, action, title) {
  const t = (...a) => i18n.t(...a);
  const note = h('textarea', { rows: 2, maxlength: 2000 });
  return openDialog(
    (close) => {
      const form = h(
        'form',
        { method: 'dialog', class: 'dialog-body' },
        h('h2', null, t(`board.confirm.${action}.title`, { title })),
        h('p', null, t(`board.confirm.${action}.body`)),
        field(t('board.confirm.note'), note),
        h(
          'div',
          { class: 'buttons' },
          h('button', { type: 'button', autofocus: true, onclick: () => close(null) }, t('board.cancel')),
          h('button', { type: 'submit', class: action === 'adopt' ? 'primary' : 'danger' }, t(`board.action.${action}`)),
        ),
      );
      form.addEventListener('submit', (event) => {
        event.preventDefault();
        close({ note: note.value.trim() || null });
      });
      return form;
    },
    { label: t(`board.confirm.${action}.title`, { title }) },
  );
}

// ---------------------------------------------------------------------------------------------------- the view

export function createBoardView(ctx) {
  const { i18n, store, api } = ctx;
  const t = (...a) => i18n.t(...a);
  const me = { id: ctx.identity.participant.id, role: ctx.identity.participant.role };
  const facilitator = me.role === 'facilitator';

  // Filters: kept while the page lives, whatever pushes arrive.
  const filters = { theme: ANY, status: ANY, origin: ANY, staleOnly: false, query: '', sort: 'recent' };
  const selected = new Set(); // ids chosen for a merge (facilitators)
  const items = new Map(); // id -> { li, head, detailsHost, details, key }
  const sessionsLookedUp = new Map(); // sessionId -> SessionView (or null while asked)

  const title = h('h1', { id: 'board-title' });
  const counts = h('p', { class: 'hint', dataset: { testid: 'board-counts' } });
  const ruleLine = h('p', { class: 'rule-line', dataset: { testid: 'rule' } });
  const ruleHost = h('div');
  const search = h('input', { type: 'search', maxlength: 200, autocomplete: 'off', dataset: { testid: 'board-search' } });
  const theme = h('select', { dataset: { testid: 'filter-theme' } });
  const status = h('select', { dataset: { testid: 'filter-status' } });
  const origin = h('select', { dataset: { testid: 'filter-origin' } });
  const stale = h('input', { type: 'checkbox' });
  const staleLabel = h('label', { class: 'check' }, stale, h('span'));
  const sort = h('select', { dataset: { testid: 'sort' } });
  const filtersHost = h('div', { class: 'row filters' });
  const shown = h('p', { class: 'hint', role: 'status', dataset: { testid: 'board-shown' } });
  const clear = h('button', { type: 'button', class: 'link' });
  const duplicatesTitle = h('h2');
  const duplicates = h('ul', { class: 'duplicates', dataset: { testid: 'duplicates' } });
  const duplicatesCard = h('section', { class: 'card', 'aria-labelledby': 'dups-title' }, duplicatesTitle, duplicates);
  duplicatesTitle.id = 'dups-title';
  const selection = h('div', { class: 'selection buttons', dataset: { testid: 'merge-selection' } });
  const list = h('ul', { class: 'rec-list', dataset: { testid: 'board' }, 'aria-labelledby': 'board-title' });
  const empty = h('p', { class: 'hint' });
  const el = h(
    'div',
    { class: 'board-view' },
    h('section', { class: 'card board-top' }, title, counts, ruleLine, ruleHost, filtersHost, h('div', { class: 'shown-line' }, shown, clear)),
    duplicatesCard,
    h('section', { class: 'card' }, selection, empty, list),
  );

  search.addEventListener('input', () => {
    filters.query = search.value;
    render(store.state);
  });
  for (const [control, key] of [
    [theme, 'theme'],
    [status, 'status'],
    [origin, 'origin'],
    [sort, 'sort'],
  ]) {
    control.addEventListener('change', () => {
      filters[key] = control.value;
      render(store.state);
    });
  }
  stale.addEventListener('change', () => {
    filters.staleOnly = stale.checked;
    render(store.state);
  });
  clear.addEventListener('click', () => {
    Object.assign(filters, { theme: ANY, status: ANY, origin: ANY, staleOnly: false, query: '' });
    search.value = '';
    stale.checked = false;
    render(store.state);
    search.focus();
  });

  // ---------------------------------------------------------------- the rule

  function renderRule(s) {
    const rule = s.board?.rule ?? null;
    ruleLine.textContent = t('board.rule', { rule: ruleText(rule, i18n) });
    if (!facilitator) return;
    patch(ruleHost, JSON.stringify([i18n.language, rule]), () => ruleForm(rule));
  }

  function ruleForm(rule) {
    const name = 'rule-kind';
    const consensus = h('input', { type: 'radio', name, value: 'consensus', checked: rule?.kind !== 'majority' });
    const majority = h('input', { type: 'radio', name, value: 'majority', checked: rule?.kind === 'majority' });
    const threshold = h('input', {
      type: 'number',
      min: 50,
      max: 100,
      step: 1,
      inputmode: 'numeric',
      value: String(Math.round((rule?.kind === 'majority' ? rule.threshold : 0.67) * 100)),
    });
    const perDelegation = h('input', { type: 'radio', name: 'rule-voices', value: 'delegation', checked: rule?.perDelegation !== false });
    const perPerson = h('input', { type: 'radio', name: 'rule-voices', value: 'person', checked: rule?.perDelegation === false });
    const message = h('p', { class: 'hint', role: 'status' });
    const save = h('button', { type: 'submit', class: 'primary' }, t('board.rule.save'));
    const thresholdField = field(t('board.rule.threshold'), threshold, t('board.rule.thresholdHint'));
    const sync = () => {
      threshold.disabled = !majority.checked;
      thresholdField.hidden = !majority.checked;
    };
    consensus.addEventListener('change', sync);
    majority.addEventListener('change', sync);
    const form = h(
      'form',
      { class: 'rule-form', dataset: { testid: 'rule-form' } },
      h(
        'fieldset',
        null,
        h('legend', null, t('board.rule.kind')),
        h('label', { class: 'check' }, consensus, h('span', null, t('board.rule.consensus'))),
        h('label', { class: 'check' }, majority, h('span', null, t('board.rule.majority'))),
      ),
      thresholdField,
      h(
        'fieldset',
        null,
        h('legend', null, t('board.rule.voices')),
        h('label', { class: 'check' }, perDelegation, h('span', null, t('board.rule.perDelegation'))),
        h('label', { class: 'check' }, perPerson, h('span', null, t('board.rule.perPerson'))),
      ),
      h('p', { class: 'hint' }, t('board.rule.note')),
      save,
      message,
    );
    sync();
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const pct = Number(threshold.value);
      if (majority.checked && !(pct >= 50 && pct <= 100)) {
        message.textContent = t('board.rule.thresholdRange');
        message.classList.add('error');
        threshold.focus();
        return;
      }
      save.disabled = true;
      try {
        const next = await api.put(ctx.path('/recommendations/rule'), {
          kind: majority.checked ? 'majority' : 'consensus',
          threshold: majority.checked ? pct / 100 : (rule?.threshold ?? 0.5),
          perDelegation: perDelegation.checked,
        });
        store.set((st) => ({ board: st.board ? { ...st.board, rule: next } : { themes: [], likelyDuplicates: [], rule: next } }));
        ctx.done(t('board.rule.saved'));
      } catch (err) {
        message.textContent = describeError(err, i18n.t);
        message.classList.add('error');
      } finally {
        save.disabled = false;
      }
    });
    return h('details', { class: 'rule-details' }, h('summary', null, t('board.rule.change')), form);
  }

  // ---------------------------------------------------------------- origins

  function rooms(s) {
    return roomsOf([...Object.values(s.sessions ?? {}), ...[...sessionsLookedUp.values()].filter(Boolean)], s.workshop?.agenda);
  }

  /** Reads, once each, the sessions whose groups proposed recommendations, to name those groups. */
  function lookUpOrigins(rows, s) {
    for (const row of rows) {
      const sessionId = sessionOfRoom(row.origin);
      if (!sessionId || s.sessions?.[sessionId] || sessionsLookedUp.has(sessionId) || sessionsLookedUp.size >= MAX_SESSIONS_LOOKED_UP) continue;
      if (!s.workshop?.agenda?.some((a) => a.id === sessionId)) continue;
      sessionsLookedUp.set(sessionId, null);
      api.get(ctx.path(`/sessions/${encodeURIComponent(sessionId)}`)).then(
        (view) => {
          sessionsLookedUp.set(sessionId, view);
          render(store.state);
        },
        () => {},
      );
    }
  }

  // ---------------------------------------------------------------- filters

  function renderFilters(rows, s) {
    const roomNames = rooms(s);
    const themes = [...new Set(rows.map((r) => r.theme ?? ''))].sort((a, b) => a.localeCompare(b, i18n.language));
    const origins = [...new Set(rows.map((r) => r.origin ?? 'plenary'))]
      .map((o) => [o, originLabel(o, roomNames, t)])
      .sort((a, b) => a[1].localeCompare(b[1], i18n.language));
    setOptions(theme, [[ANY, t('board.anyTheme')], ...themes.map((th) => [th, th ? themeName(th, store.state.workshop?.themes, i18n.language) : t('board.noTheme')])], filters.theme);
    setOptions(status, [[ANY, t('board.anyStatus')], ['open', t('board.openStatuses')], ...STATUSES.map((st) => [st, t(`recs.status.${st}`)])], filters.status);
    setOptions(origin, [[ANY, t('board.anyOrigin')], ...origins], filters.origin);
    setOptions(sort, SORTS.map((so) => [so, t(`board.sort.${so}`)]), filters.sort);
    filters.theme = theme.value;
    filters.origin = origin.value;
  }

  // ---------------------------------------------------------------- duplicates and merging

  function renderDuplicates(rows, s) {
    const pairs = openDuplicates(s.board?.likelyDuplicates, rows);
    duplicatesCard.hidden = pairs.length === 0;
    duplicatesTitle.textContent = t('board.duplicates');
    patch(duplicates, JSON.stringify([i18n.language, pairs.map((p) => [p.first, p.second, p.similarity, p.firstRow.title, p.secondRow.title, duplicateReason(p)])]), () =>
      pairs.map((p) => {
        const reason = duplicateReason(p);
        return h(
          'li',
          { dataset: { testid: 'duplicate' } },
          h('p', null, t('board.duplicatePair', { first: p.firstRow.title, second: p.secondRow.title })),
          h(
            'p',
            { class: 'hint' },
            t('board.similarity', { similarity: percent(p.similarity ?? 0, i18n.language) }),
            reason?.words ? ` · ${t('board.sharedWords', { words: reason.words.join(', ') })}` : '',
            reason?.text ? ` · ${reason.text}` : '',
          ),
          facilitator
            ? h('button', { type: 'button', dataset: { focusKey: `merge-${p.first}-${p.second}` }, onclick: () => openMerge(byAge([p.firstRow, p.secondRow])) }, t('board.mergeDuplicates'))
            : null,
        );
      }),
    );
  }

  function renderSelection(rows) {
    if (!facilitator) return;
    const open = new Set(rows.filter((r) => OPEN_STATUSES.includes(r.status)).map((r) => r.id));
    for (const id of [...selected]) if (!open.has(id)) selected.delete(id);
    patch(selection, JSON.stringify([i18n.language, [...selected]]), () =>
      selected.size === 0
        ? h('p', { class: 'hint' }, t('board.selectHint'))
        : [
            h('span', null, t('board.selected', { count: selected.size })),
            h('button', { type: 'button', dataset: { focusKey: 'merge-selected' }, disabled: selected.size < 2, onclick: () => openMerge(byAge(rows.filter((r) => selected.has(r.id)))) }, t('board.mergeSelected')),
            h('button', { type: 'button', class: 'link', dataset: { focusKey: 'clear-selection' }, onclick: () => (selected.clear(), render(store.state)) }, t('board.clearSelection')),
          ],
    );
  }

  async function loadSources(ids) {
    const views = await Promise.all(ids.map((id) => api.get(ctx.path(`/recommendations/${encodeURIComponent(id)}`))));
    const texts = {};
    await Promise.all(
      views.flatMap((v) => v.texts).map(async (x) => {
        texts[x.docId] = (await api.get(`/api/documents/${encodeURIComponent(x.docId)}/text`)).text ?? '';
      }),
    );
    return { views, texts };
  }

  let merging = false;
  async function openMerge(ids) {
    if (merging) return;
    merging = true;
    try {
      await merge(ids);
    } finally {
      merging = false;
    }
  }

  async function merge(ids) {
    let loaded;
    try {
      loaded = await loadSources(ids);
    } catch (err) {
      ctx.report(err);
      return;
    }
    const { views, texts } = loaded;
    const languages = store.state.workshop?.languages ?? [...new Set(views.map((v) => v.languageOfRecord))];
    const titleInput = h('input', { maxlength: 200, required: true, autofocus: true, dataset: { testid: 'merge-title' } });
    const themeInput = h('input', { maxlength: 80, list: 'merge-themes' });
    const themeList = h('datalist', { id: 'merge-themes' }, [...new Set(boardRows(store.state.board).map((r) => r.theme).filter(Boolean))].map((th) => h('option', { value: th })));
    const language = select(languages.map((l) => [l, languageName(l, i18n.language)]), { value: views[0].languageOfRecord });
    const text = h('textarea', { rows: 10, dataset: { testid: 'merge-text' } });
    const error = h('p', { class: 'error', role: 'alert' });
    let edited = false;
    const prefill = () => {
      const sources = views.map((v) => ({ title: v.title, theme: v.theme, ...sourceText(v, language.value, texts) }));
      const start = mergePrefill(sources);
      if (!titleInput.value) titleInput.value = start.title;
      if (!themeInput.value) themeInput.value = start.theme;
      text.value = start.text;
    };
    prefill();
    text.addEventListener('input', () => (edited = true));
    language.addEventListener('change', () => {
      if (!edited) prefill();
    });
    const roomNames = rooms(store.state);
    const answer = await openDialog(
      (close) => {
        const submit = h('button', { type: 'submit', class: 'primary', dataset: { testid: 'merge-submit' } }, t('board.merge.submit', { count: views.length }));
        const form = h(
          'form',
          { class: 'dialog-body merge', dataset: { testid: 'merge-dialog' } },
          h('h2', null, t('board.merge.title', { count: views.length })),
          h(
            'ul',
            { class: 'merge-sources' },
            views.map((v) =>
              h('li', null, h('strong', null, v.title), h('small', null, ` · ${t(`recs.status.${v.status}`)} · ${originLabel(v.origin, roomNames, t)} · ${t('board.passages', { count: v.provenance?.length ?? 0 })}`)),
            ),
          ),
          h('p', { class: 'notice' }, t('board.merge.provenance')),
          field(t('board.merge.newTitle'), titleInput),
          field(t('board.merge.theme'), themeInput),
          themeList,
          field(t('board.merge.language'), language),
          field(t('board.merge.text'), text, t('board.merge.textHint')),
          h('p', { class: 'hint' }, t('board.merge.irreversible')),
          error,
          h('div', { class: 'buttons' }, h('button', { type: 'button', onclick: () => close(null) }, t('board.cancel')), submit),
        );
        form.addEventListener('submit', async (event) => {
          event.preventDefault();
          error.textContent = '';
          if (!titleInput.value.trim()) {
            error.textContent = t('error.recommendation.title_required');
            titleInput.focus();
            return;
          }
          submit.disabled = true;
          try {
            const merged = await api.post(ctx.path('/recommendations/merge'), {
              sources: views.map((v) => v.id),
              title: titleInput.value.trim(),
              theme: themeInput.value.trim() || null,
              // Blank: the server puts the sources' texts one after the other itself.
              text: text.value.trim() ? text.value : null,
              language: language.value,
            });
            close(merged);
          } catch (err) {
            error.textContent = describeError(err, i18n.t);
            submit.disabled = false;
          }
        });
        return form;
      },
      { label: t('board.merge.title', { count: views.length }) },
    );
    if (answer) {
      for (const id of ids) selected.delete(id);
      ctx.done(t('board.merged', { title: answer.title }));
      refreshSoon(0);
    }
  }

  // ---------------------------------------------------------------- one recommendation's details

  function createDetails(id) {
    const host = h('div', { class: 'rec-details' });
    const actionsTitle = h('h4');
    const actions = h('div', { class: 'buttons', dataset: { testid: 'status-actions' } });
    const actionsHint = h('p', { class: 'hint' });
    const loading = h('p', { class: 'hint', role: 'status' });
    let loadedKey = null;
    let loadedVersion = -1;
    let loadingKey = null;
    const endorse = createEndorsePanel(ctx, id, { onVoted: (view) => showView(view) });
    replace(host, loading, endorse.el, h('section', { class: 'status-actions' }, actionsTitle, actions, actionsHint));

    function showView(view) {
      if ((view.version ?? 0) < loadedVersion) return; // an answer overtaken by a newer one
      loadedVersion = view.version ?? 0;
      loadedKey = keyOf(view);
      loading.textContent = '';
      endorse.update(view);
      renderActions(view);
    }

    function renderActions(view) {
      const row = boardRows(store.state.board).find((r) => r.id === id);
      const rec = { ...view, status: row && (row.version ?? 0) > (view.version ?? 0) ? row.status : view.status, tally: row?.tally ?? view.tally };
      const list = statusActions(rec, me);
      actionsTitle.textContent = t('board.statusTitle', { status: t(`recs.status.${rec.status}`) });
      actionsTitle.hidden = false;
      const blocked = list.find((a) => a.action === 'adopt' && a.blocked);
      actionsHint.textContent = blocked ? t('board.adoptBlocked', { why: adoptionOutlook(rec.tally, i18n).text }) : list.length === 0 ? t('board.noActions') : '';
      patch(actions, JSON.stringify([i18n.language, list]), () =>
        list.map((a) =>
          h(
            'button',
            {
              type: 'button',
              class: a.action === 'adopt' && !a.blocked ? 'primary' : a.irreversible ? 'danger-outline' : null,
              disabled: a.blocked,
              dataset: { focusKey: `action-${a.action}`, testid: `action-${a.action}` },
              onclick: () => transition(view, a),
            },
            t(`board.action.${a.action}${a.irreversible ? 'Ask' : ''}`),
          ),
        ),
      );
    }

    async function transition(view, a) {
      let note = null;
      if (a.irreversible) {
        const confirmed = await confirmTransition(i18n, a.action, view.title);
        if (!confirmed) return;
        note = confirmed.note;
      }
      const answer = await ctx.command(() => api.post(ctx.path(`/recommendations/${encodeURIComponent(id)}/status`), { status: a.to, note }), { quiet: true });
      if (answer && answer !== true) {
        showView(answer);
        ctx.done(t(`board.done.${a.action}`, { title: answer.title }));
      }
    }

    async function load(key) {
      if (loadingKey === key) return;
      loadingKey = key;
      if (!loadedKey) loading.textContent = t('board.loading');
      try {
        const view = await api.get(ctx.path(`/recommendations/${encodeURIComponent(id)}`));
        showView(view);
      } catch (err) {
        loading.textContent = describeError(err, i18n.t);
      } finally {
        if (loadingKey === key) loadingKey = null;
      }
    }

    return {
      el: host,
      /** Reads the recommendation again when its row shows a change the details do not have. */
      update(row) {
        const key = keyOf(row);
        // A row older than what is shown (the answer to one's own vote comes before its push) needs nothing.
        if (key !== loadedKey && (row.version ?? 0) >= loadedVersion) load(key);
        else if (endorse.view) {
          // Nothing new about it, but who may vote follows the session's phase.
          endorse.update(endorse.view);
          renderActions(endorse.view);
        }
      },
      relabel() {
        endorse.relabel();
        if (endorse.view) renderActions(endorse.view);
      },
    };
  }

  const keyOf = (x) => JSON.stringify([x.version ?? 0, x.tally ?? null, x.status]);

  // ---------------------------------------------------------------- rows

  function rowHead(row, roomNames) {
    const open = OPEN_STATUSES.includes(row.status);
    const mergedInto = row.mergedInto ? boardRows(store.state.board).find((r) => r.id === row.mergedInto) : null;
    const staleNames = (row.staleLanguages ?? []).map((l) => languageName(l, i18n.language)).join(', ');
    const item = items.get(row.id);
    return [
      h(
        'div',
        { class: 'rec-head' },
        facilitator && open
          ? h(
              'label',
              { class: 'check select-for-merge' },
              h('input', {
                type: 'checkbox',
                checked: selected.has(row.id),
                dataset: { focusKey: 'select' },
                onchange: (e) => {
                  if (e.target.checked) selected.add(row.id);
                  else selected.delete(row.id);
                  render(store.state);
                },
              }),
              h('span', { class: 'sr-only' }, t('board.selectFor', { title: row.title })),
              h('span', { class: 'hint', 'aria-hidden': 'true' }, t('board.select')),
            )
          : null,
        h('h3', { class: 'rec-title' }, h('a', { href: `#rec=${encodeURIComponent(row.id)}`, lang: titleIn(row, i18n.language).language, dataset: { focusKey: 'open' } }, titleIn(row, i18n.language).text)),
        h('span', { class: `pill status status-${row.status}`, dataset: { testid: 'row-status' } }, t(`recs.status.${row.status}`)),
      ),
      h(
        'p',
        { class: 'rec-meta' },
        [row.theme ? t('board.themeIs', { theme: themeName(row.theme, store.state.workshop?.themes, i18n.language) }) : t('board.noTheme'), t('board.origin', { origin: originLabel(row.origin, roomNames, t) })].join(' · '),
      ),
      row.excerpt ? h('p', { class: 'rec-excerpt' }, row.excerpt) : null,
      h(
        'p',
        { class: 'rec-tally', dataset: { testid: 'row-tally' } },
        tallyText(row.tally, t),
        open && row.status !== 'draft' && row.tally?.adoptable ? h('span', { class: 'pill adoptable' }, t('board.adoptable')) : null,
      ),
      staleNames ? h('p', { class: 'rec-flag stale' }, t('board.staleTranslation', { languages: staleNames })) : null,
      row.mergedInto ? h('p', { class: 'rec-flag' }, t('board.mergedInto', { title: mergedInto?.title ?? row.mergedInto })) : null,
      h(
        'button',
        {
          type: 'button',
          class: 'details-toggle',
          'aria-expanded': item?.details && !item.detailsHost.hidden ? 'true' : 'false',
          'aria-controls': `details-${row.id}`,
          dataset: { focusKey: 'toggle', testid: 'row-details' },
          onclick: () => toggle(row.id),
        },
        t('board.details'),
      ),
    ];
  }

  function toggle(id) {
    const item = items.get(id);
    if (!item) return;
    const opening = item.detailsHost.hidden;
    if (opening && !item.details) {
      item.details = createDetails(id);
      replace(item.detailsHost, item.details.el);
    }
    item.detailsHost.hidden = !opening;
    item.key = null;
    render(store.state);
    if (opening) item.details.update(boardRows(store.state.board).find((r) => r.id === id) ?? { version: 0 });
  }

  function renderRows(rows, s) {
    const roomNames = rooms(s);
    const visible = new Set(rows.map((r) => r.id));
    for (const [id, item] of items) {
      if (!visible.has(id)) {
        item.li.remove();
        items.delete(id);
      }
    }
    rows.forEach((row, index) => {
      let item = items.get(row.id);
      if (!item) {
        const head = h('div', { class: 'rec-summary' });
        const detailsHost = h('div', { id: `details-${row.id}`, hidden: true });
        item = { li: h('li', { class: 'rec-row', dataset: { testid: 'board-row', id: row.id } }, head, detailsHost), head, detailsHost, details: null, key: null };
        items.set(row.id, item);
      }
      const key = JSON.stringify([i18n.language, row, selected.has(row.id), [...roomNames.entries()].filter(([room]) => room === row.origin), row.mergedInto ? boardRows(s.board).find((r) => r.id === row.mergedInto)?.title : null]);
      if (key !== item.key) {
        item.key = key;
        patch(item.head, key, () => rowHead(row, roomNames));
        item.li.dataset.status = row.status;
      }
      if (item.details && !item.detailsHost.hidden) item.details.update(row);
      // Move only what is out of place, and give the focus back to what had it in a row that moved.
      if (list.children[index] !== item.li) {
        const focused = item.li.contains(document.activeElement) ? document.activeElement : null;
        list.insertBefore(item.li, list.children[index] ?? null);
        focused?.focus({ preventScroll: true });
      }
    });
  }

  // ---------------------------------------------------------------- refreshing duplicates

  let refreshTimer = null;
  let duplicatesKey = null;
  function refreshSoon(delay = DUPLICATES_REFRESH_MS) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      refreshTimer = null;
      if (store.state.view !== 'board') return;
      try {
        const fetched = await api.get(ctx.path('/recommendations'));
        store.set((s) => ({ board: mergeBoard(s.board, fetched) }));
      } catch {
        // Shown again at the next change or reconnection; the rows themselves are live.
      }
    }, delay);
  }

  // ---------------------------------------------------------------- render

  function render(s) {
    const all = boardRows(s.board);
    lookUpOrigins(all, s);
    renderFilters(all, s);
    renderRule(s);
    const rows = sortRows(filterRows(all, filters), filters.sort, i18n.language);
    const byStatus = (st) => all.filter((r) => r.status === st).length;
    counts.textContent =
      all.length === 0
        ? ''
        : t('board.counts', { count: all.length, open: all.filter((r) => OPEN_STATUSES.includes(r.status)).length, review: byStatus('inReview'), adopted: byStatus('adopted') });
    const filtered = rows.length !== all.length;
    shown.textContent = all.length === 0 ? '' : t('board.shown', { shown: rows.length, total: all.length });
    clear.hidden = !filtered;
    empty.textContent = all.length === 0 ? t('board.empty') : rows.length === 0 ? t('board.noMatch') : '';
    empty.hidden = !empty.textContent;
    renderDuplicates(all, s);
    renderSelection(all);
    renderRows(rows, s);
    // Likely duplicates come with the board, not with pushes: read them again when open rows' words changed.
    const nextKey = JSON.stringify(all.filter((r) => OPEN_STATUSES.includes(r.status)).map((r) => [r.id, r.title, r.excerpt]));
    if (duplicatesKey !== null && nextKey !== duplicatesKey) refreshSoon();
    duplicatesKey = nextKey;
  }

  function relabel() {
    title.textContent = t('board.title');
    search.placeholder = t('board.searchPlaceholder');
    replace(
      filtersHost,
      field(t('board.search'), search),
      field(t('board.theme'), theme),
      field(t('board.status'), status),
      field(t('board.originFilter'), origin),
      field(t('board.sortBy'), sort),
      staleLabel,
    );
    staleLabel.lastChild.textContent = t('board.staleOnly');
    clear.textContent = t('board.clearFilters');
    for (const item of items.values()) {
      item.key = null;
      item.details?.relabel();
    }
    render(store.state);
  }

  // Renders when what it shows changed (presence and timers push often and change nothing here).
  let seen = {};
  const unsubscribe = store.subscribe((s) => {
    if (s.view !== 'board') return;
    if (seen.board === s.board && seen.workshop === s.workshop && seen.sessions === s.sessions) return;
    seen = { board: s.board, workshop: s.workshop, sessions: s.sessions };
    render(s);
  });
  relabel();

  return {
    el,
    relabel,
    show: () => {
      render(store.state);
      refreshSoon(0);
    },
    dispose() {
      unsubscribe();
      clearTimeout(refreshTimer);
    },
  };
}

/** A language's name in the reader's language ("French", "français"), else its tag. */
function languageName(tag, language) {
  try {
    return new Intl.DisplayNames([language], { type: 'language' }).of(tag) ?? tag.toUpperCase();
  } catch {
    return tag.toUpperCase();
  }
}

/** Replaces a select's options, keeping `preferred` (or its value) when still offered, else the first. */
function setOptions(el, options, preferred) {
  const keep = preferred ?? el.value;
  const same = el.options.length === options.length && options.every(([v, l], i) => el.options[i].value === v && el.options[i].text === l);
  if (!same) replace(el, options.map(([value, label]) => h('option', { value }, label)));
  el.value = options.some(([v]) => v === keep) ? keep : (options[0]?.[0] ?? '');
}
