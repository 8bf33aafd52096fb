// Modal dialogs on the native <dialog>: focus moves in and back, Escape closes, the page behind is inert.

import { el } from './dom.js';

// `build(close)` returns the dialog's content; `close(value)` ends it and resolves the promise.
export function openDialog(title, build, { className = '' } = {}) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const heading = el('h2', { class: 'dialog-title', id: `dialog-${Math.random().toString(36).slice(2)}`, text: title });
    const node = el('dialog', { class: `dialog ${className}`.trim(), 'aria-labelledby': heading.id });
    let result;
    const close = (value) => {
      result = value;
      node.close();
    };
    const closeButton = el('button', { type: 'button', class: 'dialog-close', 'aria-label': 'Close', onclick: () => close(undefined) }, '×');
    node.append(el('header', { class: 'dialog-head' }, heading, closeButton), build(close));
    node.addEventListener('close', () => {
      node.remove();
      if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
      resolve(result);
    });
    node.addEventListener('click', (event) => { if (event.target === node) close(undefined); });
    // A search field would take the first Escape to clear itself: the dialog closes on any.
    node.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        close(undefined);
      }
    });
    document.body.append(node);
    node.showModal();
    const first = node.querySelector('[autofocus], input, select, textarea, button:not(.dialog-close)');
    if (first) first.focus();
  });
}

export function confirmDialog(title, text, action, { danger = true } = {}) {
  return openDialog(title, (close) => el('div', { class: 'dialog-body' },
    el('p', { text }),
    el('div', { class: 'dialog-actions' },
      el('button', { type: 'button', class: 'secondary', onclick: () => close(false) }, 'Cancel'),
      el('button', { type: 'button', class: danger ? 'danger' : 'primary', autofocus: true, onclick: () => close(true) }, action))));
}
