// Shared interface pieces: modal dialogs, toasts, alerts, empty states.
import { h, uid } from './dom.js';
import { describeError } from './api.js';

/**
 * Opens a modal <dialog> (native focus containment; Escape cancels) and resolves with the value
 * returned by `onSubmit`, or null when cancelled. Focus goes back to the element that opened it.
 *
 * options: title, description (string|node), content (nodes, usually form fields), submitLabel,
 * cancelLabel, danger (red submit), confirmText (the user must type it exactly before submitting),
 * confirmLabel (words before the text to type), onSubmit(form) → value (throw to keep it open),
 * hideCancel, name (data-dialog attribute for tests and styling).
 */
export function showDialog(options) {
  const {
    title, description, content = [], submitLabel = 'OK', cancelLabel = 'Cancel', danger = false,
    confirmText = null, confirmLabel = 'To confirm, type', onSubmit = () => true, hideCancel = false, name = '',
  } = options;
  const opener = document.activeElement;
  const titleId = uid('dlg-title');
  const descId = uid('dlg-desc');
  const errorBox = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}` }, submitLabel);
  const cancel = hideCancel ? null : h('button', { type: 'button', class: 'btn', value: 'cancel' }, cancelLabel);

  let confirmInput = null;
  let confirmField = null;
  if (confirmText !== null) {
    const inputId = uid('confirm');
    confirmInput = h('input', {
      id: inputId, type: 'text', class: 'input', autocomplete: 'off', spellcheck: 'false',
      autocapitalize: 'off', 'data-confirm-input': true, required: true,
    });
    confirmField = h('div', { class: 'field' },
      h('label', { for: inputId }, `${confirmLabel} `, h('code', { class: 'confirm-text' }, confirmText)),
      confirmInput);
    submit.disabled = true;
    confirmInput.addEventListener('input', () => {
      submit.disabled = confirmInput.value.trim() !== confirmText;
    });
  }

  const form = h('form', { class: 'dialog-form', method: 'dialog', novalidate: true },
    h('h2', { id: titleId, class: 'dialog-title' }, title),
    description ? h('div', { id: descId, class: 'dialog-desc' }, description) : null,
    h('div', { class: 'dialog-body' }, content, confirmField),
    errorBox,
    h('div', { class: 'dialog-actions' }, cancel, submit));

  const dialog = h('dialog', {
    class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': description ? descId : null,
    'data-dialog': name || null,
  }, form);
  document.body.append(dialog);

  return new Promise((resolve) => {
    let result = null;
    let busy = false;
    const close = () => {
      dialog.close();
    };
    dialog.addEventListener('close', () => {
      dialog.remove();
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      resolve(result);
    });
    dialog.addEventListener('cancel', (e) => {
      if (busy) e.preventDefault();
    });
    if (cancel) cancel.addEventListener('click', close);
    // The submit button runs through whileBusy like every other button: disabled while onSubmit
    // runs, so a double click or Enter pressed twice sends one request.
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (busy) return;
      if (confirmInput && confirmInput.value.trim() !== confirmText) return;
      whileBusy(submit, async () => {
        busy = true;
        errorBox.hidden = true;
        try {
          const value = await onSubmit(form);
          result = value === undefined || value === null ? true : value;
          close();
        } catch (err) {
          errorBox.textContent = describeError(err);
          errorBox.hidden = false;
        } finally {
          busy = false;
        }
      });
    });
    dialog.showModal();
    const first = confirmInput || form.querySelector('[autofocus]') ||
      form.querySelector('.dialog-body input:not([type=hidden]):not([disabled]), .dialog-body select, .dialog-body textarea');
    (first || cancel || submit).focus();
  });
}

/** A simple confirmation; resolves true when confirmed (and its onSubmit, if any, succeeded). */
export async function confirmDialog(options) {
  const value = await showDialog(options);
  return value !== null;
}

/** Asks for one line of text; resolves with it or null. */
export function promptDialog({ title, description, label, value = '', submitLabel = 'OK', name, pattern }) {
  const inputId = uid('prompt');
  const input = h('input', { id: inputId, class: 'input', type: 'text', value, autocomplete: 'off', required: true, pattern });
  return showDialog({
    title, description, submitLabel, name,
    content: [h('div', { class: 'field' }, h('label', { for: inputId }, label), input)],
    onSubmit: () => {
      const v = input.value.trim();
      if (!v) throw new Error(`${label} is required.`);
      return v;
    },
  });
}

/** Shows a transient message. `action` is {label, onClick}; returns a function that dismisses it. */
export function toast(message, { action = null, kind = 'info', timeout = 8000 } = {}) {
  const region = document.getElementById('toasts');
  const dismiss = () => {
    if (item.isConnected) item.remove();
  };
  // The region is a polite live region; errors interrupt as alerts.
  const item = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : null },
    h('span', { class: 'toast-message' }, message),
    action ? h('button', {
      type: 'button', class: 'btn btn-small btn-toast',
      onclick: busyHandler(async () => {
        await action.onClick();
        dismiss();
      }),
    }, action.label) : null,
    h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss notification', onclick: dismiss }, '×'));
  region.append(item);
  if (timeout) setTimeout(dismiss, timeout);
  return dismiss;
}

export function errorToast(error) {
  return toast(describeError(error), { kind: 'error', timeout: 10000 });
}

export function alertBox(error, kind = 'error') {
  return h('p', { class: `alert alert-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    typeof error === 'string' ? error : describeError(error));
}

export function emptyState(title, text, ...actions) {
  return h('div', { class: 'empty' }, h('p', { class: 'empty-title' }, title), text ? h('p', { class: 'muted' }, text) : null, actions);
}

export function pageHeader(title, subtitle, ...actions) {
  return h('div', { class: 'page-header' },
    h('div', { class: 'page-heading' }, h('h1', {}, title), subtitle ? h('p', { class: 'muted' }, subtitle) : null),
    actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

const busyButtons = new WeakSet();

/**
 * The one rule for every control that sends a change: while `fn`'s promise runs, `el` is disabled
 * and `aria-busy`, so a double click or a second press sends nothing more (and cannot answer "not
 * in the Trash" for what the first press did). Resolves with fn's value; a press while busy
 * resolves with undefined and does nothing. What the page's own code sets `el.disabled` to
 * meanwhile (Restore All once the Trash is empty) is what the control is afterwards; it gets the
 * focus back when it had it and nothing else took it (a dialog it opened could not return the
 * focus to a disabled button).
 */
export async function whileBusy(el, fn) {
  if (!el) return fn();
  if (busyButtons.has(el)) return undefined;
  busyButtons.add(el);
  const native = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'disabled');
  const wasFocused = document.activeElement === el;
  let wanted = el.disabled;
  if (native) {
    native.set.call(el, true);
    Object.defineProperty(el, 'disabled', { configurable: true, get: () => wanted, set: (v) => { wanted = Boolean(v); } });
  }
  el.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    busyButtons.delete(el);
    el.removeAttribute('aria-busy');
    if (native) {
      delete el.disabled;
      native.set.call(el, wanted);
    }
    const focusLost = !document.activeElement || document.activeElement === document.body;
    if (wasFocused && focusLost && el.isConnected && !wanted && !document.querySelector('dialog[open]')) el.focus();
  }
}

/** An event listener that runs `fn(event)` through whileBusy on the element it is attached to. */
export function busyHandler(fn) {
  return (event) => {
    const el = event.currentTarget;
    return whileBusy(el, () => fn(event));
  };
}

/**
 * A button. Its `onclick` runs through whileBusy: a click handler that returns a promise (a
 * request, or a dialog that sends one) keeps the button disabled until it settles.
 */
export function button(label, onclick, { variant = '', small = false, disabled = false, title, ...rest } = {}) {
  const cls = ['btn', variant ? `btn-${variant}` : '', small ? 'btn-small' : ''].filter(Boolean).join(' ');
  return h('button', { type: 'button', class: cls, onclick: onclick ? busyHandler(onclick) : null, disabled, title, ...rest }, label);
}

export function field(labelText, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hintEl);
}



/**
 * A tooltip for `el` shown on hover and keyboard focus, placed in <body> so no scrolling container
 * clips it; Escape hides it. The text should also be the element's accessible name or description.
 */
export function attachTooltip(el, text) {
  let tip = null;
  const hide = () => {
    if (tip) tip.remove();
    tip = null;
  };
  const show = () => {
    if (tip) return;
    document.querySelectorAll('.tooltip').forEach((t) => t.remove());
    tip = h('div', { class: 'tooltip', role: 'tooltip' }, text);
    document.body.append(tip);
    const r = el.getBoundingClientRect();
    const width = tip.offsetWidth;
    const left = Math.max(8, Math.min(r.left, window.innerWidth - width - 8));
    let top = r.bottom + 6;
    if (top + tip.offsetHeight > window.innerHeight - 8) top = r.top - tip.offsetHeight - 6;
    tip.style.left = `${left + window.scrollX}px`;
    tip.style.top = `${top + window.scrollY}px`;
  };
  el.addEventListener('mouseenter', show);
  el.addEventListener('click', hide);
  el.addEventListener('mouseleave', hide);
  el.addEventListener('focus', show);
  el.addEventListener('blur', hide);
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') hide();
  });
  return el;
}
