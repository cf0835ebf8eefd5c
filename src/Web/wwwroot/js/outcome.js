// The outcome view: the workshop's outcome previewed (HTML export in a sandboxed frame) and downloaded in each format
// and language, and its published versions. Rapporteurs and facilitators also see the current text and publish
// versions; participants and observers read the published versions only (docs/outcome.md). A server without the
// export API (a 404 without a problem code) is said so instead of failing.

import { h, replace, field } from './dom.js';
import { outcomeVersion } from './console-model.js';

const FORMATS = ['md', 'html', 'docx'];

export function createOutcomeView(ctx) {
  const { i18n, store, api } = ctx;
  const t = (...a) => i18n.t(...a);
  const role = ctx.identity.participant.role;
  const drafts = role === 'facilitator' || role === 'rapporteur';
  const title = h('h1');
  const language = h('select');
  const version = h('select');
  const formHost = h('div', { class: 'row' });
  const refresh = h('button', { type: 'button' });
  const downloads = h('div', { class: 'buttons', dataset: { testid: 'outcome-downloads' } });
  const frame = h('iframe', { class: 'outcome-frame', sandbox: '', title: 'preview' });
  const notice = h('p', { class: 'hint', role: 'status', dataset: { testid: 'outcome-notice' } });
  const versionsTitle = h('h2');
  const versions = h('ul', { class: 'versions' });
  const publishTitle = h('h2');
  const versionName = h('input', { maxlength: 80 });
  const publishButton = h('button', { type: 'submit', class: 'primary' });
  const publishForm = h('form', { class: 'row' }, h('div'), publishButton);
  const reader = h('div', { class: 'outcome-reader' }, formHost, refresh, downloads);
  const versionsCard = h('section', { class: 'card' }, versionsTitle, versions, ...(drafts ? [publishTitle, publishForm] : []));
  const el = h(
    'div',
    { class: 'outcome' },
    h('section', { class: 'card' }, title, reader, notice, frame),
    versionsCard,
  );
  let previewUrl = null;
  let available = true;
  let list = [];
  let chosen = null; // the version the reader picked themselves; else they follow the latest

  const query = (format) => `?format=${format}&lang=${encodeURIComponent(language.value)}&version=${encodeURIComponent(version.value || 'current')}`;

  function unavailable(err) {
    if ((err?.status === 404 || err?.status === 405) && !err.code) {
      available = false;
      notice.textContent = t('outcome.unavailable');
      frame.hidden = true;
      return true;
    }
    ctx.report(err);
    return false;
  }

  /** Participants have nothing to read until a version is published: one notice then, no empty controls. */
  function nothingToRead() {
    const none = !drafts && list.length === 0;
    for (const button of downloads.querySelectorAll('button')) button.disabled = none;
    reader.hidden = none;
    versionsCard.hidden = none;
    if (none) {
      frame.hidden = true;
      notice.textContent = available ? t('outcome.nothingYet') : t('outcome.unavailable');
    }
    return none;
  }

  async function preview() {
    if (nothingToRead()) return;
    try {
      const { blob } = await api.download(ctx.path(`/outcome${query('html')}`));
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = URL.createObjectURL(blob);
      frame.src = previewUrl;
      frame.hidden = false;
      available = true;
      notice.textContent = '';
    } catch (err) {
      unavailable(err);
    }
  }

  async function download(format) {
    try {
      const { blob, filename } = await api.download(ctx.path(`/outcome${query(format)}`));
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: filename ?? `outcome-${language.value}.${format}` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      unavailable(err);
    }
  }

  async function loadVersions() {
    try {
      list = await api.get(ctx.path('/outcome/versions'));
    } catch (err) {
      if (!unavailable(err)) return;
      list = [];
    }
    renderVersions();
  }

  function renderVersions() {
    // Newest first, as people look for the latest.
    const published = list.slice().reverse().map((v) => h('option', { value: v.id }, v.name));
    replace(version, drafts ? [h('option', { value: 'current' }, t('outcome.current')), ...published] : published);
    version.value = outcomeVersion(list, { drafts, chosen });
    replace(
      versions,
      list.length === 0
        ? h('li', { class: 'hint' }, available ? t('outcome.noVersions') : t('outcome.unavailable'))
        : list.map((v) => h('li', null, h('strong', null, v.name), ` · ${new Date(v.publishedAt).toLocaleString(i18n.language)} · ${v.publishedBy ?? ''}`)),
    );
  }

  publishForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = versionName.value.trim();
    if (!name) return;
    try {
      await api.post(ctx.path('/outcome/versions'), { name });
      versionName.value = '';
      ctx.done(t('outcome.published', { name }));
      await loadVersions();
    } catch (err) {
      unavailable(err);
    }
  });
  language.addEventListener('change', preview);
  version.addEventListener('change', () => {
    chosen = version.value;
    preview();
  });
  refresh.addEventListener('click', preview);

  function relabel() {
    title.textContent = t('outcome.title');
    const languages = store.state.workshop?.languages ?? ['en', 'fr'];
    const keep = language.value || (languages.includes(i18n.language) ? i18n.language : languages[0]);
    replace(language, [...languages, 'bilingual'].map((l) => h('option', { value: l }, l === 'bilingual' ? t('outcome.bilingual') : l.toUpperCase())));
    language.value = keep;
    replace(formHost, field(t('outcome.textLanguage'), language), field(t('outcome.version'), version));
    frame.title = t('outcome.preview');
    refresh.textContent = t('outcome.refresh');
    replace(downloads, FORMATS.map((f) => h('button', { type: 'button', onclick: () => download(f) }, t('outcome.download', { format: f.toUpperCase() }))));
    versionsTitle.textContent = t('outcome.versions');
    publishTitle.textContent = t('outcome.publish');
    replace(publishForm.firstChild, field(t('outcome.versionName'), versionName));
    publishButton.textContent = t('outcome.publish');
    if (!available) notice.textContent = t('outcome.unavailable');
    renderVersions();
    nothingToRead();
  }

  let seen = store.state.outcomeVersionsChanged;
  const unsubscribe = store.subscribe((s) => {
    if (s.outcomeVersionsChanged !== seen) {
      seen = s.outcomeVersionsChanged;
      const before = version.value;
      loadVersions().then(() => {
        // A reader following the latest moves to the new version.
        if (list.length > 0 && version.value !== before) preview();
      });
    }
  });
  relabel();

  return {
    el,
    relabel,
    show: () => {
      relabel();
      loadVersions().then(preview);
    },
    dispose() {
      unsubscribe();
      if (previewUrl) URL.revokeObjectURL(previewUrl);
    },
  };
}
