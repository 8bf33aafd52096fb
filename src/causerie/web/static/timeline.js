// What sits between messages: a line for each new day, and the "Unread messages" divider.

import { el } from './dom.js';

function dayKey(timestamp) {
  const date = new Date(timestamp * 1000);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

export function dayLabel(timestamp, now = new Date()) {
  const date = new Date(timestamp * 1000);
  const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
  const day = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const days = Math.round((today - day) / 86400000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  const options = { weekday: 'long', day: 'numeric', month: 'long' };
  if (date.getFullYear() !== now.getFullYear()) options.year = 'numeric';
  return date.toLocaleDateString(undefined, options);
}

// Plain list items (a role of their own would break the list for screen readers).
// Rebuilds the separators of `list` (an <ol> of message items carrying data-id and data-ts).
export function decorate(list, unreadAfter) {
  for (const node of list.querySelectorAll(':scope > .day-separator, :scope > .unread-divider')) node.remove();
  let previousDay = null;
  let unreadPlaced = !unreadAfter;
  for (const item of [...list.children]) {
    const timestamp = Number(item.dataset.ts || 0);
    if (!timestamp) continue;
    const key = dayKey(timestamp);
    if (key !== previousDay) {
      item.before(el('li', { class: 'day-separator' }, el('span', { text: dayLabel(timestamp) })));
      previousDay = key;
    }
    if (!unreadPlaced && Number(item.dataset.id) > unreadAfter && item.classList.contains('message') && !item.classList.contains('own')) {
      item.before(el('li', { class: 'unread-divider' }, el('span', { text: 'Unread messages' })));
      unreadPlaced = true;
    }
  }
}
