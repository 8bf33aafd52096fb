// Reactions: the picker with the common set, and the row of counters under a message.

import { el } from './dom.js';

export const COMMON_EMOJI = ['👍', '👎', '❤️', '😂', '😮', '😢', '🎉', '🙏', '👏', '🔥', '👀', '✅', '😊', '🤔', '🚀', '💯'];

// A small popup of buttons next to `anchor`; Escape or a click outside closes it.
export function pickEmoji(anchor) {
  return new Promise((resolve) => {
    const done = (value) => {
      document.removeEventListener('pointerdown', outside, true);
      popup.remove();
      anchor.focus();
      resolve(value);
    };
    const outside = (event) => { if (!popup.contains(event.target)) done(null); };
    const buttons = COMMON_EMOJI.map((emoji) => el('button', {
      type: 'button', class: 'emoji-option', 'aria-label': `React with ${emoji}`, onclick: () => done(emoji),
    }, emoji));
    const popup = el('div', { class: 'emoji-picker', role: 'dialog', 'aria-label': 'Choose a reaction' }, buttons);
    popup.addEventListener('keydown', (event) => {
      const index = buttons.indexOf(document.activeElement);
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        done(null);
      } else if ((event.key === 'ArrowRight' || event.key === 'ArrowLeft') && index >= 0) {
        event.preventDefault();
        buttons[(index + (event.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length].focus();
      }
    });
    anchor.after(popup);
    document.addEventListener('pointerdown', outside, true);
    buttons[0].focus();
  });
}

// Talk sends `reactions` as {emoji: count} and `reactionsSelf` as the caller's own emoji.
export function reactionRow(message, toggle) {
  const reactions = message.reactions && !Array.isArray(message.reactions) ? message.reactions : {};
  const mine = new Set(Array.isArray(message.reactionsSelf) ? message.reactionsSelf : []);
  const entries = Object.entries(reactions).filter(([, count]) => count > 0);
  if (!entries.length) return null;
  return el('div', { class: 'reactions', role: 'group', 'aria-label': 'Reactions' }, entries.map(([emoji, count]) => el('button', {
    type: 'button',
    class: mine.has(emoji) ? 'reaction mine' : 'reaction',
    'aria-pressed': mine.has(emoji) ? 'true' : 'false',
    'aria-label': `${emoji} ${count}`,
    dataset: { emoji },
    onclick: () => toggle(emoji, mine.has(emoji)),
  }, el('span', { class: 'reaction-emoji', text: emoji }), el('span', { class: 'reaction-count', text: String(count) }))));
}
