// The facilitator's Set-up view (#setup): join codes and join links (replace a code), the roster (import a CSV with a
// preview of every line before anything is stored, reset a lost rejoin key, remove someone), the agenda (add, edit,
// reorder, remove sessions and their phases), the workshop's details, delegations and themes (in every working
// language), and the plenary documents (create one, lock and unlock). Also the editors the creation page shares
// (create.js). Commands go over HTTP (docs/workshops.md); the workshop comes back as WorkshopChanged pushes.

import { h, replace, field, select } from './dom.js';
import { describeError } from './errors.js';
import {
  LIMITS, agendaRow, codeText, delegationName, delegationRow, expectedVersion, joinLink, lines, metadataOf, move,
  previewSummary, sessionTitle, sortCodes, sortRoster, themeRow, updateRequest,
} from './setup-model.js';

const LANGUAGE_NAMES = { en: 'English', fr: 'Français' };
const languageName = (tag) => LANGUAGE_NAMES[tag] ?? tag;

// ---------------------------------------------------------------------------------------------------- shared pieces

/**
 * A modal question (`<dialog>`: Escape cancels, focus stays inside and returns after). `body` is text or nodes;
 * answers true when confirmed.
 */
export function confirmDialog(t, { title, body, confirm, danger = false }) {
  const opener = document.activeElement;
  const dialog = h('dialog', { class: 'dialog', dataset: { testid: 'confirm-dialog' } });
  return new Promise((resolve) => {
    let answer = false;
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus?.();
      resolve(answer);
    });
    const titleId = `d-${Math.random().toString(36).slice(2, 9)}`;
    dialog.setAttribute('aria-labelledby', titleId);
    replace(
      dialog,
      h('h2', { id: titleId }, title),
      Array.isArray(body) ? body : h('p', null, body),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', autofocus: true, onclick: () => dialog.close() }, t('setup.cancel')),
        h('button', { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => ((answer = true), dialog.close()) }, confirm),
      ),
    );
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[autofocus]')?.focus();
  });
}

/** Reads `path` ('titles.fr') of a row. */
const getPath = (row, path) => path.split('.').reduce((v, k) => v?.[k], row);
function setPath(row, path, value) {
  const keys = path.split('.');
  let target = row;
  for (const k of keys.slice(0, -1)) target = target[k] ??= {};
  target[keys.at(-1)] = value;
}

/**
 * An editable list of rows (agenda sessions, delegations, themes): each row a fieldset of labelled controls, with
 * buttons to move it up or down and to remove it, and one to add a row. `columns`: `[{ key: 'titles.fr', label,
 * type: 'text'|'number'|'time'|'select', options: [[value, label]], size }]`. `locked(row)`: a row that may not be
 * removed (a live session). Answers `{ el, rows(), dirty() }`.
 */
export function rowsEditor(t, { testid, rows, columns, blank, max, itemLabel, addLabel, locked = () => false, onChange = () => {}, edited = false }) {
  let list = rows.map((r) => structuredClone(r));
  let dirty = edited;
  const body = h('div', { class: 'rows-editor', dataset: { testid } });
  const changed = () => {
    dirty = true;
    onChange();
  };

  function control(column, row, legend, i) {
    const value = getPath(row, column.key) ?? '';
    const set = (v) => {
      setPath(row, column.key, v);
      legend.textContent = itemLabel(row, i);
      changed();
    };
    if (column.type === 'select') {
      const el = select(column.options, { value: String(value), name: column.key });
      el.addEventListener('change', () => set(el.value));
      return el;
    }
    const el = h('input', {
      type: column.type ?? 'text',
      name: column.key,
      value: String(value),
      min: column.type === 'number' ? 1 : null,
      max: column.max ?? null,
      maxlength: column.maxlength ?? null,
      required: column.required ?? false,
      size: column.size ?? null,
    });
    el.addEventListener('input', () => set(column.type === 'number' ? Number(el.value) : el.value));
    return el;
  }

  function render() {
    const count = list.length;
    replace(
      body,
      list.map((row, i) => {
        const legend = h('legend', null, itemLabel(row, i));
        return h(
          'fieldset',
          { class: 'row-item', dataset: { testid: `${testid}-row` } },
          legend,
          h('div', { class: 'row' }, columns.map((c) => h('div', { class: `field${c.wide ? ' wide' : ''}` }, ...labelled(c.label, control(c, row, legend, i))))),
          h(
            'div',
            { class: 'buttons' },
            h('button', { type: 'button', disabled: i === 0, onclick: () => reorder(i, -1) }, t('setup.moveUp')),
            h('button', { type: 'button', disabled: i === count - 1, onclick: () => reorder(i, 1) }, t('setup.moveDown')),
            h(
              'button',
              { type: 'button', class: 'danger', disabled: locked(row), title: locked(row) ? t('setup.agenda.liveLocked') : null, onclick: () => removeAt(i) },
              t('setup.remove'),
            ),
          ),
        );
      }),
      h('button', { type: 'button', disabled: count >= max, onclick: add }, addLabel),
    );
  }

  function labelled(text, el) {
    el.id = `f-${Math.random().toString(36).slice(2, 9)}`;
    return [h('label', { for: el.id }, text), el];
  }

  function reorder(i, delta) {
    list = move(list, i, delta);
    changed();
    render();
    body.querySelectorAll('fieldset')[Math.max(0, Math.min(list.length - 1, i + delta))]?.querySelector('input,select')?.focus();
  }

  function removeAt(i) {
    list.splice(i, 1);
    changed();
    render();
  }

  function add() {
    list.push(blank(list));
    changed();
    render();
    body.querySelectorAll('fieldset')[list.length - 1]?.querySelector('input,select')?.focus();
  }

  render();
  return { el: body, rows: () => list, dirty: () => dirty };
}

/** The columns of an agenda editor for a workshop in `languages` (a title per language). */
export function agendaColumns(t, languages) {
  return [
    { key: 'day', label: t('setup.agenda.day'), type: 'number', max: 31, size: 3 },
    ...titleColumns(t, languages, 'title', 'titles', 'setup.agenda.title.field', 200),
    { key: 'kind', label: t('setup.agenda.kind'), type: 'select', options: [['plenary', t('setup.agenda.kind.plenary')], ['breakouts', t('setup.agenda.kind.breakouts')]] },
    { key: 'startsAt', label: t('setup.agenda.startsAt'), type: 'time' },
    { key: 'endsAt', label: t('setup.agenda.endsAt'), type: 'time' },
    { key: 'phases', label: t('setup.agenda.phases'), maxlength: 400, wide: true },
  ];
}

/** One text column per working language: the first is the name itself, the others its forms (`titles.fr`). */
export function titleColumns(t, languages, key, formsKey, labelKey, maxlength) {
  return languages.map((language, i) => ({
    key: i === 0 ? key : `${formsKey}.${language}`,
    label: languages.length > 1 ? t('setup.inLanguage', { what: t(labelKey), language: languageName(language) }) : t(labelKey),
    maxlength,
    required: i === 0,
    wide: true,
  }));
}

export function delegationColumns(t, languages) {
  return [
    ...titleColumns(t, languages, 'name', 'names', 'setup.delegations.name', 80),
    { key: 'kind', label: t('setup.delegations.kind'), maxlength: 40 },
    { key: 'language', label: t('setup.delegations.language'), type: 'select', options: [['', t('setup.delegations.noLanguage')], ...languages.map((l) => [l, languageName(l)])] },
  ];
}

export const themeColumns = (t, languages) => titleColumns(t, languages, 'name', 'names', 'setup.themes.name', 80);

export const blankSession = (rows) => ({ id: null, day: rows.at(-1)?.day ?? 1, title: '', titles: {}, kind: 'plenary', startsAt: '', endsAt: '', phases: 'share, draft, review, adopt', phaseRules: null });
export const blankDelegation = () => ({ id: null, name: '', names: {}, kind: '', language: '' });
export const blankTheme = () => ({ name: '', names: {} });

// ---------------------------------------------------------------------------------------------------- the view

export function createSetupView(ctx) {
  const { i18n, store, api } = ctx;
  const t = (...a) => i18n.t(...a);
  const me = ctx.identity.participant.id;
  let roster = [];
  let codes = [];
  const locks = new Map(); // docId -> locked
  let preview = null; // { file name, csv text, answer }
  let drawnFrom = null; // the workshop the editors were drawn from
  let editors = {};

  const el = h('div', { class: 'setup', dataset: { testid: 'setup' } });
  const sections = {
    codes: h('section', { class: 'card', dataset: { testid: 'setup-codes' } }),
    roster: h('section', { class: 'card wide', dataset: { testid: 'setup-roster' } }),
    agenda: h('section', { class: 'card wide', dataset: { testid: 'setup-agenda' } }),
    details: h('section', { class: 'card wide', dataset: { testid: 'setup-details' } }),
    documents: h('section', { class: 'card', dataset: { testid: 'setup-documents' } }),
  };
  const newKey = h('div', { class: 'new-key', dataset: { testid: 'new-rejoin-key' }, role: 'status', 'aria-live': 'polite' });
  replace(el, h('h1', { class: 'sr-only' }, t('nav.setup')), sections.codes, sections.documents, sections.roster, sections.agenda, sections.details);

  const workshop = () => store.state.workshop;
  const languages = () => workshop()?.languages ?? ['en'];

  // ------------------------------------------------------------------ join codes

  function renderCodes() {
    const items = sortCodes(codes).map((c) => {
      const link = joinLink(location.origin, c.code);
      return h(
        'li',
        { dataset: { testid: `code-${c.role}` } },
        h('strong', null, ctx.roleName(c.role)),
        ' ',
        h('code', { class: 'join-code', dataset: { testid: 'code' } }, codeText(c.code)),
        h('div', { class: 'hint' }, t('setup.codes.link'), ' ', h('a', { href: link, dataset: { testid: 'link' } }, link)),
        h('button', { type: 'button', onclick: () => rotate(c.role) }, t('setup.codes.rotate')),
      );
    });
    replace(sections.codes, h('h2', null, t('setup.codes.title')), h('p', { class: 'hint' }, t('setup.codes.intro')), h('ul', { class: 'codes' }, items));
  }

  async function rotate(role) {
    const ok = await confirmDialog(t, {
      title: t('setup.codes.rotateTitle', { role: ctx.roleName(role) }),
      body: t('setup.codes.rotateBody'),
      confirm: t('setup.codes.rotate'),
      danger: true,
    });
    if (!ok) return;
    const rotated = await ctx.command(() => api.post(ctx.path(`/join-codes/${role}/rotate`)), { quiet: true });
    if (!rotated) return;
    codes = codes.map((c) => (c.role === role ? rotated : c));
    if (role === ctx.identity.participant.role) keepOwnCode(rotated.code);
    renderCodes();
    ctx.done(t('setup.codes.rotated', { role: ctx.roleName(role), code: codeText(rotated.code) }));
  }

  /** The page signs its facilitator in again with her stored code and rejoin key: a replaced code must not strand her. */
  function keepOwnCode(code) {
    ctx.identity.code = code;
    try {
      const stored = JSON.parse(localStorage.getItem('collab.identity') ?? 'null');
      if (stored?.participant?.id === ctx.identity.participant.id) localStorage.setItem('collab.identity', JSON.stringify({ ...stored, code }));
    } catch {
      // Storage unavailable (private mode): this page keeps the code in memory.
    }
  }

  // ------------------------------------------------------------------ roster

  const fileInput = h('input', { type: 'file', accept: '.csv,text/csv,text/plain', name: 'roster' });
  const previewHost = h('div', { dataset: { testid: 'roster-preview' } });
  const rosterList = h('div', { dataset: { testid: 'roster' } });
  fileInput.addEventListener('change', checkFile);

  async function checkFile() {
    const file = fileInput.files?.[0];
    preview = null;
    renderPreview();
    if (!file) return;
    // The bytes as saved: the server finds the encoding (a spreadsheet's Windows-1252 included), the page does not guess.
    const bytes = await file.arrayBuffer();
    const answer = await ctx.command(() => api.postText(ctx.path('/roster/preview'), bytes, 'text/csv'), { quiet: true });
    if (!answer) return;
    ctx.report(null);
    preview = { name: file.name, bytes, answer };
    renderPreview();
  }

  function renderPreview() {
    if (!preview) {
      replace(previewHost);
      return;
    }
    const { answer } = preview;
    const sum = previewSummary(answer);
    const delegationsById = new Map((workshop()?.delegations ?? []).map((d) => [d.name, d]));
    const rows = answer.rows.map((r) =>
      h(
        'tr',
        { class: r.action === 'error' ? 'bad' : null, dataset: { testid: 'preview-row', action: r.action } },
        h('td', null, String(r.line)),
        h('td', null, r.name ?? ''),
        h('td', null, r.role ? ctx.roleName(r.role) : ''),
        h('td', null, r.delegation ? delegationName(delegationsById.get(r.delegation) ?? { name: r.delegation }, i18n.language) : ''),
        h('td', null, r.group ?? ''),
        h('td', null, r.action === 'error' ? h('span', { class: 'error' }, describeError({ code: r.code }, t)) : t(`setup.roster.action.${r.action}`)),
      ),
    );
    const importButton = h(
      'button',
      { type: 'button', class: 'primary', disabled: !sum.canImport, onclick: confirmImport },
      t('setup.roster.import', { count: sum.added + sum.updated }),
    );
    replace(
      previewHost,
      h('h3', null, t('setup.roster.previewTitle', { file: preview.name })),
      h(
        'p',
        { dataset: { testid: 'preview-summary' } },
        t('setup.roster.previewSummary', { added: sum.added, updated: sum.updated, errors: sum.errors }),
        ' ',
        sum.errors ? h('strong', { class: 'error' }, t('setup.roster.fixErrors')) : answer.code ? h('strong', { class: 'error' }, describeError({ code: answer.code }, t)) : t('setup.roster.nothingStored'),
      ),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'preview-table' },
          h('thead', null, h('tr', null, ['line', 'name', 'role', 'delegation', 'group', 'result'].map((c) => h('th', { scope: 'col' }, t(`setup.roster.col.${c}`))))),
          h('tbody', null, rows),
        ),
      ),
      h('div', { class: 'buttons' }, importButton, h('button', { type: 'button', onclick: cancelPreview }, t('setup.cancel'))),
    );
  }

  function cancelPreview() {
    preview = null;
    fileInput.value = '';
    renderPreview();
  }

  async function confirmImport() {
    if (!preview) return;
    const result = await ctx.command(() => api.postText(ctx.path('/roster'), preview.bytes, 'text/csv'), { quiet: true });
    if (!result) return;
    ctx.done(t('setup.roster.imported', { added: result.added, updated: result.updated }));
    cancelPreview();
    await loadRoster();
  }

  let rosterKey = null;
  function renderRoster(force = false) {
    const key = JSON.stringify([i18n.language, roster]);
    if (key === rosterKey && !force) return; // a push that changes nobody keeps the focus where it is
    rosterKey = key;
    const delegations = new Map((workshop()?.delegations ?? []).map((d) => [d.id, d]));
    const rows = sortRoster(roster, i18n.language).map((p) => {
      const delegation = p.delegation ? delegations.get(p.delegation) : null;
      return h(
        'tr',
        { dataset: { testid: 'roster-row', participant: p.id } },
        h('th', { scope: 'row' }, p.name),
        h('td', null, ctx.roleName(p.role)),
        h('td', null, delegation ? delegationName(delegation, i18n.language) : ''),
        h('td', null, p.group ?? ''),
        h('td', null, p.joined ? t('setup.roster.joined') : t('setup.roster.notJoined')),
        h(
          'td',
          { class: 'actions' },
          p.joined ? h('button', { type: 'button', onclick: () => resetKey(p) }, t('setup.roster.resetKey')) : null,
          p.id !== me ? h('button', { type: 'button', class: 'danger', onclick: () => remove(p) }, t('setup.roster.remove')) : null,
        ),
      );
    });
    replace(
      rosterList,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'roster-table' },
          h('caption', { class: 'hint' }, t('setup.roster.count', { count: roster.length })),
          h('thead', null, h('tr', null, ['name', 'role', 'delegation', 'group', 'status', 'actions'].map((c) => h('th', { scope: 'col' }, t(`setup.roster.col.${c}`))))),
          h('tbody', null, rows),
        ),
      ),
    );
  }

  function renderRosterSection() {
    replace(
      sections.roster,
      h('h2', null, t('setup.roster.title')),
      h('p', { class: 'hint' }, t('setup.roster.csvHint')),
      field(t('setup.roster.file'), fileInput),
      previewHost,
      h('h3', null, t('setup.roster.listTitle')),
      newKey,
      rosterList,
    );
    renderPreview();
    renderRoster(true);
  }

  async function resetKey(p) {
    const ok = await confirmDialog(t, { title: t('setup.roster.resetTitle', { name: p.name }), body: t('setup.roster.resetBody'), confirm: t('setup.roster.resetKey') });
    if (!ok) return;
    const answer = await ctx.command(() => api.post(ctx.path(`/participants/${encodeURIComponent(p.id)}/rejoin-key`)), { quiet: true });
    if (!answer) return;
    replace(
      newKey,
      h('p', null, t('setup.roster.newKey', { name: p.name })),
      h('code', { class: 'join-code', dataset: { testid: 'key' } }, answer.rejoinKey),
      h('p', { class: 'hint' }, t('setup.roster.newKeyOnce')),
      h('button', { type: 'button', onclick: () => replace(newKey) }, t('setup.roster.hideKey')),
    );
    newKey.querySelector('code').scrollIntoView?.({ block: 'nearest' });
  }

  async function remove(p) {
    const ok = await confirmDialog(t, {
      title: t('setup.roster.removeTitle', { name: p.name }),
      body: t('setup.roster.removeBody'),
      confirm: t('setup.roster.remove'),
      danger: true,
    });
    if (!ok) return;
    const done = await ctx.command(() => api.delete(ctx.path(`/participants/${encodeURIComponent(p.id)}`)), { quiet: true });
    if (!done) return;
    ctx.done(t('setup.roster.removed', { name: p.name }));
    roster = roster.filter((x) => x.id !== p.id);
    renderRoster();
  }

  async function loadRoster() {
    const list = await ctx.command(() => api.get(ctx.path('/roster')), { quiet: true });
    if (list) {
      roster = list;
      renderRoster();
    }
  }

  // ------------------------------------------------------------------ agenda, details, delegations, themes

  /** Draws the editors from the workshop, or (`keepEdits`, e.g. in another language) from what they hold now. */
  function renderWorkshopEditors({ keepEdits = false } = {}) {
    const held = keepEdits && unsaved() && drawnFrom
      ? { agenda: editors.agenda.rows(), delegations: editors.delegations.rows(), themes: editors.themes.rows(), details: editors.details.values() }
      : null;
    const w = held ? drawnFrom : workshop();
    if (!w) return;
    drawnFrom = w;
    const langs = languages();
    const live = w.liveSessionId;
    editors.agenda = rowsEditor(t, {
      testid: 'agenda-editor',
      rows: held?.agenda ?? w.agenda.map(agendaRow),
      edited: held != null && editors.agenda.dirty(),
      columns: agendaColumns(t, langs),
      blank: blankSession,
      max: LIMITS.sessions,
      itemLabel: (row, i) => t('setup.agenda.item', { n: i + 1, title: sessionTitle(row, i18n.language) || '…' }),
      addLabel: t('setup.agenda.add'),
      locked: (row) => row.id != null && row.id === live,
    });
    replace(
      sections.agenda,
      h('h2', null, t('setup.agenda.title')),
      h('p', { class: 'hint' }, t('setup.agenda.intro')),
      editors.agenda.el,
      h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: () => save({ agenda: editors.agenda.rows() }) }, t('setup.agenda.save'))),
    );

    const was = held?.details ?? { title: w.title, venue: w.venue ?? '', startsOn: w.startsOn, endsOn: w.endsOn, organisers: w.organisers.join('\n') };
    const title = h('input', { name: 'title', value: was.title, maxlength: 200, required: true });
    const venue = h('input', { name: 'venue', value: was.venue, maxlength: 200 });
    const startsOn = h('input', { type: 'date', name: 'startsOn', value: was.startsOn });
    const endsOn = h('input', { type: 'date', name: 'endsOn', value: was.endsOn });
    const organisers = h('textarea', { name: 'organisers', rows: 2 }, was.organisers);
    editors.details = {
      values: () => ({ title: title.value, venue: venue.value, startsOn: startsOn.value, endsOn: endsOn.value, organisers: organisers.value }),
      dirty: () =>
        title.value !== w.title || venue.value !== (w.venue ?? '') || startsOn.value !== w.startsOn || endsOn.value !== w.endsOn
        || organisers.value !== w.organisers.join('\n'),
    };
    editors.delegations = rowsEditor(t, {
      testid: 'delegations-editor',
      rows: held?.delegations ?? w.delegations.map(delegationRow),
      edited: held != null && editors.delegations.dirty(),
      columns: delegationColumns(t, langs),
      blank: blankDelegation,
      max: LIMITS.delegations,
      itemLabel: (row, i) => t('setup.delegations.item', { n: i + 1 }),
      addLabel: t('setup.delegations.add'),
    });
    editors.themes = rowsEditor(t, {
      testid: 'themes-editor',
      rows: held?.themes ?? (w.themes ?? []).map(themeRow),
      edited: held != null && editors.themes.dirty(),
      columns: themeColumns(t, langs),
      blank: blankTheme,
      max: LIMITS.themes,
      itemLabel: (row, i) => t('setup.themes.item', { n: i + 1 }),
      addLabel: t('setup.themes.add'),
    });
    replace(
      sections.details,
      h('h2', null, t('setup.details.title')),
      h('p', { class: 'hint' }, t('setup.details.languages', { languages: langs.map(languageName).join(', ') })),
      h('div', { class: 'row' }, field(t('create.title'), title), field(t('create.venue'), venue)),
      h('div', { class: 'row' }, field(t('create.startsOn'), startsOn), field(t('create.endsOn'), endsOn)),
      field(t('create.organisers'), organisers, t('create.onePerLine')),
      h('h3', null, t('setup.delegations.title')),
      langs.length > 1 ? h('p', { class: 'hint' }, t('setup.bilingualHint')) : null,
      editors.delegations.el,
      h('h3', null, t('setup.themes.title')),
      h('p', { class: 'hint' }, t('setup.themes.intro')),
      editors.themes.el,
      h(
        'div',
        { class: 'buttons' },
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            onclick: () =>
              save({
                title: title.value,
                venue: venue.value,
                startsOn: startsOn.value,
                endsOn: endsOn.value,
                organisers: lines(organisers.value),
                delegations: editors.delegations.rows(),
                themes: editors.themes.rows(),
              }),
          },
          t('setup.details.save'),
        ),
      ),
    );
  }

  async function save(changes) {
    const w = drawnFrom ?? workshop();
    const saved = await ctx.command(() => api.put(ctx.path(), updateRequest(w, changes, expectedVersion(w, workshop()))), { quiet: true });
    if (!saved) return;
    store.set({ workshop: saved });
    renderWorkshopEditors();
    renderDocuments();
    ctx.done(t('setup.saved'));
  }

  // ------------------------------------------------------------------ plenary documents and locks

  const docTitle = h('input', { name: 'docTitle', maxlength: 200 });
  const docText = h('textarea', { name: 'docText', rows: 3 });
  const docList = h('ul', { class: 'codes', dataset: { testid: 'documents' } });

  /** Plenary documents, then the live session's groups' documents. */
  function lockable() {
    const w = workshop();
    const list = (w?.documents ?? []).map((d) => ({ docId: d.docId, title: d.title || t('setup.documents.untitled') }));
    const live = w?.liveSessionId ? store.state.sessions[w.liveSessionId] : null;
    for (const g of live?.breakouts?.groups ?? []) {
      for (const d of g.documents) list.push({ docId: d.docId, title: `${g.name} — ${d.titles?.[i18n.language] ?? d.titles?.en ?? d.section}` });
    }
    return list;
  }

  let documentsKey = null;
  function renderDocuments() {
    const list = lockable();
    const key = JSON.stringify([i18n.language, list, list.map((d) => locks.get(d.docId))]);
    if (key === documentsKey) return; // pushes that change nothing here keep the focus where it is
    documentsKey = key;
    const items = list.map((d) => {
      const locked = locks.get(d.docId);
      return h(
        'li',
        { dataset: { testid: 'document', doc: d.docId } },
        h('strong', null, d.title),
        ' ',
        locked == null ? null : h('span', { class: `pill ${locked ? 'unsynced' : 'saved'}`, dataset: { testid: 'lock-state' } }, t(locked ? 'setup.documents.locked' : 'setup.documents.open')),
        ' ',
        locked == null ? null : h('button', { type: 'button', onclick: () => setLocked(d, !locked) }, t(locked ? 'setup.documents.unlock' : 'setup.documents.lock')),
      );
    });
    replace(docList, items.length ? items : h('li', { class: 'hint' }, t('setup.documents.none')));
  }

  function renderDocumentsSection() {
    documentsKey = null;
    replace(
      sections.documents,
      h('h2', null, t('setup.documents.title')),
      docList,
      h('h3', null, t('setup.documents.new')),
      field(t('setup.documents.docTitle'), docTitle),
      field(t('setup.documents.docText'), docText, t('setup.documents.docTextHint')),
      h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: createDocument }, t('setup.documents.create'))),
    );
    renderDocuments();
  }

  async function setLocked(d, locked) {
    if (locked) {
      const ok = await confirmDialog(t, { title: t('setup.documents.lockTitle', { title: d.title }), body: t('setup.documents.lockBody'), confirm: t('setup.documents.lock') });
      if (!ok) return;
    }
    const view = await ctx.command(() => api.post(`/api/documents/${encodeURIComponent(d.docId)}/${locked ? 'lock' : 'unlock'}`), { quiet: true });
    if (!view) return;
    locks.set(d.docId, view.locked);
    renderDocuments();
  }

  async function createDocument() {
    const created = await ctx.command(
      () => api.post(ctx.path('/documents'), { title: docTitle.value.trim() || null, text: docText.value || null }),
      { quiet: true },
    );
    if (!created) return;
    docTitle.value = '';
    docText.value = '';
    locks.set(created.docId, false);
    store.set((s) => ({ workshop: s.workshop && !s.workshop.documents.some((d) => d.docId === created.docId) ? { ...s.workshop, documents: [...s.workshop.documents, created] } : s.workshop }));
    renderDocuments();
    ctx.done(t('setup.documents.created', { title: created.title || t('setup.documents.untitled') }));
  }

  async function loadLocks() {
    await Promise.all(
      lockable()
        .filter((d) => !locks.has(d.docId))
        .map(async (d) => {
          try {
            const view = await api.get(`/api/documents/${encodeURIComponent(d.docId)}`);
            locks.set(d.docId, view.locked);
          } catch (err) {
            ctx.report(err);
          }
        }),
    );
    renderDocuments();
  }

  // ------------------------------------------------------------------ life cycle

  /** Whether an editor holds changes not saved yet. */
  const unsaved = () => Object.values(editors).some((e) => e.dirty?.());

  /** Draws every section; edits not saved yet stay (coming back from another view, they are still there). */
  function renderAll({ keepEdits = true } = {}) {
    renderCodes();
    renderRosterSection();
    if (!keepEdits || !unsaved()) renderWorkshopEditors();
    renderDocumentsSection();
  }

  // Leaving the page (reload, closing the tab) would lose them: the browser asks first.
  const warnBeforeLeaving = (event) => {
    if (!unsaved()) return;
    event.preventDefault();
    event.returnValue = '';
  };
  window.addEventListener('beforeunload', warnBeforeLeaving);

  let rosterVersion = null;
  const unsubscribe = store.subscribe((s) => {
    const w = s.workshop;
    if (!w || el.hidden) return;
    // A change made elsewhere (another facilitator): editors follow unless someone is editing them here.
    if (metadataOf(w) !== metadataOf(drawnFrom) && !unsaved()) renderWorkshopEditors();
    // Someone joined, was imported or removed: the version moves with every roster change.
    if (w.version !== rosterVersion) {
      rosterVersion = w.version;
      loadRoster();
    }
    if (lockable().some((d) => !locks.has(d.docId))) loadLocks();
    else renderDocuments();
  });

  async function load() {
    renderAll();
    const [list, joinCodes] = await Promise.all([
      ctx.command(() => api.get(ctx.path('/roster')), { quiet: true }),
      ctx.command(() => api.get(ctx.path('/join-codes')), { quiet: true }),
    ]);
    if (list) roster = list;
    if (joinCodes) codes = joinCodes;
    rosterVersion = workshop()?.version ?? null;
    renderCodes();
    renderRoster();
    await loadLocks();
  }

  return {
    el,
    show() {
      el.hidden = false;
      load();
    },
    hide() {
      el.hidden = true;
    },
    relabel() {
      // Labels in the new language; what is being edited stays.
      renderCodes();
      renderRosterSection();
      renderWorkshopEditors({ keepEdits: true });
      renderDocumentsSection();
    },
    dispose() {
      unsubscribe();
      window.removeEventListener('beforeunload', warnBeforeLeaving);
    },
  };
}
