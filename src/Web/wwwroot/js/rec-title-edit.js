// The recommendation page's titles: the title in each working language, each with a small inline edit (save/cancel)
// for those who may change it. Strings: "Recommendation titles" in strings/console.js.
import { h, replace } from './dom.js';
import { describeError } from './errors.js';
import { titleRows, MAX_TITLE } from './rec-titles.js';

/**
 * `save(language, title)` sends the change and resolves with the new view (or throws an API error); `t` translates;
 * `language` is the reader's language. Returns `{ el, render(view, me) }`; render keeps an edit in progress.
 */
export function createTitleEditor({ t, save }) {
  const el = h('div', { class: 'rec-titles', dataset: { testid: 'rec-titles' } });
  let editing = null; // { language, input, error }
  let last = null;

  const languageName = (language) => t(`rec.lang.${language}`) === `rec.lang.${language}` ? language : t(`rec.lang.${language}`);

  function render(view, me) {
    last = { view, me };
    if (editing) return;
    const rows = titleRows(view, me);
    // Pushes re-render the page often: the list is rebuilt only when what it shows changed (keeps the focus).
    const key = JSON.stringify([t('rectitles.heading'), t('rectitles.in', { language: '' }), rows]);
    if (el.__titlesKey === key) return;
    el.__titlesKey = key;
    if (rows.length < 2 && !rows.some((r) => r.editable)) {
      replace(el);
      return;
    }
    replace(
      el,
      h('h2', { class: 'sr-only' }, t('rectitles.heading')),
      h(
        'ul',
        { class: 'rec-title-list' },
        rows.map((row) =>
          h(
            'li',
            { dataset: { testid: `rec-title-${row.language}`, language: row.language } },
            h('span', { class: 'hint' }, t(row.ofRecord ? 'rectitles.ofRecord' : 'rectitles.in', { language: languageName(row.language) }), ' '),
            row.title != null ? h('span', { lang: row.language, class: 'rec-title-text' }, row.title) : h('em', { class: 'hint' }, t('rectitles.none')),
            row.stale ? h('span', { class: 'pill stale', title: t('rectitles.staleExplained') }, ' ', t('rectitles.stale')) : null,
            row.editable
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'link',
                    dataset: { focusKey: `title-edit-${row.language}`, testid: `rec-title-edit-${row.language}` },
                    'aria-label': t('rectitles.editLabel', { language: languageName(row.language) }),
                    onclick: () => edit(row),
                  },
                  t(row.title != null ? 'rectitles.edit' : 'rectitles.add'),
                )
              : null,
          ),
        ),
      ),
    );
  }

  function edit(row) {
    const input = h('input', {
      name: `title-${row.language}`,
      lang: row.language,
      maxlength: MAX_TITLE,
      autocomplete: 'off',
      value: row.title ?? '',
      dataset: { testid: `rec-title-input-${row.language}` },
      'aria-label': t(row.ofRecord ? 'rectitles.ofRecord' : 'rectitles.in', { language: languageName(row.language) }),
    });
    const error = h('p', { class: 'error', role: 'alert' });
    const saveButton = h('button', { type: 'submit', class: 'primary', dataset: { testid: `rec-title-save-${row.language}` } }, t('rectitles.save'));
    const cancel = () => {
      editing = null;
      el.__titlesKey = null;
      if (last) render(last.view, last.me);
      el.querySelector(`[data-focus-key="title-edit-${row.language}"]`)?.focus();
    };
    const form = h(
      'form',
      { class: 'rec-title-form', dataset: { testid: `rec-title-form-${row.language}` } },
      input,
      ' ',
      saveButton,
      ' ',
      h('button', { type: 'button', onclick: cancel }, t('rectitles.cancel')),
      row.ofRecord ? null : h('small', { class: 'hint' }, ' ', t('rectitles.emptyRemoves')),
      error,
    );
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        cancel();
      }
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      saveButton.disabled = true;
      error.textContent = '';
      try {
        const next = await save(row.language, input.value);
        editing = null;
        el.__titlesKey = null;
        if (next) last = { view: next, me: last?.me };
        if (last) render(last.view, last.me);
        el.querySelector(`[data-focus-key="title-edit-${row.language}"]`)?.focus();
      } catch (err) {
        error.textContent = describeError(err, t);
        saveButton.disabled = false;
        input.focus();
      }
    });
    editing = { language: row.language, input, error };
    el.__titlesKey = null;
    const item = el.querySelector(`li[data-language="${row.language}"]`);
    replace(item, h('span', { class: 'hint' }, t(row.ofRecord ? 'rectitles.ofRecord' : 'rectitles.in', { language: languageName(row.language) }), ' '), form);
    input.focus();
    input.select();
  }

  return { el, render };
}
