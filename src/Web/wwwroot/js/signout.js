// Signing out and coming back: the sign-out dialog shows the personal rejoin key to keep (and says what happens to
// changes not saved yet), and may remember the way back on this device; the join page offers "Continue as …" for a
// remembered identity, and answers a name already taken (`participant.name_taken`) by opening the rejoin key field
// with a sentence in plain words. The record functions are pure (storage injected); the dialog needs a DOM.

import { h, replace } from './dom.js';

const SIGNED_OUT_KEY = 'collab.signedOut';

/**
 * What this device keeps of someone who signed out: with `remember`, enough to come back with one click (the join code
 * and the rejoin key, never the token); without, only the join code and the name, to fill the form in.
 */
export function signedOutRecord(identity, remember) {
  const participant = { id: identity.participant?.id ?? null, name: identity.participant?.name ?? '' };
  const record = { workshopId: identity.workshopId, code: identity.code ?? null, participant };
  return remember ? { ...record, rejoinKey: identity.rejoinKey ?? null } : record;
}

/** Keeps (or, with null, forgets) the signed-out record in `storage`. */
export function saveSignedOut(storage, record) {
  if (record) storage.setItem(SIGNED_OUT_KEY, JSON.stringify(record));
  else storage.removeItem(SIGNED_OUT_KEY);
}

/** The signed-out record kept in `storage`, or null. */
export function signedOut(storage) {
  try {
    const r = JSON.parse(storage.getItem(SIGNED_OUT_KEY) ?? 'null');
    if (!r || typeof r !== 'object' || typeof r.participant?.name !== 'string') return null;
    return r;
  } catch {
    return null;
  }
}

/** The record as an identity `resume` can take (no token: it signs in again with the rejoin key), or null. */
export function resumableIdentity(record) {
  if (!record?.rejoinKey || !record.code) return null;
  return { workshopId: record.workshopId, code: record.code, rejoinKey: record.rejoinKey, participant: record.participant, token: null };
}

/**
 * Asks before signing out, showing the rejoin key to keep; `unsynced` says changes are not saved yet. Answers
 * `{ remember }` (sign out), or null (stay).
 */
export function askSignOut({ t, identity, unsynced }) {
  const opener = document.activeElement;
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': 'signout-title', dataset: { testid: 'signout-dialog' } });
  const remember = h('input', { type: 'checkbox', name: 'remember', checked: true });
  const key = h('code', { class: 'rejoin-key', dataset: { testid: 'rejoin-key' } }, identity.rejoinKey ?? '');
  const copied = h('span', { class: 'hint', role: 'status' });
  const copy = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        try {
          await navigator.clipboard.writeText(identity.rejoinKey ?? '');
          copied.textContent = t('reliability.signOut.copied');
        } catch {
          // No clipboard (an insecure origin, a refusal): the key is on screen to write down.
          copied.textContent = t('reliability.signOut.copyFailed');
        }
      },
    },
    t('reliability.signOut.copy'),
  );
  return new Promise((resolve) => {
    let answer = null;
    const form = h(
      'form',
      { method: 'dialog', class: 'dialog-body' },
      h('h2', { id: 'signout-title' }, t('reliability.signOut.title')),
      h('p', null, t('reliability.signOut.keyIntro', { name: identity.participant?.name ?? '' })),
      h('p', { class: 'rejoin-key-line' }, key, ' ', copy, ' ', copied),
      unsynced ? h('p', { class: 'warning', role: 'alert', dataset: { testid: 'signout-unsynced' } }, t('reliability.signOut.unsynced')) : null,
      h('label', { class: 'check' }, remember, ' ', t('reliability.signOut.remember')),
      h('p', { class: 'hint' }, t('reliability.signOut.rememberHint')),
      h(
        'div',
        { class: 'buttons' },
        h('button', { type: 'button', autofocus: true, onclick: () => dialog.close() }, t('reliability.signOut.stay')),
        h('button', { type: 'submit', class: 'danger' }, t('reliability.signOut.confirm')),
      ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      answer = { remember: remember.checked };
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (!answer) opener?.focus?.();
      resolve(answer);
    });
    replace(dialog, form);
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[autofocus]')?.focus();
  });
}

/**
 * On the join page, after `participant.name_taken`: opens the rejoin key field (`details`), says in plain words what to
 * do (into `hint`), and puts the cursor in the key field.
 */
export function offerRejoin({ t, details, hint, keyInput, name }) {
  details.open = true;
  hint.textContent = t('reliability.join.nameTaken', { name });
  hint.hidden = false;
  keyInput.focus();
}
