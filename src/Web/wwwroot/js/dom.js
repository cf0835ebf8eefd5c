// A tiny DOM builder: h('button', { class: 'primary', onclick: go }, 'Join'). No framework, no virtual DOM.

/** Creates an element. Attributes: `class`, `text`, `dataset` (object), `on<event>` handlers, booleans, others as attributes. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value == null || value === false) continue;
    if (name === 'class') el.className = value;
    else if (name === 'text') el.textContent = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name === 'style' && typeof value === 'object') {
      // setProperty: custom properties (--who) are not assignable as style fields.
      for (const [prop, v] of Object.entries(value)) el.style.setProperty(prop.startsWith('--') ? prop : prop.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), v);
    }
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value') el.value = value;
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A labelled form field: `<label for=id>text</label>` + control, wrapped in a div.field. */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintEl = hint ? h('small', { id: `${id}-hint`, class: 'hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

/** `<select>` from `[value, label]` pairs. */
export function select(options, attrs = {}) {
  const el = h('select', attrs, options.map(([value, label]) => h('option', { value }, label)));
  if (attrs.value != null) el.value = attrs.value;
  return el;
}

/**
 * Rebuilds `el`'s children with `build()` only when `key` changed since the last call, so that a push that changes
 * nothing here never takes the keyboard focus away. When it does rebuild, focus returns to the new element with the
 * same `data-focus-key` as the one that had it.
 */
export function patch(el, key, build) {
  if (el.__patchKey === key) return;
  el.__patchKey = key;
  const active = document.activeElement;
  const focusKey = active && el.contains(active) ? active.dataset.focusKey : null;
  replace(el, build());
  if (focusKey) el.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
}
