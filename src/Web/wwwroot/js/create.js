// Creating a workshop from the browser (#create, reached from the join page): the form (title, venue, dates, working
// languages, organisers, delegations, agenda with phases, themes; names in every working language), or a seed file
// (seeds/*.json) uploaded through the page. The creator becomes its facilitator (POST /api/workshops) and lands in it.

import { createApi } from './api.js';
import { h, replace, field, select } from './dom.js';
import { LANGUAGES } from './i18n.js';
import { describeError } from './errors.js';
import { LANGUAGE_CHOICES, LIMITS, createRequest, identityFromCreated, seedRequest } from './setup-model.js';
import {
  agendaColumns, blankDelegation, blankSession, blankTheme, delegationColumns, rowsEditor, themeColumns,
} from './setup.js';

/**
 * Shows the creation page in `root`. `onCreated(identity)` once the workshop exists (the creator's identity, as a join
 * answers it); `onCancel()` goes back to the join page.
 */
export function showCreateWorkshop(root, i18n, { onCreated, onCancel }) {
  const t = (...a) => i18n.t(...a);
  const api = createApi(() => null);
  const today = new Date().toISOString().slice(0, 10);
  const state = {
    creatorName: '',
    title: '',
    venue: '',
    startsOn: today,
    endsOn: today,
    languages: i18n.language === 'fr' ? 'fr' : 'en',
    organisers: '',
    delegations: [],
    agenda: [blankSession([])],
    themes: [],
  };
  let seed = null; // { body, documents, summary }
  let editors = {};

  function render() {
    const creatorName = h('input', { name: 'creatorName', required: true, maxlength: 80, autocomplete: 'name', value: state.creatorName });
    creatorName.addEventListener('input', () => (state.creatorName = creatorName.value));
    const pageLanguage = select(LANGUAGES.map((l) => [l, l === 'fr' ? 'Français' : 'English']), { name: 'pageLanguage', value: i18n.language });
    pageLanguage.addEventListener('change', () => {
      keep();
      i18n.setLanguage(pageLanguage.value);
      render();
      root.querySelector('select[name=pageLanguage]')?.focus();
    });

    // ------------------------------------------------------------------ from a seed file
    const seedFile = h('input', { type: 'file', name: 'seedFile', accept: '.json,application/json' });
    const seedSummary = h('div', { dataset: { testid: 'seed-summary' } });
    const seedError = h('p', { class: 'error', role: 'alert' });
    const seedButton = h('button', { type: 'button', class: 'primary', disabled: !seed }, t('create.seed.submit'));
    const showSeed = () => {
      if (!seed) return replace(seedSummary);
      const s = seed.summary;
      replace(
        seedSummary,
        h('p', null, h('strong', null, s.title), s.venue ? ` — ${s.venue}` : ''),
        h('p', { class: 'hint' }, t('create.seed.summary', { from: s.startsOn, to: s.endsOn, languages: s.languages.join(', '), delegations: s.delegations, sessions: s.sessions, documents: s.documents })),
      );
    };
    seedFile.addEventListener('change', async () => {
      seed = null;
      seedError.textContent = '';
      const file = seedFile.files?.[0];
      if (file) {
        try {
          seed = seedRequest(await file.text(), {});
        } catch (err) {
          seedError.textContent = describeError(err, t);
        }
      }
      seedButton.disabled = !seed;
      showSeed();
    });
    seedButton.addEventListener('click', () => submit(seedButton, seedError, async () => {
      const { body, documents } = seedRequest(JSON.stringify({ ...seed.body, documents: seed.documents }), { name: state.creatorName, language: i18n.language });
      const created = await api.post('/api/workshops', body);
      const identity = identityFromCreated(created);
      const authed = createApi(() => identity.token);
      try {
        for (const d of documents) await authed.post(`/api/workshops/${identity.workshopId}/documents`, d);
      } catch {
        // The workshop exists and is theirs: they land in it anyway; Set-up lists the documents that were made.
      }
      return identity;
    }));
    showSeed();

    // ------------------------------------------------------------------ the form
    const input = (name, attrs = {}) => {
      const el = h('input', { name, value: state[name], ...attrs });
      el.addEventListener('input', () => (state[name] = el.value));
      return el;
    };
    const title = input('title', { required: true, maxlength: 200 });
    const venue = input('venue', { maxlength: 200 });
    const startsOn = input('startsOn', { type: 'date', required: true });
    const endsOn = input('endsOn', { type: 'date', required: true });
    const languages = select(LANGUAGE_CHOICES.map((c) => [c, t(`create.languages.${c.replace(',', '-')}`)]), { name: 'languages', value: state.languages });
    languages.addEventListener('change', () => {
      keep();
      state.languages = languages.value;
      render();
      root.querySelector('select[name=languages]')?.focus();
    });
    const organisers = h('textarea', { name: 'organisers', rows: 2 }, state.organisers);
    organisers.addEventListener('input', () => (state.organisers = organisers.value));
    const langs = state.languages.split(',');
    editors = {
      delegations: rowsEditor(t, {
        testid: 'delegations-editor', rows: state.delegations, columns: delegationColumns(t, langs), blank: blankDelegation, max: LIMITS.delegations,
        itemLabel: (row, i) => t('setup.delegations.item', { n: i + 1 }), addLabel: t('setup.delegations.add'),
      }),
      agenda: rowsEditor(t, {
        testid: 'agenda-editor', rows: state.agenda, columns: agendaColumns(t, langs), blank: blankSession, max: LIMITS.sessions,
        itemLabel: (row, i) => t('setup.agenda.item', { n: i + 1, title: row.title || '…' }), addLabel: t('setup.agenda.add'),
      }),
      themes: rowsEditor(t, {
        testid: 'themes-editor', rows: state.themes, columns: themeColumns(t, langs), blank: blankTheme, max: LIMITS.themes,
        itemLabel: (row, i) => t('setup.themes.item', { n: i + 1 }), addLabel: t('setup.themes.add'),
      }),
    };
    const formError = h('p', { class: 'error', role: 'alert' });
    const formButton = h('button', { type: 'submit', class: 'primary' }, t('create.submit'));
    const form = h(
      'form',
      { class: 'card create-form', 'aria-labelledby': 'create-form-title' },
      h('h2', { id: 'create-form-title' }, t('create.form.title')),
      h('div', { class: 'row' }, field(t('create.title'), title), field(t('create.venue'), venue)),
      h('div', { class: 'row' }, field(t('create.startsOn'), startsOn), field(t('create.endsOn'), endsOn)),
      field(t('create.languages'), languages, t('create.languagesHint')),
      field(t('create.organisers'), organisers, t('create.onePerLine')),
      h('h3', null, t('setup.delegations.title')),
      langs.length > 1 ? h('p', { class: 'hint' }, t('setup.bilingualHint')) : null,
      editors.delegations.el,
      h('h3', null, t('setup.agenda.title')),
      h('p', { class: 'hint' }, t('setup.agenda.intro')),
      editors.agenda.el,
      h('h3', null, t('setup.themes.title')),
      h('p', { class: 'hint' }, t('setup.themes.intro')),
      editors.themes.el,
      formError,
      formButton,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      keep();
      submit(formButton, formError, async () => identityFromCreated(await api.post('/api/workshops', createRequest(state))));
    });

    replace(
      root,
      h(
        'main',
        { id: 'main', class: 'create-page' },
        h(
          'section',
          { class: 'card' },
          h('h1', null, t('create.heading')),
          h('p', null, t('create.intro')),
          h('div', { class: 'row' }, field(t('create.creatorName'), creatorName, t('create.creatorHint')), field(t('app.language'), pageLanguage)),
          h('button', { type: 'button', class: 'link', onclick: onCancel }, t('create.back')),
        ),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'create-seed-title', dataset: { testid: 'create-from-seed' } },
          h('h2', { id: 'create-seed-title' }, t('create.seed.title')),
          h('p', { class: 'hint' }, t('create.seed.intro')),
          field(t('create.seed.file'), seedFile),
          seedSummary,
          seedError,
          seedButton,
        ),
        form,
      ),
    );
  }

  /** What the editors hold goes back into `state` before the page is drawn again. */
  function keep() {
    state.delegations = editors.delegations?.rows() ?? state.delegations;
    state.agenda = editors.agenda?.rows() ?? state.agenda;
    state.themes = editors.themes?.rows() ?? state.themes;
  }

  async function submit(button, error, run) {
    error.textContent = '';
    if (!state.creatorName.trim()) {
      error.textContent = t('create.nameFirst');
      root.querySelector('input[name=creatorName]')?.focus();
      return;
    }
    const label = button.textContent;
    button.disabled = true;
    button.textContent = t('create.busy');
    try {
      const identity = await run();
      await onCreated(identity);
    } catch (err) {
      error.textContent = t('create.failed', { message: describeError(err, t) });
      button.disabled = false;
      button.textContent = label;
    }
  }

  render();
  root.querySelector('input[name=creatorName]')?.focus();
}
