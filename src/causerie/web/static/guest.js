// Guests reach a public conversation by its link and give a name before they join.

import { ocs, OcsError } from './api.js';
import { el } from './dom.js';

const NAME_KEY = 'causerie.guestName';

export function askGuestName(container, token) {
  return new Promise((resolve) => {
    const name = el('input', { name: 'displayName', maxlength: 64, required: true, autocomplete: 'nickname', value: localStorage.getItem(NAME_KEY) || '' });
    const password = el('input', { name: 'password', type: 'password', autocomplete: 'off' });
    const passwordLabel = el('label', { hidden: true }, 'Conversation password ', password);
    const error = el('p', { class: 'guest-error', role: 'alert', hidden: true });
    const button = el('button', { type: 'submit' }, 'Join conversation');
    const form = el('form', { class: 'guest-form' },
      el('h2', { text: 'Join the conversation' }),
      el('label', {}, 'Your name ', name), passwordLabel, error, button,
      el('p', { class: 'guest-login' }, 'Have an account? ', el('a', { href: `/login?redirect_url=${encodeURIComponent(`/call/${token}`)}` }, 'Log in')));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const displayName = name.value.trim();
      if (!displayName) return;
      button.disabled = true;
      error.hidden = true;
      try {
        const params = { force: true };
        if (password.value) params.password = password.value;
        const { data: room } = await ocs('POST', `v4/room/${token}/participants/active`, params);
        await ocs('POST', `v1/guest/${token}/name`, { displayName });
        localStorage.setItem(NAME_KEY, displayName);
        resolve(room);
      } catch (failure) {
        let text = 'Could not join the conversation.';
        if (failure instanceof OcsError && failure.reason === 'password') {
          passwordLabel.hidden = false;
          text = password.value ? 'Wrong password.' : 'This conversation has a password.';
        } else if (failure instanceof OcsError && failure.status === 404) {
          text = 'This conversation does not exist or is not open to guests.';
        } else if (failure instanceof OcsError && failure.status === 429) {
          text = 'Too many attempts. Please try again later.';
        }
        error.textContent = text;
        error.hidden = false;
        button.disabled = false;
      }
    });
    container.replaceChildren(el('div', { class: 'guest-entry' }, form));
    name.focus();
  });
}
