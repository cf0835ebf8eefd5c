// The join page once a join code is known: the workshop's name and the role the code grants, and its delegations
// offered in a list instead of typed (GET /api/join/{code}, docs/workshops.md). The form still works when the code is
// not known yet or the lookup fails: the delegation is then typed, as before.

import { h, replace } from './dom.js';

/**
 * A code as people type it (any case, dashes, spaces) reduced to what the server compares; '' when it cannot be one
 * (ten characters of the code alphabet, which has no I, O, 0 or 1: ClaimKeys.IsCodeShaped).
 */
export function codeShape(text) {
  const code = String(text ?? '').replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  return /^[A-HJ-NP-Z2-9]{10}$/.test(code) ? code : '';
}

/**
 * The delegation choices for `info` (the lookup's answer): `[value, label]` pairs, the empty choice first, sorted by
 * name in the reader's language. A delegation's name may be given per language (`names: { fr: … }`); else its name.
 */
export function delegationChoices(info, language, noneLabel) {
  const name = (d) => d.names?.[language] ?? d.name;
  const collator = new Intl.Collator(language, { sensitivity: 'base' });
  const list = (info?.delegations ?? []).map((d) => [d.id, name(d)]).sort((a, b) => collator.compare(a[1], b[1]));
  return [['', noneLabel], ...list];
}

/**
 * Makes the join form follow its code: `code` (the code input) and `delegation` (the typed delegation input) of the
 * form built by app.js. Once the code resolves, the workshop's title and the role are shown above the form and the
 * delegation input is swapped for a list of the workshop's delegations (same name, so the form sends it as before).
 */
export function followJoinCode({ form, code, delegation, i18n, fetchImpl = globalThis.fetch.bind(globalThis) }) {
  const t = (...a) => i18n.t(...a);
  const about = h('p', { class: 'join-about', dataset: { testid: 'join-workshop' }, 'aria-live': 'polite', hidden: true });
  form.querySelector('h1')?.after(about);
  const typed = delegation;
  const field = typed.closest('.field');
  let list = null;
  let asked = null;

  async function lookup() {
    const shaped = codeShape(code.value);
    if (!shaped || shaped === asked) return;
    asked = shaped;
    let info = null;
    try {
      const response = await fetchImpl(`/api/join/${encodeURIComponent(shaped)}`, { headers: { Accept: 'application/json' } });
      if (response.ok) info = await response.json();
    } catch {
      info = null; // offline or refused: the form stays as it is, joining will say what is wrong
    }
    if (asked !== shaped) return;
    show(info);
  }

  function show(info) {
    about.hidden = !info;
    replace(about, info ? [h('strong', null, info.title), ' · ', t('join.as', { role: t(`role.${info.role}`).toLowerCase() })] : null);
    if (!info || (info.delegations ?? []).length === 0) {
      if (list) {
        list.replaceWith(typed);
        list = null;
      }
      if (field) field.hidden = !!info; // a workshop without delegations asks for none
      return;
    }
    if (field) field.hidden = false;
    const previous = (list ?? typed).value;
    const choices = delegationChoices(info, i18n.language, t('join.delegationNone'));
    const next = h('select', { name: 'delegation', id: typed.id, autocomplete: 'organization' }, choices.map(([value, label]) => h('option', { value }, label)));
    // What was typed or picked stays when it names one of them.
    const match = choices.find(([value, label]) => previous && (value === previous || label.toLowerCase() === previous.trim().toLowerCase()));
    next.value = match ? match[0] : '';
    (list ?? typed).replaceWith(next);
    list = next;
    field?.querySelector('small.hint')?.replaceChildren(t('join.delegationPick'));
  }

  code.addEventListener('input', lookup);
  code.addEventListener('change', lookup);
  lookup();
  return {
    /** A code arriving by a join link while the page is open. */
    setCode(value) {
      code.value = value;
      lookup();
    },
  };
}
