// One conversation's settings: personal ones (favorite, archive, notifications) for everyone,
// name, description, guests' link, lobby and read-only for moderators, then leaving or deleting.

import { ocs, OcsError } from './api.js';
import { confirmDialog, openDialog } from './dialog.js';
import { el } from './dom.js';
import { ROOM_GROUP, ROOM_NOTE_TO_SELF, ROOM_ONE_TO_ONE, ROOM_PUBLIC } from './conversations.js';

const MODERATORS = new Set([1, 2, 6]);

export function isModerator(room) {
  return MODERATORS.has(room.participantType);
}

export function publicLink(room) {
  return `${window.location.origin}/call/${room.token}`;
}

// `onChanged(room)` after every change; resolves with 'left' or 'deleted' when the user went away.
export function roomSettingsDialog(initial, { onChanged }) {
  let room = initial;
  return openDialog('Conversation settings', (close) => {
    const body = el('div', { class: 'dialog-body settings' });
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const fail = (text) => { error.textContent = text; error.hidden = !text; };

    const change = async (method, path, params, failText) => {
      fail('');
      try {
        const { data } = await ocs(method, path, params);
        if (data && data.token) {
          room = data;
          onChanged(room);
        }
        render();
        return true;
      } catch (failure) {
        let text = failText;
        if (failure instanceof OcsError && failure.status === 403) text = 'You are not allowed to change this.';
        else if (failure instanceof OcsError && failure.reason === 'password') text = 'This password is not accepted; try a longer one.';
        fail(text);
        render();
        return false;
      }
    };

    const toggle = (label, checked, onChange, extra = {}) => {
      const box = el('input', { type: 'checkbox', checked, ...extra });
      box.addEventListener('change', () => onChange(box.checked));
      return el('label', { class: 'check' }, box, label);
    };

    const render = () => {
      const moderator = isModerator(room);
      const token = room.token;
      const groupLike = room.type === ROOM_GROUP || room.type === ROOM_PUBLIC;
      const sections = [];

      sections.push(el('fieldset', { class: 'settings-group' }, el('legend', { text: 'For you' }),
        toggle('Favorite', room.isFavorite, (on) => change(on ? 'POST' : 'DELETE', `v4/room/${token}/favorite`, null, 'Could not change the favorite.')),
        toggle('Archived', room.isArchived, (on) => change(on ? 'POST' : 'DELETE', `v4/room/${token}/archive`, null, 'Could not archive the conversation.')),
        room.type === ROOM_NOTE_TO_SELF ? null : notificationSelect(room, (level) => change('POST', `v4/room/${token}/notify`, { level }, 'Could not change notifications.'))));

      if (moderator && groupLike) {
        const name = el('input', { name: 'roomName', value: room.name || room.displayName || '', maxlength: 255 });
        const description = el('textarea', { name: 'description', rows: 3, maxlength: 2000 });
        description.value = room.description || '';
        const save = el('button', { type: 'submit', class: 'primary' }, 'Save name and description');
        const form = el('form', { class: 'settings-group' }, el('label', {}, 'Name', name), el('label', {}, 'Description', description),
          el('div', { class: 'dialog-actions' }, save));
        form.addEventListener('submit', async (event) => {
          event.preventDefault();
          if (name.value.trim() !== (room.name || '')) {
            if (!(await change('PUT', `v4/room/${token}`, { roomName: name.value.trim() }, 'The name could not be saved.'))) return;
          }
          if (description.value !== (room.description || '')) {
            await change('PUT', `v4/room/${token}/description`, { description: description.value }, 'The description could not be saved.');
          }
        });
        sections.push(form);

        const guests = [toggle('Allow guests (public link)', room.type === ROOM_PUBLIC,
          (on) => change(on ? 'POST' : 'DELETE', `v4/room/${token}/public`, null, 'Could not change guest access.'))];
        if (room.type === ROOM_PUBLIC) {
          const link = el('input', { readonly: true, value: publicLink(room), 'aria-label': 'Public link' });
          const copied = el('span', { class: 'muted', role: 'status' });
          guests.push(el('div', { class: 'inline-row' }, link, el('button', { type: 'button', class: 'secondary', onclick: async () => {
            try {
              await navigator.clipboard.writeText(link.value);
              copied.textContent = 'Link copied';
            } catch {
              link.select();
              copied.textContent = 'Press Ctrl+C to copy';
            }
          } }, 'Copy link'), copied));
          const password = el('input', { type: 'password', autocomplete: 'new-password', 'aria-label': 'Password for guests',
            placeholder: room.hasPassword ? 'Password set: type a new one' : 'No password' });
          guests.push(el('div', { class: 'inline-row' }, password,
            el('button', { type: 'button', class: 'secondary', onclick: () => change('PUT', `v4/room/${token}/password`, { password: password.value }, 'The password could not be set.') }, 'Set password'),
            room.hasPassword ? el('button', { type: 'button', class: 'secondary', onclick: () => change('PUT', `v4/room/${token}/password`, { password: '' }, 'The password could not be removed.') }, 'Remove password') : null));
          if (room.hasPassword) guests.push(el('p', { class: 'muted', text: 'Guests need a password to join.' }));
        }
        sections.push(el('fieldset', { class: 'settings-group' }, el('legend', { text: 'Guests' }), guests));

        sections.push(el('fieldset', { class: 'settings-group' }, el('legend', { text: 'Moderation' }),
          toggle('Lobby: only moderators until they open it', room.lobbyState === 1,
            (on) => change('PUT', `v4/room/${token}/webinar/lobby`, { state: on ? 1 : 0 }, 'Could not change the lobby.')),
          toggle('Read-only: nobody can write', room.readOnly === 1,
            (on) => change('PUT', `v4/room/${token}/read-only`, { state: on ? 1 : 0 }, 'Could not change read-only.')),
          toggle('Open to everyone on this server (listed)', room.listable > 0,
            (on) => change('PUT', `v4/room/${token}/listable`, { scope: on ? 1 : 0 }, 'Could not change who can find it.'))));
      }

      const leaving = [];
      if (room.type !== ROOM_NOTE_TO_SELF && room.canLeaveConversation !== false) {
        leaving.push(el('button', { type: 'button', class: 'secondary', onclick: async () => {
          if (!(await confirmDialog('Leave conversation', `Leave “${room.displayName}”?`, 'Leave'))) return;
          try {
            await ocs('DELETE', `v4/room/${token}/participants/self`);
            close('left');
          } catch (failure) {
            fail(failure instanceof OcsError && failure.status === 400
              ? 'You are the last moderator: promote someone else first, or delete the conversation.'
              : 'You could not leave the conversation.');
          }
        } }, 'Leave conversation'));
      }
      if (room.canDeleteConversation || (moderator && room.type !== ROOM_ONE_TO_ONE)) {
        leaving.push(el('button', { type: 'button', class: 'danger', onclick: async () => {
          if (!(await confirmDialog('Delete conversation', `Delete “${room.displayName}” and all its messages for everyone?`, 'Delete'))) return;
          try {
            await ocs('DELETE', `v4/room/${token}`);
            close('deleted');
          } catch {
            fail('The conversation could not be deleted.');
          }
        } }, 'Delete conversation'));
      }
      if (leaving.length) sections.push(el('div', { class: 'dialog-actions start' }, leaving));
      const focused = document.activeElement && body.contains(document.activeElement) ? document.activeElement.getAttribute('aria-label') || document.activeElement.textContent : null;
      body.replaceChildren(error, ...sections);
      if (focused) {
        const again = [...body.querySelectorAll('input, button, select, textarea')].find((node) =>
          (node.getAttribute('aria-label') || node.textContent) === focused || (node.parentElement && node.parentElement.textContent === focused));
        if (again) again.focus();
      }
    };
    render();
    return body;
  }, { className: 'settings-dialog' });
}

function notificationSelect(room, onChange) {
  const select = el('select', { name: 'notificationLevel' },
    [[0, 'Default'], [1, 'All messages'], [2, '@-mentions only'], [3, 'Off']].map(([value, label]) =>
      el('option', { value, selected: room.notificationLevel === value }, label)));
  select.addEventListener('change', () => onChange(Number(select.value)));
  return el('label', {}, 'Notifications', select);
}
