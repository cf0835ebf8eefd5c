// Proposing from what groups wrote: under a note's editor, *Propose a recommendation* turns the selected passage into a
// recommendation (title, theme, language of record, its text pre-filled with the passage) whose first source is that
// passage; *Add as source* adds the passage to an existing open recommendation, picked from a short searchable list.
// Both go over HTTP (docs/recommendations.md: POST …/recommendations with provenance, POST …/{rid}/sources); the
// passage is sent as a range of the note at the revision the reader sees, and the server anchors it there.

import { describeError } from './errors.js';
import { proposedTitles, titleIn } from './rec-titles.js';
import { h, replace, field, select } from './dom.js';
import { phaseName } from './access.js';
import { isFinal, phaseAllows } from './rec-model.js';

const MAX_TITLE = 200;
const MAX_THEME = 80;

/** The recommendations one may still add a source to, from the board (`store.board`), newest first. */
export function openRecommendations(board) {
  return (board?.themes ?? [])
    .flatMap((th) => th.recommendations)
    .filter((r) => !isFinal(r.status))
    .sort((a, b) => Number(String(b.id).slice(1)) - Number(String(a.id).slice(1)));
}

/** Case- and accent-insensitive match of a search on a recommendation's title, theme or excerpt. */
export function matchesSearch(row, query) {
  const fold = (s) => String(s ?? '').normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const words = fold(query).split(/\s+/).filter(Boolean);
  const haystack = fold(`${row.title} ${row.theme ?? ''} ${row.excerpt ?? ''}`);
  return words.every((w) => haystack.includes(w));
}

const capitalized = (s) => s.charAt(0).toLocaleUpperCase() + s.slice(1);

/** A first title from a passage: its first line, without list markers, cut at a word near 80 characters. */
export function titleFromPassage(passage) {
  const line = String(passage ?? '').trim().split('\n')[0].replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim();
  if (line.length <= 80) return line.replace(/[.;:]$/, '');
  const cut = line.slice(0, 80);
  const space = cut.lastIndexOf(' ');
  return `${space > 40 ? cut.slice(0, space) : cut}…`;
}

/**
 * Mounts the bar under a note's editor. `note`: `{ docId, title, origin }` (origin: the group's room or `plenary`);
 * `editor`: the mounted editor (its `selection()`). Answers `{ setSelection(sel), relabel(), dispose() }`.
 */
export function mountProposeBar(host, ctx, note, editor) {
  const { i18n, store, api } = ctx;
  const t = (...a) => i18n.t(...a);
  const proposeButton = h('button', { type: 'button', class: 'primary', dataset: { testid: 'propose' } });
  const addButton = h('button', { type: 'button', dataset: { testid: 'add-source' } });
  const hint = h('p', { class: 'hint', id: `propose-hint-${note.docId}` });
  const bar = h('div', { class: 'propose-bar', role: 'group' }, h('div', { class: 'buttons' }, proposeButton, addButton), hint);
  replace(host, bar);
  let selected = { start: 0, end: 0, text: '' };
  let dialog = null;

  function closedByPhase() {
    const s = store.state;
    const session = s.workshop?.liveSessionId ? s.sessions[s.workshop.liveSessionId] : null;
    return phaseAllows(s.workshop, session, 'propose') === false ? session : null;
  }

  let shownKey = null;
  function render() {
    const closed = closedByPhase();
    const has = selected.text.trim().length > 0;
    // Called on every change of the page's state (a phase may close proposing): touch the page only when it differs.
    const key = JSON.stringify([i18n.language, closed?.phase ?? null, has, selected.text.trim().length]);
    if (key === shownKey) return;
    shownKey = key;
    proposeButton.textContent = t('propose.button');
    addButton.textContent = t('propose.addButton');
    bar.setAttribute('aria-label', t('propose.bar'));
    proposeButton.disabled = !has || !!closed;
    addButton.disabled = !has;
    proposeButton.setAttribute('aria-describedby', hint.id);
    addButton.setAttribute('aria-describedby', hint.id);
    hint.textContent = closed
      ? t('propose.phaseClosed', { phase: phaseName(closed.phase, t) })
      : has
        ? t('propose.selected', { count: selected.text.trim().length })
        : t('propose.hint');
  }

  async function passage() {
    const sel = await editor.selection();
    if (!sel || sel.end <= sel.start) return null;
    return { docId: note.docId, start: sel.start, end: sel.end, revision: sel.revision, text: sel.text };
  }

  function openDialog(content, labelledBy) {
    dialog?.remove();
    dialog = h('dialog', { class: 'dialog', 'aria-labelledby': labelledBy }, content);
    dialog.addEventListener('close', () => {
      dialog?.remove();
      dialog = null;
      editor.textarea.focus();
    });
    document.body.append(dialog);
    dialog.showModal();
    return dialog;
  }

  function quoteOf(source) {
    return h(
      'figure',
      { class: 'passage' },
      h('blockquote', { dataset: { testid: 'passage' } }, source.text),
      h('figcaption', null, t('propose.from', { note: note.title })),
    );
  }

  // ------------------------------------------------------------------------ propose

  async function propose() {
    const source = await passage();
    if (!source) return;
    const s = store.state;
    const languages = s.workshop?.languages ?? ['en', 'fr'];
    const themes = [...new Set((s.board?.themes ?? []).map((th) => th.theme).filter(Boolean))];
    const title = h('input', { name: 'title', required: true, maxlength: MAX_TITLE, value: titleFromPassage(source.text), autocomplete: 'off' });
    const themeList = h('datalist', { id: `themes-${note.docId}` }, themes.map((x) => h('option', { value: x })));
    const theme = h('input', { name: 'theme', maxlength: MAX_THEME, list: themeList.id, autocomplete: 'off' });
    const name = (l) => (t(`rec.lang.${l}`) === `rec.lang.${l}` ? l.toUpperCase() : capitalized(t(`rec.lang.${l}`)));
    const language = select(
      languages.map((l) => [l, name(l)]),
      { name: 'language', value: languages.includes(i18n.language) ? i18n.language : languages[0] },
    );
    // Optional: the title in the other working languages (the language of record's is the title).
    const otherTitles = new Map(languages.map((l) => [l, h('input', { name: `title-${l}`, lang: l, maxlength: MAX_TITLE, autocomplete: 'off' })]));
    const otherFields = new Map([...otherTitles].map(([l, input]) => [l, field(t('rectitles.proposeField', { language: t(`rec.lang.${l}`) }), input)]));
    const showOtherTitles = () => {
      for (const [l, f] of otherFields) f.hidden = l === language.value;
    };
    language.addEventListener('change', showOtherTitles);
    showOtherTitles();
    const text = h('textarea', { name: 'text', rows: 5, class: 'dialog-text' });
    text.value = source.text;
    const error = h('p', { class: 'error', role: 'alert' });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('propose.submit'));
    const cancel = h('button', { type: 'button', onclick: () => dialog?.close() }, t('propose.cancel'));
    const form = h(
      'form',
      { method: 'dialog', class: 'dialog-form', dataset: { testid: 'propose-dialog' } },
      h('h2', { id: 'propose-title' }, t('propose.title')),
      h('p', { class: 'hint' }, t('propose.intro')),
      quoteOf(source),
      field(t('propose.titleField'), title),
      field(t('propose.theme'), theme, t('propose.themeHint')),
      themeList,
      field(t('propose.language'), language, t('propose.languageHint')),
      [...otherFields.values()],
      field(t('propose.text'), text, t('propose.textHint')),
      error,
      h('div', { class: 'buttons' }, submit, cancel),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!title.value.trim()) {
        error.textContent = t('propose.titleRequired');
        title.focus();
        return;
      }
      submit.disabled = true;
      error.textContent = '';
      try {
        const view = await api.post(ctx.path('/recommendations'), {
          title: title.value.trim(),
          theme: theme.value.trim() || null,
          text: text.value,
          language: language.value,
          titles: proposedTitles(languages, language.value, Object.fromEntries([...otherTitles].map(([l, input]) => [l, input.value]))),
          origin: note.origin ?? (await originOf(note.docId)),
          provenance: [{ docId: source.docId, start: source.start, end: source.end, revision: source.revision }],
        });
        dialog?.close();
        ctx.done(t('propose.done', { title: view.title }));
        ctx.openRecommendation(view.id);
      } catch (err) {
        error.textContent = describeError(err, t);
        submit.disabled = false;
      }
    });
    openDialog(form, 'propose-title');
    title.focus();
    title.select();
  }

  async function originOf(docId) {
    try {
      return (await api.get(`/api/documents/${encodeURIComponent(docId)}`)).room ?? 'plenary';
    } catch {
      return 'plenary';
    }
  }

  // ------------------------------------------------------------------------ add as source

  async function addAsSource() {
    const source = await passage();
    if (!source) return;
    const search = h('input', { type: 'search', name: 'search', autocomplete: 'off' });
    const list = h('ul', { class: 'picker', dataset: { testid: 'source-picker' } });
    const error = h('p', { class: 'error', role: 'alert' });
    const note2 = h('p', { class: 'hint', role: 'status' });
    const submit = h('button', { type: 'submit', class: 'primary' }, t('propose.addSubmit'));
    const cancel = h('button', { type: 'button', onclick: () => dialog?.close() }, t('propose.cancel'));
    let chosen = null;
    const rows = () => openRecommendations(store.state.board).filter((r) => matchesSearch(r, search.value));
    const renderList = () => {
      const found = rows().slice(0, 50);
      if (!found.some((r) => r.id === chosen)) chosen = found[0]?.id ?? null;
      submit.disabled = !chosen;
      replace(
        list,
        found.length === 0
          ? h('li', { class: 'hint' }, store.state.board ? t('propose.noneOpen') : t('doc.loading'))
          : found.map((r) =>
              h(
                'li',
                null,
                h(
                  'label',
                  { class: 'pick' },
                  h('input', { type: 'radio', name: 'recommendation', value: r.id, checked: r.id === chosen, onchange: () => (chosen = r.id) }),
                  h('span', null, h('strong', { lang: titleIn(r, i18n.language).language }, titleIn(r, i18n.language).text), h('small', null, ` · ${t(`recs.status.${r.status}`)}${r.theme ? ` · ${r.theme}` : ''}`)),
                ),
              ),
            ),
      );
    };
    search.addEventListener('input', renderList);
    const form = h(
      'form',
      { method: 'dialog', class: 'dialog-form', dataset: { testid: 'add-source-dialog' } },
      h('h2', { id: 'add-source-title' }, t('propose.addTitle')),
      quoteOf(source),
      field(t('propose.search'), search),
      h('fieldset', { class: 'picker-set' }, h('legend', null, t('propose.pick')), list),
      error,
      note2,
      h('div', { class: 'buttons' }, submit, cancel),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!chosen) return;
      submit.disabled = true;
      error.textContent = '';
      try {
        const view = await api.post(ctx.path(`/recommendations/${encodeURIComponent(chosen)}/sources`), {
          docId: source.docId,
          start: source.start,
          end: source.end,
          revision: source.revision,
        });
        dialog?.close();
        ctx.done(t('propose.added', { title: view.title }));
      } catch (err) {
        error.textContent = describeError(err, t);
        submit.disabled = false;
      }
    });
    renderList();
    openDialog(form, 'add-source-title');
    search.focus();
    if (!store.state.board) {
      // The board arrives with the connection; until then, read it once.
      try {
        store.set({ board: await api.get(ctx.path('/recommendations')) });
        renderList();
      } catch (err) {
        error.textContent = describeError(err, t);
      }
    }
  }

  proposeButton.addEventListener('click', propose);
  addButton.addEventListener('click', addAsSource);
  const unsubscribe = store.subscribe(render);
  render();

  return {
    setSelection(sel) {
      selected = sel ?? { start: 0, end: 0, text: '' };
      render();
    },
    relabel: render,
    dispose() {
      unsubscribe();
      dialog?.close();
      dialog?.remove();
    },
  };
}
