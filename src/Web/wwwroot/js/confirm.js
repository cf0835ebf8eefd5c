// One question before an action that is hard to take back (ending a session, recalling the groups, replacing a running
// countdown): a modal <dialog> (Escape or Cancel answers no, focus stays inside and returns to the opener), with the
// action's own name on the button that goes ahead, so that the question reads the same as the button that asked it.

import { h, replace } from './dom.js';

/**
 * Asks `{ title, text, confirm, cancel, danger }` (texts already in the reader's language); answers true only when
 * the person pressed `confirm`.
 */
export function confirmAction({ title, text, confirm, cancel, danger = true }) {
  const opener = document.activeElement;
  const titleId = `confirm-${Math.random().toString(36).slice(2, 9)}`;
  const dialog = h('dialog', { class: 'dialog', 'aria-labelledby': titleId, dataset: { testid: 'confirm' } });
  return new Promise((resolve) => {
    let answer = false;
    dialog.addEventListener('close', () => {
      dialog.remove();
      opener?.focus?.();
      resolve(answer);
    });
    const close = (value) => {
      answer = value;
      dialog.close();
    };
    replace(
      dialog,
      h(
        'div',
        { class: 'dialog-body' },
        h('h2', { id: titleId }, title),
        (Array.isArray(text) ? text : [text]).filter(Boolean).map((p) => h('p', null, p)),
        h(
          'div',
          { class: 'buttons' },
          h('button', { type: 'button', autofocus: true, onclick: () => close(false) }, cancel),
          h('button', { type: 'button', class: danger ? 'danger' : 'primary', onclick: () => close(true) }, confirm),
        ),
      ),
    );
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector('[autofocus]')?.focus();
  });
}
