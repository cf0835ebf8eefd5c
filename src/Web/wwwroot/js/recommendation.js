// A recommendation's own page (#rec=<id>): its status with the actions the reader may take now; its texts co-edited
// live with carets, one per working language side by side, the translation's stale paragraphs flagged and *Mark in
// sync*; comments anchored to passages (highlighted in the text, threads beside it: reply, resolve, reopen);
// suggestions (typing becomes one when the reader suggests rather than edits; shown in place with their authors,
// accepted or rejected by those allowed); the sources it came from (a click opens the note at the passage); and its
// history: status changes, the text's changes grouped per author, the text at any revision, a word-level diff.
// Reads over HTTP (docs/recommendations.md), edits on the hub (editor.js), re-reads on RecommendationChanged pushes.

import { describeError } from './errors.js';
import { titleIn } from './rec-titles.js';
import { createTitleEditor } from './rec-title-edit.js';
import { tallyText } from './endorse.js';
import { h, replace, field, patch } from './dom.js';
import { mountEditor } from './editor.js';
import { recommendationFallback } from './access.js';
import { colorFor } from './model.js';
import { groupName } from './console-model.js';
import {
  alignParagraphs, decidesSuggestions, describeSuggestion, groupHistory, inlineSuggestions,
  resolvesComment, staleMarks, statusActions, textsInOrder, wordDiff,
} from './rec-model.js';
import { formatSpan, formatWhen } from './text-history.js';

const REFRESH_MS = 300;
// A push that only says the text of record moved on (every commit of it sends one) re-reads the stale flags at most
// this often per page, jittered: a hundred readers of one recommendation do not all ask at once on every keystroke.
const TEXT_REFRESH_MS = 4000;
const HISTORY_PAGE = 1000;
const HISTORY_MAX_PAGES = 50;
const HISTORY_SHOWN = 100;
const MAX_COMMENT = 2000;

const capitalized = (s) => s.charAt(0).toLocaleUpperCase() + s.slice(1);

/** The recommendation id of a `#rec=<id>` address, else null. */
export function recommendationFromHash(hash) {
  const m = /^#?rec=([^&]+)$/.exec(String(hash ?? ''));
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

export function createRecommendationView(ctx) {
  const { i18n, store, api } = ctx;
  const t = (...a) => i18n.t(...a);
  const role = ctx.identity.participant.role;
  const me = () => ({ participantId: store.state.me?.participantId ?? ctx.identity.participant.id, role });
  const contributes = role !== 'observer';
  const editsEverywhere = role === 'facilitator' || role === 'rapporteur';

  const el = h('div', { class: 'rec-page', dataset: { testid: 'recommendation-page' } });
  let rid = null;
  let view = null;
  let editors = new Map(); // language -> { editor, docId, column parts }
  let disposed = false;
  let refreshTimer = null;
  let refreshing = null;
  let refreshAgain = false;
  let selection = null; // { language, start, end, text } the reader's last selection in a text
  let commentDraft = null; // { language, start, end, revision, text } while the comment form is open
  const replyDrafts = new Map(); // commentId -> text typed in its reply box
  let activeComment = null;
  let textLog = null; // { language, loading, changes, revision, capped, error }
  const titles = new Map(); // docId -> note title
  let cameFrom = null; // the view the reader was on when they opened this page
  let alignedOpened = false;
  let acting = false; // while this page shows the answer to its own command

  const parts = {};
  function skeleton() {
    parts.back = h('a', { href: '#workspace', class: 'back', onclick: back });
    parts.meta = h('p', { class: 'rec-meta' });
    parts.title = h('h1', { tabindex: '-1', dataset: { testid: 'rec-title' } });
    // The title in each working language, each changed inline by those who may (rec-title-edit.js).
    parts.titles = createTitleEditor({
      t,
      save: async (language, title) => {
        const next = await api.put(recPath(`/titles/${encodeURIComponent(language)}`), { title });
        if (next?.id === rid) received(next);
        return next;
      },
    });
    parts.status = h('div', { class: 'rec-status' });
    parts.actions = h('div', { class: 'buttons rec-actions', dataset: { testid: 'rec-actions' } });
    parts.tally = h('div', { class: 'rec-tally' });
    parts.notice = h('p', { class: 'hint', role: 'status', dataset: { testid: 'rec-notice' } });
    parts.textsTitle = h('h2', { id: 'rec-texts-title' });
    parts.toolbar = h('div', { class: 'rec-toolbar' });
    parts.columns = h('div', { class: 'rec-columns' });
    parts.aligned = h('details', { class: 'aligned', dataset: { testid: 'aligned' } });
    parts.comments = h('section', { class: 'card rec-comments', dataset: { testid: 'comments' }, 'aria-labelledby': 'rec-comments-title' });
    parts.suggestions = h('section', { class: 'card rec-suggestions', dataset: { testid: 'suggestions' }, 'aria-labelledby': 'rec-suggestions-title' });
    parts.sources = h('section', { class: 'card rec-sources', dataset: { testid: 'sources' }, 'aria-labelledby': 'rec-sources-title' });
    parts.history = h('details', { class: 'card rec-history', dataset: { testid: 'history' } });
    parts.history.addEventListener('toggle', () => {
      if (parts.history.open && !textLog) loadHistory(textsInOrder(view)[0]?.language);
    });
    replace(
      el,
      h('nav', { class: 'rec-nav' }, parts.back),
      h('section', { class: 'card rec-head', 'aria-labelledby': 'rec-title' }, parts.meta, parts.title, parts.titles.el, parts.status, parts.actions, parts.tally, parts.notice),
      h(
        'div',
        { class: 'rec-grid' },
        h('section', { class: 'card rec-texts', 'aria-labelledby': 'rec-texts-title' }, parts.textsTitle, parts.toolbar, parts.columns, parts.aligned),
        h('aside', { class: 'rec-side' }, parts.comments, parts.suggestions, parts.sources),
      ),
      parts.history,
    );
    parts.title.id = 'rec-title';
  }

  function back(event) {
    // Back where the reader came from in the app (the workspace, the board, another recommendation), else the workspace.
    if (!cameFrom) return;
    event.preventDefault();
    window.history.back();
  }

  // ------------------------------------------------------------------------ reading

  async function open(id) {
    if (!id) return;
    if (id === rid && view) {
      refresh();
      return;
    }
    close();
    cameFrom = store.state.view;
    alignedOpened = false;
    rid = id;
    skeleton();
    parts.title.textContent = t('doc.loading');
    await refresh();
    if (rid === id && view) parts.title.focus();
  }

  function close() {
    for (const { editor } of editors.values()) editor.dispose();
    editors = new Map();
    clearTimeout(refreshTimer);
    refreshDue = Infinity;
    view = null;
    rid = null;
    selection = null;
    commentDraft = null;
    replyDrafts.clear();
    activeComment = null;
    textLog = null;
  }

  function refresh() {
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    const id = rid;
    refreshing = (async () => {
      try {
        do {
          refreshAgain = false;
          const next = await api.get(ctx.path(`/recommendations/${encodeURIComponent(id)}`));
          if (disposed || rid !== id) return;
          received(next);
        } while (refreshAgain && rid === id);
      } catch (err) {
        if (rid !== id) return;
        if (!view) {
          replace(el, h('section', { class: 'card' }, h('nav', { class: 'rec-nav' }, h('a', { href: '#workspace' }, t('rec.back'))), h('h1', null, t('rec.notFoundTitle')), h('p', { role: 'alert' }, describeError(err, t))));
        } else {
          parts.notice.textContent = describeError(err, t);
        }
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  /** A newer view of the recommendation (never an older one: pushes and answers can cross). */
  function received(next) {
    if (!next || (view && next.version < view.version)) return;
    const statusChanged = view?.status !== next.status;
    // What this page last said about its own action no longer holds once someone else moved the recommendation on.
    if (statusChanged && view && !acting) parts.notice.textContent = '';
    view = next;
    render();
    if (statusChanged) for (const { editor } of editors.values()) editor.refreshAccess();
  }

  let refreshDue = Infinity; // when the scheduled re-read runs
  function scheduleRefresh(delay) {
    const due = Date.now() + delay;
    if (due >= refreshDue) return;
    clearTimeout(refreshTimer);
    refreshDue = due;
    refreshTimer = setTimeout(() => {
      refreshDue = Infinity;
      refresh();
    }, delay);
  }

  const onPush = (row) => {
    if (disposed || !rid || row?.id !== rid || !view) return;
    // Comments, suggestions, status, votes and sync marks change the version; a commit of the text of record does not.
    const textOnly = row.version === view.version && row.status === view.status;
    scheduleRefresh(textOnly ? TEXT_REFRESH_MS * (0.5 + Math.random()) : REFRESH_MS);
  };
  ctx.connection.on('RecommendationChanged', onPush);
  // Pushes missed while the connection was down: read the recommendation again once it is back.
  let connection = store.state.connection;
  const unsubscribe = store.subscribe((state) => {
    if (state.connection === connection) return;
    connection = state.connection;
    if (connection === 'online' && rid && view) scheduleRefresh(REFRESH_MS);
  });

  /** Runs a command of this page; the answer (the view) is shown, a refusal is said in words. */
  async function act(run, done) {
    try {
      const next = await run();
      acting = true;
      if (next?.id === rid) received(next);
      parts.notice.textContent = done ?? '';
      return next ?? true;
    } catch (err) {
      parts.notice.textContent = describeError(err, t);
      return null;
    } finally {
      acting = false;
    }
  }

  const recPath = (suffix = '') => ctx.path(`/recommendations/${encodeURIComponent(rid)}${suffix}`);

  // ------------------------------------------------------------------------ rendering

  function render() {
    if (!view) return;
    renderHead();
    renderTexts();
    renderComments();
    renderSuggestions();
    renderSources();
    renderHistory();
    placeMarks();
  }

  const languageName = (lang) => {
    const key = `rec.lang.${lang}`;
    const words = t(key);
    return words === key ? lang.toUpperCase() : words;
  };

  const when = (at) => formatWhen(at, i18n.language);

  /** "30/11/2026 10:02 – 10:14": the day once when a stretch of work stays within it. */
  const span = (first, last) => formatSpan(first, last, i18n.language);

  function originWords(origin) {
    if (!origin || origin === 'plenary') return t('room.plenary');
    for (const session of Object.values(store.state.sessions ?? {})) {
      const group = (session?.breakouts?.groups ?? []).find((g) => g.room === origin);
      if (group) return group.name;
    }
    return origin;
  }

  function renderHead() {
    parts.back.textContent = t('rec.back');
    const author = view.history?.[0]?.byName ?? '';
    parts.meta.textContent = [
      view.id.toUpperCase(),
      view.theme || t('rec.noTheme'),
      t('rec.origin', { origin: originWords(view.origin) }),
      author ? t('rec.author', { name: author }) : null,
    ]
      .filter(Boolean)
      .join(' · ');
    const shown = titleIn(view, i18n.language);
    parts.title.textContent = shown.text;
    if (shown.language) parts.title.lang = shown.language;
    parts.titles.render(view, me());
    patch(parts.status, JSON.stringify([i18n.language, view.status, view.mergedInto]), () => [
      h('span', { class: `pill status status-${view.status}`, dataset: { testid: 'rec-status', status: view.status } }, t(`recs.status.${view.status}`)),
      ' ',
      h('span', { class: 'hint' }, t(`rec.statusExplained.${view.status}`)),
      view.mergedInto ? h('p', null, h('a', { href: `#rec=${encodeURIComponent(view.mergedInto)}` }, t('rec.mergedInto', { id: view.mergedInto.toUpperCase() }))) : null,
    ]);
    const actions = statusActions(view, me());
    patch(parts.actions, JSON.stringify([i18n.language, actions, view.version]), () =>
      actions.map((a) =>
        h(
          'button',
          {
            type: 'button',
            class: a.to === 'adopted' ? 'primary' : a.irreversible ? 'danger' : null,
            disabled: !!a.blocked,
            title: a.blocked ? t(a.blocked) : null,
            dataset: { focusKey: `status-${a.to}`, action: a.to },
            onclick: () => changeStatus(a),
          },
          t(`rec.action.${a.to}`),
        ),
      ),
    );
    const blocked = actions.find((a) => a.blocked);
    const tally = view.tally ?? { support: 0, reservation: 0, objection: 0 };
    const reservations = (view.endorsements ?? []).filter((e) => e.stance === 'reservation' && e.reservation);
    patch(parts.tally, JSON.stringify([i18n.language, tally, reservations, blocked?.blocked ?? null]), () => [
      h('p', { dataset: { testid: 'rec-tally' } }, tallyText(tally, t)),
      blocked ? h('p', { class: 'hint' }, t(blocked.blocked)) : null,
      reservations.length
        ? h(
            'ul',
            { class: 'reservations' },
            reservations.map((e) => h('li', null, h('strong', null, `${e.voter}: `), e.reservation)),
          )
        : null,
    ]);
  }

  async function changeStatus(action) {
    if (!action.irreversible) {
      await act(() => api.post(recPath('/status'), { status: action.to }), t('rec.statusChanged', { status: t(`recs.status.${action.to}`) }));
      return;
    }
    const note = h('input', { name: 'note', maxlength: MAX_COMMENT, autocomplete: 'off' });
    const confirmButton = h('button', { type: 'submit', class: action.to === 'adopted' ? 'primary' : 'danger' }, t(`rec.action.${action.to}`));
    const dialog = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': 'confirm-title' },
      h(
        'form',
        { method: 'dialog', class: 'dialog-form', dataset: { testid: 'confirm-dialog' } },
        h('h2', { id: 'confirm-title' }, t(`rec.confirm.${action.to}.title`, { title: view.title })),
        h('p', null, t(`rec.confirm.${action.to}.body`)),
        field(t('rec.confirm.note'), note),
        h('div', { class: 'buttons' }, confirmButton, h('button', { type: 'button', onclick: () => dialog.close() }, t('propose.cancel'))),
      ),
    );
    dialog.querySelector('form').addEventListener('submit', async (event) => {
      event.preventDefault();
      confirmButton.disabled = true;
      await act(
        () => api.post(recPath('/status'), { status: action.to, note: note.value.trim() || null }),
        t('rec.statusChanged', { status: t(`recs.status.${action.to}`) }),
      );
      dialog.close();
    });
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice has the focus: an irreversible step is taken on purpose.
    dialog.querySelector('button[type=button]').focus();
  }

  // ------------------------------------------------------------------------ texts

  function renderToolbar() {
    patch(parts.toolbar, JSON.stringify([i18n.language, contributes, !!selection?.text?.trim(), commentDraft != null]), () =>
      contributes
        ? [
            h(
              'button',
              {
                type: 'button',
                dataset: { focusKey: 'comment', testid: 'comment-selection' },
                disabled: !selection?.text?.trim() || commentDraft != null,
                'aria-describedby': 'rec-toolbar-hint',
                onclick: startComment,
              },
              t('rec.commentSelection'),
            ),
            h('span', { class: 'hint', id: 'rec-toolbar-hint' }, t('rec.toolbarHint')),
          ]
        : h('span', { class: 'hint' }, t('rec.observerHint')),
    );
  }

  function renderTexts() {
    parts.textsTitle.textContent = t('rec.texts');
    const texts = textsInOrder(view);
    renderToolbar();
    if (editors.size === 0) {
      replace(parts.columns, texts.map((text) => column(text)));
    }
    for (const text of texts) {
      const entry = editors.get(text.language);
      if (!entry) continue;
      entry.text = text;
      renderColumnHead(entry);
      // Only a new language or title re-labels the editor (that redraws its notices, which may hold the focus).
      const label = `${i18n.language}|${editorTitle(text)}`;
      if (entry.label !== label) {
        if (entry.label) entry.editor.relabel(editorTitle(text));
        entry.label = label;
      }
      textChanged(entry);
    }
    renderAligned();
  }

  function editorTitle(text) {
    return t(text.ofRecord ? 'rec.textOfRecord' : 'rec.translation', { language: languageName(text.language) });
  }

  function column(text) {
    const head = h('div', { class: 'col-head' });
    const editorHost = h('div', { class: 'editor-host' });
    const withSuggestions = h('div', { class: 'with-suggestions', dataset: { testid: `with-suggestions-${text.language}` } });
    const col = h('div', { class: 'rec-col', lang: text.language, dataset: { language: text.language, testid: `text-${text.language}` } }, editorHost, head, withSuggestions);
    const entry = { text, head, withSuggestions, col, editor: null, docId: text.docId, raf: null };
    entry.editor = mountEditor(editorHost, ctx.registry, text.docId, {
      title: editorTitle(text),
      i18n,
      me: me().participantId,
      role,
      api,
      fallbackAccess: () => (view ? recommendationFallback(view.status, role) : null),
      onSuggest: contributes ? (s) => suggest(text.language, s) : null,
      onSelection: (sel) => {
        selection = sel.text ? { language: text.language, ...sel } : selection?.language === text.language ? null : selection;
        renderToolbar();
      },
      onText: () => textChanged(entry),
    });
    editors.set(text.language, entry);
    renderColumnHead(entry);
    return col;
  }

  /** Under a translation: whether it is in step with the text of record, and *Mark in sync* for those who check it. */
  function renderColumnHead(entry) {
    const text = entry.text;
    const stale = text.ofRecord ? [] : (text.staleParagraphs ?? []);
    const empty = !entry.editor?.text?.trim();
    const canSync = !text.ofRecord && editsEverywhere && stale.length > 0 && !empty && view.status !== 'merged';
    const adoptedFix = !text.ofRecord && view.status === 'adopted' && stale.length > 0 && editsEverywhere;
    patch(entry.head, JSON.stringify([i18n.language, text.ofRecord, stale, text.everSynced, canSync, adoptedFix, empty]), () => [
      text.ofRecord
        ? null
        : h(
            'p',
            { class: stale.length ? 'stale-line' : 'hint', dataset: { testid: `stale-${text.language}` } },
            empty
              ? editsEverywhere
                ? t('rec.notTranslated', { language: languageName(text.language), record: languageName(view.languageOfRecord) })
                : t('rec.notTranslatedYet', { language: languageName(text.language) })
              : stale.length === 0
                ? t('rec.inSync')
                : !text.everSynced
                  ? t('rec.neverSynced')
                  : stale.length === 1
                    ? t('rec.staleOne')
                    : t('rec.staleMany', { count: stale.length }),
          ),
      adoptedFix ? h('p', { class: 'hint' }, t('rec.adoptedTranslationFix')) : null,
      canSync
        ? h(
            'button',
            { type: 'button', dataset: { focusKey: `sync-${text.language}`, testid: `mark-in-sync-${text.language}` }, onclick: () => markInSync(text.language) },
            t('rec.markInSync'),
          )
        : null,
    ]);
  }

  function textChanged(entry) {
    if (entry.raf != null) return;
    entry.raf = requestAnimationFrame(() => {
      entry.raf = null;
      if (disposed || !view) return;
      renderColumnHead(entry);
      if (!entry.text.ofRecord) entry.editor.setLocalMarks('stale', staleMarks(entry.editor.text, entry.text.staleParagraphs ?? []));
      renderWithSuggestions(entry);
      renderAligned();
    });
  }

  function renderAligned() {
    const texts = textsInOrder(view);
    if (texts.length < 2) {
      parts.aligned.hidden = true;
      return;
    }
    parts.aligned.hidden = false;
    const record = editors.get(texts[0].language);
    const rows = texts.slice(1).map((x) => {
      const other = editors.get(x.language);
      return { language: x.language, rows: alignParagraphs(record?.editor.text ?? '', other?.editor.text ?? '', x.staleParagraphs ?? []) };
    });
    // Opened by itself the first time a written translation has paragraphs out of date: that is what it is for.
    if (!alignedOpened && rows.some((r) => r.rows.some((row) => row.stale && row.translation))) {
      alignedOpened = true;
      parts.aligned.open = true;
    }
    patch(parts.aligned, JSON.stringify([i18n.language, texts.map((x) => x.language), rows, parts.aligned.open]), () => [
      h('summary', null, t('rec.aligned')),
      rows.map(({ language, rows: list }) =>
        h(
          'table',
          { class: 'aligned-table' },
          h('caption', { class: 'sr-only' }, t('rec.alignedCaption', { record: languageName(texts[0].language), translation: languageName(language) })),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, capitalized(languageName(texts[0].language))), h('th', { scope: 'col' }, capitalized(languageName(language))))),
          h(
            'tbody',
            null,
            list.map((row) =>
              h(
                'tr',
                { class: row.stale ? 'stale' : null, dataset: { stale: row.stale ? 'true' : 'false' } },
                h('th', { scope: 'row' }, String(row.index + 1)),
                h('td', { lang: texts[0].language }, row.record?.text ?? h('em', { class: 'hint' }, t('rec.missingParagraph'))),
                h(
                  'td',
                  { lang: language },
                  row.stale ? h('span', { class: 'badge stale-badge' }, t('rec.staleBadge')) : null,
                  row.translation?.text ?? h('em', { class: 'hint' }, t('rec.missingParagraph')),
                ),
              ),
            ),
          ),
        ),
      ),
    ]);
  }

  async function markInSync(language) {
    await act(() => api.post(recPath(`/translations/${encodeURIComponent(language)}/sync`)), t('rec.synced', { language: languageName(language) }));
  }

  async function suggest(language, s) {
    const next = await api.post(recPath('/suggestions'), { language, start: s.start, end: s.end, revision: s.revision, replacement: s.replacement });
    received(next);
    parts.notice.textContent = t('rec.draft.sent');
    return next;
  }

  /** Comments and open suggestions as marks in their texts, placed from the anchors' revisions to the text as it is now. */
  function placeMarks() {
    for (const [language, entry] of editors) {
      const comments = (view.comments ?? []).filter((c) => c.language === language && !c.resolved && c.anchor);
      const suggestions = (view.suggestions ?? []).filter((x) => x.language === language && x.status === 'open' && x.anchor);
      const atRevision = (list, kind) => {
        const byRevision = new Map();
        for (const x of list) {
          const r = x.anchor.revision;
          if (!byRevision.has(r)) byRevision.set(r, []);
          byRevision.get(r).push({ id: x.id, kind: kind === 'comment' && x.id === activeComment ? 'active' : kind, start: x.anchor.start, end: x.anchor.end });
        }
        return byRevision;
      };
      // A view reads every anchor of a text at one revision (the text's committed revision then).
      const place = (group, byRevision) => {
        const [revision] = byRevision.keys();
        const list = [...byRevision.values()].flat();
        return entry.editor.setMarks(group, list, revision ?? 0);
      };
      place('comments', atRevision(comments, 'comment'));
      place('suggestions', atRevision(suggestions, 'suggestion')).then(() => renderWithSuggestions(entry));
    }
  }

  function renderWithSuggestions(entry) {
    const open = (view?.suggestions ?? []).filter((x) => x.language === entry.text.language && x.status === 'open');
    const placed = new Map(entry.editor.marksOf('suggestions').map((m) => [m.id, m]));
    const list = open.filter((x) => placed.has(x.id)).map((x) => ({ ...x, range: placed.get(x.id) }));
    patch(entry.withSuggestions, JSON.stringify([i18n.language, list.map((x) => [x.id, x.range, x.replacement]), list.length && entry.editor.text]), () => {
      if (list.length === 0) return null;
      const segments = inlineSuggestions(entry.editor.text, list);
      return [
        h('h4', null, t('rec.withSuggestions', { count: list.length })),
        h(
          'div',
          { class: 'inline-text', lang: entry.text.language },
          segments.map((s) =>
            s.suggestion
              ? h(
                  'span',
                  { class: 'inline-suggestion', style: { '--who': colorFor(s.suggestion.authorId) } },
                  s.removed ? h('del', null, s.removed) : null,
                  s.added ? h('ins', null, s.added) : null,
                  h('span', { class: 'who' }, s.suggestion.authorName),
                )
              : s.text,
          ),
        ),
      ];
    });
  }

  // ------------------------------------------------------------------------ comments

  function startComment() {
    if (!selection?.text?.trim()) return;
    const entry = editors.get(selection.language);
    entry?.editor.selection().then((sel) => {
      if (!sel || sel.end <= sel.start) {
        parts.notice.textContent = t('rec.selectFirst');
        return;
      }
      commentDraft = { language: selection.language, ...sel, body: '' };
      renderToolbar();
      renderComments();
      parts.comments.querySelector('textarea[name=comment]')?.focus();
    });
  }

  function renderComments() {
    const comments = view.comments ?? [];
    const open = comments.filter((c) => !c.resolved).sort(byPlace);
    const resolved = comments.filter((c) => c.resolved);
    const key = JSON.stringify([i18n.language, comments, commentDraft && { ...commentDraft, body: null }, activeComment]);
    patch(parts.comments, key, () => [
      h('h2', { id: 'rec-comments-title' }, t('rec.comments', { count: open.length })),
      commentDraft ? commentForm() : null,
      open.length === 0 && !commentDraft ? h('p', { class: 'hint' }, contributes ? t('rec.noComments') : t('rec.noCommentsObserver')) : null,
      h('ol', { class: 'threads' }, open.map(thread)),
      resolved.length
        ? h('details', { class: 'resolved' }, h('summary', null, t('rec.resolvedComments', { count: resolved.length })), h('ol', { class: 'threads' }, resolved.map(thread)))
        : null,
    ]);
  }

  function byPlace(a, b) {
    const order = textsInOrder(view).map((x) => x.language);
    return order.indexOf(a.language) - order.indexOf(b.language) || (a.anchor?.start ?? 0) - (b.anchor?.start ?? 0);
  }

  function commentForm() {
    const body = h('textarea', { name: 'comment', rows: 3, maxlength: MAX_COMMENT, required: true, dataset: { focusKey: 'comment-body' } });
    body.value = commentDraft.body ?? '';
    body.addEventListener('input', () => (commentDraft.body = body.value));
    const submit = h('button', { type: 'submit', class: 'primary', dataset: { focusKey: 'comment-submit' } }, t('rec.commentSubmit'));
    const form = h(
      'form',
      { class: 'comment-form', dataset: { testid: 'comment-form' } },
      h('blockquote', { lang: commentDraft.language }, commentDraft.text),
      field(t('rec.commentField'), body),
      h('div', { class: 'buttons' }, submit, h('button', { type: 'button', onclick: cancelComment }, t('propose.cancel'))),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = body.value.trim();
      if (!text) return;
      submit.disabled = true;
      const draft = commentDraft;
      const ok = await act(
        () => api.post(recPath('/comments'), { language: draft.language, start: draft.start, end: draft.end, revision: draft.revision, text }),
        t('rec.commented'),
      );
      if (ok) {
        commentDraft = null;
        renderToolbar();
        renderComments();
      } else {
        submit.disabled = false;
      }
    });
    return form;
  }

  function cancelComment() {
    commentDraft = null;
    renderToolbar();
    renderComments();
  }

  function thread(c) {
    const quote = c.anchor ? (c.anchor.text || t('rec.passageGone')) : t('rec.passageGone');
    const reply = h('input', {
      name: 'reply',
      maxlength: MAX_COMMENT,
      autocomplete: 'off',
      placeholder: t('rec.replyPlaceholder'),
      dataset: { focusKey: `reply-${c.id}` },
      'aria-label': t('rec.replyTo', { name: c.authorName }),
    });
    reply.value = replyDrafts.get(c.id) ?? '';
    reply.addEventListener('input', () => replyDrafts.set(c.id, reply.value));
    const replyForm = contributes && !c.resolved
      ? h('form', { class: 'reply-form' }, reply, h('button', { type: 'submit', dataset: { focusKey: `reply-send-${c.id}` } }, t('rec.reply')))
      : null;
    replyForm?.addEventListener('submit', async (event) => {
      event.preventDefault();
      const text = reply.value.trim();
      if (!text) return;
      const ok = await act(() => api.post(recPath(`/comments/${encodeURIComponent(c.id)}/replies`), { text }), t('rec.replied'));
      if (ok) {
        replyDrafts.delete(c.id);
        reply.value = '';
      }
    });
    return h(
      'li',
      { class: `thread${c.id === activeComment ? ' active' : ''}${c.resolved ? ' resolved' : ''}`, dataset: { testid: 'comment', commentId: c.id } },
      h(
        'button',
        { type: 'button', class: 'quote', lang: c.language, dataset: { focusKey: `quote-${c.id}` }, onclick: () => showComment(c), title: t('rec.showInText') },
        quote,
      ),
      h('p', { class: 'by' }, h('strong', null, c.authorName), ` · ${when(c.at)}`, editors.size > 1 ? ` · ${capitalized(languageName(c.language))}` : ''),
      h('p', { class: 'body' }, c.text),
      c.replies?.length
        ? h('ol', { class: 'replies' }, c.replies.map((r) => h('li', null, h('p', { class: 'by' }, h('strong', null, r.authorName), ` · ${when(r.at)}`), h('p', { class: 'body' }, r.text))))
        : null,
      replyForm,
      resolvesComment(c, me())
        ? h(
            'button',
            { type: 'button', class: 'link', dataset: { focusKey: `resolve-${c.id}` }, onclick: () => resolve(c, !c.resolved) },
            c.resolved ? t('rec.reopen') : t('rec.resolve'),
          )
        : null,
    );
  }

  function showComment(c) {
    activeComment = c.id;
    const entry = editors.get(c.language);
    placeMarks();
    renderComments();
    const mark = entry?.editor.marksOf('comments').find((m) => m.id === c.id);
    if (mark) entry.editor.focusRange(mark.start, mark.end);
  }

  async function resolve(c, resolved) {
    await act(() => api.post(recPath(`/comments/${encodeURIComponent(c.id)}/resolve`), { resolved }), resolved ? t('rec.resolved') : t('rec.reopened'));
  }

  // ------------------------------------------------------------------------ suggestions

  function renderSuggestions() {
    const all = view.suggestions ?? [];
    const open = all.filter((x) => x.status === 'open');
    const decided = all.filter((x) => x.status !== 'open');
    const decides = decidesSuggestions(view, me());
    patch(parts.suggestions, JSON.stringify([i18n.language, all, decides]), () => [
      h('h2', { id: 'rec-suggestions-title' }, t('rec.suggestions', { count: open.length })),
      open.length === 0 ? h('p', { class: 'hint' }, t('rec.noSuggestions')) : null,
      h('ol', { class: 'suggestion-list' }, open.map((x) => suggestionCard(x, decides))),
      decided.length
        ? h('details', null, h('summary', null, t('rec.decidedSuggestions', { count: decided.length })), h('ol', { class: 'suggestion-list' }, decided.map((x) => suggestionCard(x, false))))
        : null,
    ]);
  }

  function suggestionWords(x) {
    const quote = (s) => t('rec.quote', { text: s });
    const d = describeSuggestion(x.anchor?.text ?? '', x.replacement ?? '');
    if (d.kind === 'insert') return t('rec.suggestion.insert', { added: quote(d.added) });
    if (d.kind === 'delete') return t('rec.suggestion.delete', { removed: quote(d.removed) });
    return t('rec.suggestion.replace', { removed: quote(d.removed), added: quote(d.added) });
  }

  function suggestionCard(x, decides) {
    const outcome =
      x.status === 'accepted' ? t('rec.suggestionAccepted', { name: x.decidedBy ?? '' }) : x.status === 'rejected' ? t('rec.suggestionRejected', { name: x.decidedBy ?? '' }) : null;
    return h(
      'li',
      { class: `suggestion status-${x.status}`, style: { '--who': colorFor(x.authorId) }, dataset: { testid: 'suggestion', suggestionId: x.id } },
      h('p', { class: 'by' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), h('strong', null, x.authorName), ` · ${when(x.at)}`, editors.size > 1 ? ` · ${capitalized(languageName(x.language))}` : ''),
      h('p', { class: 'body', lang: x.language }, suggestionWords(x)),
      x.note ? h('p', { class: 'hint' }, x.note) : null,
      outcome ? h('p', { class: 'hint' }, outcome) : null,
      decides
        ? h(
            'div',
            { class: 'buttons' },
            h('button', { type: 'button', class: 'primary', dataset: { focusKey: `accept-${x.id}` }, onclick: () => decide(x, true) }, t('rec.accept')),
            h('button', { type: 'button', dataset: { focusKey: `reject-${x.id}` }, onclick: () => decide(x, false) }, t('rec.reject')),
          )
        : null,
    );
  }

  async function decide(x, accept) {
    await act(
      () => api.post(recPath(`/suggestions/${encodeURIComponent(x.id)}/${accept ? 'accept' : 'reject'}`)),
      accept ? t('rec.accepted', { name: x.authorName }) : t('rec.rejected', { name: x.authorName }),
    );
  }

  // ------------------------------------------------------------------------ sources

  function renderSources() {
    const list = view.provenance ?? [];
    for (const p of list) if (!titles.has(p.docId)) resolveTitle(p.docId);
    patch(parts.sources, JSON.stringify([i18n.language, list, list.map((p) => titles.get(p.docId) ?? null)]), () => [
      h('h2', { id: 'rec-sources-title' }, t('rec.sources', { count: list.length })),
      list.length === 0 ? h('p', { class: 'hint' }, t('rec.noSources')) : null,
      h(
        'ol',
        { class: 'source-list' },
        list.map((p, i) =>
          h(
            'li',
            { dataset: { testid: 'source' } },
            h('p', { class: 'by' }, h('strong', null, titles.get(p.docId) ?? t('doc.loading')), p.viaRecommendation ? ` · ${t('rec.via', { id: p.viaRecommendation.toUpperCase() })}` : ''),
            p.anchor && !p.anchor.collapsed && p.anchor.text
              ? h('blockquote', null, p.anchor.text)
              : h('p', { class: 'hint' }, t('rec.passageGone')),
            h(
              'button',
              { type: 'button', class: 'link', dataset: { focusKey: `source-${i}`, testid: 'open-source' }, disabled: !p.anchor, onclick: () => openSource(p) },
              t('rec.openSource'),
            ),
          ),
        ),
      ),
    ]);
  }

  async function resolveTitle(docId) {
    titles.set(docId, null);
    for (const session of Object.values(store.state.sessions ?? {})) {
      for (const g of session?.breakouts?.groups ?? []) {
        const d = (g.documents ?? []).find((x) => x.docId === docId);
        if (d) {
          titles.set(docId, `${groupName(g, i18n.t)} — ${d.titles?.[i18n.language] ?? d.titles?.en ?? d.section}`);
          return;
        }
      }
    }
    try {
      const info = await api.get(`/api/documents/${encodeURIComponent(docId)}`);
      titles.set(docId, info.title || docId);
    } catch {
      titles.set(docId, t('rec.unknownNote'));
    }
    if (view) renderSources();
  }

  async function openSource(p) {
    // The anchor as it is now (the note may have changed since this page read it).
    try {
      const fresh = await api.get(recPath());
      if (fresh?.id === rid) received(fresh);
    } catch {
      // Keep the anchor this page has: the editor moves it from its revision.
    }
    const link = (view.provenance ?? []).find((x) => x.anchorId === p.anchorId && x.docId === p.docId) ?? p;
    if (!link.anchor) return;
    ctx.openPassage(link.docId, { start: link.anchor.start, end: link.anchor.end, revision: link.anchor.revision }, { id: rid, title: view.title });
  }

  // ------------------------------------------------------------------------ history

  async function loadHistory(language) {
    const text = (view?.texts ?? []).find((x) => x.language === language);
    if (!text) return;
    textLog = { language, loading: true, changes: [], revision: 0, capped: false, error: null, shown: HISTORY_SHOWN, at: null, diff: null };
    renderHistory();
    const docId = text.docId;
    try {
      const start = await api.get(`/api/documents/${encodeURIComponent(docId)}/text?revision=0`);
      const ops = [];
      let after = 0;
      let pages = 0;
      for (;;) {
        const page = await api.get(`/api/documents/${encodeURIComponent(docId)}/ops?after=${after}`);
        if (!Array.isArray(page) || page.length === 0) break;
        ops.push(...page);
        after = page.at(-1).revision;
        if (page.length < HISTORY_PAGE) break;
        if (++pages >= HISTORY_MAX_PAGES) {
          textLog.capped = true;
          break;
        }
      }
      if (textLog?.language !== language) return;
      const grouped = groupHistory(start.text, ops);
      textLog = { ...textLog, loading: false, changes: grouped.changes, revision: after, start: start.text };
    } catch (err) {
      if (textLog?.language === language) textLog = { ...textLog, loading: false, error: describeError(err, t) };
    }
    renderHistory();
  }

  function renderHistory() {
    const summary = h('summary', null, h('h2', { class: 'summary-title' }, t('rec.history')));
    const status = h(
      'section',
      null,
      h('h3', null, t('rec.statusHistory')),
      h(
        'ol',
        { class: 'status-history' },
        (view.history ?? []).map((c, i) =>
          h(
            'li',
            null,
            c.event === 'proposed' || (i === 0 && !c.event) ? t('rec.created') : t('rec.statusChange', { from: t(`recs.status.${c.from}`), to: t(`recs.status.${c.to}`) }),
            ` · ${c.byName} · ${when(c.at)}`,
            c.note && i > 0 ? h('span', { class: 'hint' }, ` · ${c.note}`) : null,
          ),
        ),
      ),
    );
    const key = JSON.stringify([i18n.language, view.history, textLog && { ...textLog, start: null }, view.texts.map((x) => x.language)]);
    patch(parts.history, key, () => [summary, status, textLog ? textHistory() : null]);
  }

  function textHistory() {
    const texts = textsInOrder(view);
    const language = h(
      'select',
      { name: 'history-language', onchange: (e) => loadHistory(e.target.value) },
      texts.map((x) => h('option', { value: x.language, selected: x.language === textLog.language }, capitalized(languageName(x.language)))),
    );
    const changes = textLog.changes.slice().reverse();
    const shown = changes.slice(0, textLog.shown);
    const revisionAt = h('input', { type: 'number', name: 'at', min: 0, max: textLog.revision, value: textLog.at?.revision ?? textLog.revision, inputmode: 'numeric' });
    const from = h('input', { type: 'number', name: 'from', min: 0, max: textLog.revision, value: textLog.diff?.from ?? 0, inputmode: 'numeric' });
    const to = h('input', { type: 'number', name: 'to', min: 0, max: textLog.revision, value: textLog.diff?.to ?? textLog.revision, inputmode: 'numeric' });
    const atForm = h('form', { class: 'row history-at' }, field(t('rec.revision'), revisionAt), h('button', { type: 'submit' }, t('rec.showText')));
    atForm.addEventListener('submit', (e) => {
      e.preventDefault();
      showTextAt(Number(revisionAt.value));
    });
    const diffForm = h('form', { class: 'row history-diff' }, field(t('rec.from'), from), field(t('rec.to'), to), h('button', { type: 'submit', class: 'primary' }, t('rec.compare')));
    diffForm.addEventListener('submit', (e) => {
      e.preventDefault();
      compare(Number(from.value), Number(to.value));
    });
    return h(
      'section',
      null,
      h('h3', null, t('rec.textHistory')),
      h('div', { class: 'row history-language' }, field(t('rec.historyLanguage'), language), h('button', { type: 'button', onclick: () => loadHistory(textLog.language) }, t('rec.refreshHistory'))),
      textLog.loading ? h('p', { class: 'hint', role: 'status' }, t('doc.loading')) : null,
      textLog.error ? h('p', { class: 'error', role: 'alert' }, textLog.error) : null,
      !textLog.loading && !textLog.error && changes.length === 0 ? h('p', { class: 'hint' }, t('rec.noChanges')) : null,
      textLog.capped ? h('p', { class: 'hint' }, t('rec.historyCapped', { count: textLog.revision })) : null,
      h(
        'ol',
        { class: 'changes', dataset: { testid: 'history-changes' } },
        shown.map((c) =>
          h(
            'li',
            { class: 'change', dataset: { testid: 'history-change', from: String(c.fromRevision), to: String(c.toRevision) }, style: { '--who': colorFor(c.authorId) } },
            h(
              'p',
              { class: 'by' },
              h('span', { class: 'dot', 'aria-hidden': 'true' }),
              h('strong', null, c.authorName),
              ` · ${span(c.firstAt, c.lastAt)}`,
              ` · ${c.accepted ? t('rec.acceptedSuggestion') : c.edits === 1 ? t('rec.oneEdit') : t('rec.edits', { count: c.edits })}`,
              h('small', null, ` (${t('rec.revisions', { from: c.fromRevision + 1, to: c.toRevision })})`),
            ),
            h(
              'p',
              { class: 'what', lang: textLog.language },
              c.before,
              c.removed ? h('del', null, c.removed) : null,
              c.added ? h('ins', null, c.added) : null,
              c.after,
            ),
            h(
              'div',
              { class: 'buttons' },
              h('button', { type: 'button', class: 'link', onclick: () => showTextAt(c.toRevision) }, t('rec.textAfter')),
              h('button', { type: 'button', class: 'link', onclick: () => compare(c.fromRevision, c.toRevision) }, t('rec.compareChange')),
            ),
          ),
        ),
      ),
      changes.length > shown.length
        ? h('button', { type: 'button', onclick: showMoreChanges }, t('rec.moreChanges', { count: changes.length - shown.length }))
        : null,
      h('h3', null, t('rec.textAt')),
      atForm,
      textLog.at
        ? h('figure', { class: 'text-at', dataset: { testid: 'text-at' } }, h('figcaption', null, t('rec.textAtCaption', { revision: textLog.at.revision })), h('pre', { lang: textLog.language }, textLog.at.text))
        : null,
      h('h3', null, t('rec.diff')),
      diffForm,
      textLog.diff?.pieces
        ? h(
            'figure',
            { class: 'diff', dataset: { testid: 'diff' } },
            h('figcaption', null, t('rec.diffCaption', { from: textLog.diff.from, to: textLog.diff.to })),
            h(
              'p',
              { class: 'diff-text', lang: textLog.language },
              textLog.diff.pieces.map((p) => (p.kind === 'same' ? p.text : h(p.kind === 'added' ? 'ins' : 'del', null, p.text))),
            ),
            h('p', { class: 'hint' }, t('rec.diffLegend')),
          )
        : null,
      textLog.diff?.error ? h('p', { class: 'error', role: 'alert' }, textLog.diff.error) : null,
    );
  }

  function showMoreChanges() {
    textLog.shown += HISTORY_SHOWN;
    renderHistory();
  }

  const textAt = (revision) => {
    const text = view.texts.find((x) => x.language === textLog.language);
    return api.get(`/api/documents/${encodeURIComponent(text.docId)}/text?revision=${revision}`);
  };

  const validRevision = (r) => Number.isInteger(r) && r >= 0 && r <= textLog.revision;

  async function showTextAt(revision) {
    if (!textLog || !validRevision(revision)) {
      parts.notice.textContent = t('rec.revisionRange', { max: textLog?.revision ?? 0 });
      return;
    }
    try {
      const answer = await textAt(revision);
      textLog.at = { revision, text: answer.text };
    } catch (err) {
      parts.notice.textContent = describeError(err, t);
    }
    renderHistory();
    parts.history.querySelector('[data-testid=text-at]')?.scrollIntoView({ block: 'nearest' });
  }

  async function compare(fromRevision, toRevision) {
    if (!textLog || !validRevision(fromRevision) || !validRevision(toRevision)) {
      parts.notice.textContent = t('rec.revisionRange', { max: textLog?.revision ?? 0 });
      return;
    }
    const [a, b] = fromRevision <= toRevision ? [fromRevision, toRevision] : [toRevision, fromRevision];
    try {
      const [x, y] = await Promise.all([textAt(a), textAt(b)]);
      textLog.diff = { from: a, to: b, pieces: wordDiff(x.text, y.text) };
    } catch (err) {
      textLog.diff = { from: a, to: b, error: describeError(err, t) };
    }
    renderHistory();
    parts.history.querySelector('[data-testid=diff]')?.scrollIntoView({ block: 'nearest' });
  }

  // ------------------------------------------------------------------------ the view's life

  function relabel() {
    if (!view) return;
    render();
  }

  return {
    el,
    open,
    relabel,
    show() {
      if (rid && !view) refresh();
    },
    hide() {
      // Leaving the page: its documents are released (a connection keeps at most 50 open).
      close();
    },
    dispose() {
      disposed = true;
      ctx.connection.off?.('RecommendationChanged', onPush);
      unsubscribe();
      close();
    },
  };
}
