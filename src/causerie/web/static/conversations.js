// Starting conversations: the "New conversation" dialog and browsing open (listable) ones.

import { ocs, OcsError } from './api.js';
import { openDialog } from './dialog.js';
import { avatar, el } from './dom.js';
import { PeopleSearch } from './people-search.js';

export const ROOM_ONE_TO_ONE = 1;
export const ROOM_GROUP = 2;
export const ROOM_PUBLIC = 3;
export const ROOM_NOTE_TO_SELF = 6;

function errorText(error, fallback) {
  if (error instanceof OcsError && error.reason === 'name') return 'Please give the conversation a name (at most 255 characters).';
  if (error instanceof OcsError && error.reason === 'password') return 'This password is not accepted; try a longer one.';
  if (error instanceof OcsError && error.status === 403) return 'You are not allowed to do this.';
  return fallback;
}

// Resolves with the new (or existing) conversation, or undefined when closed.
export function newConversationDialog() {
  return openDialog('New conversation', (close) => {
    const name = el('input', { name: 'roomName', maxlength: 255, autocomplete: 'off' });
    const open = el('input', { type: 'checkbox', name: 'public' });
    const password = el('input', { type: 'password', name: 'password', autocomplete: 'new-password' });
    const passwordLabel = el('label', { hidden: true }, 'Password (optional)', password);
    open.addEventListener('change', () => { passwordLabel.hidden = !open.checked; });
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const create = el('button', { type: 'submit', class: 'primary' }, 'Create conversation');
    const fail = (text) => { error.textContent = text; error.hidden = false; };
    const form = el('form', { class: 'dialog-body new-group' },
      el('label', {}, 'Conversation name', name),
      el('label', { class: 'check' }, open, 'Allow guests to join by a public link'),
      passwordLabel, error,
      el('div', { class: 'dialog-actions' }, create));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!name.value.trim()) {
        fail('Please give the conversation a name.');
        return;
      }
      create.disabled = true;
      try {
        const params = { roomType: open.checked ? ROOM_PUBLIC : ROOM_GROUP, roomName: name.value.trim() };
        if (open.checked && password.value) params.password = password.value;
        const { data } = await ocs('POST', 'v4/room', params);
        close(data);
      } catch (failure) {
        fail(errorText(failure, 'The conversation could not be created.'));
        create.disabled = false;
      }
    });

    const people = new PeopleSearch({
      label: 'Message a person',
      shareTypes: [0],
      onPick: async (item) => {
        try {
          const { data } = await ocs('POST', 'v4/room', { roomType: ROOM_ONE_TO_ONE, invite: item.id });
          close(data);
        } catch (failure) {
          fail(errorText(failure, 'The conversation could not be started.'));
        }
      },
    });
    const note = el('button', { type: 'button', class: 'secondary note-to-self', onclick: async () => {
      try {
        const { data } = await ocs('GET', 'v4/room/note-to-self');
        close(data);
      } catch (failure) {
        fail(errorText(failure, 'Your notes could not be opened.'));
      }
    } }, 'Note to self');
    return el('div', { class: 'new-conversation' }, form,
      el('div', { class: 'dialog-body dialog-split' }, people.node, el('div', { class: 'dialog-actions start' }, note)));
  }, { className: 'new-conversation-dialog' });
}

// Open conversations the user is not in yet; resolves with the token to open.
export function browseDialog() {
  return openDialog('Open conversations', (close) => {
    const search = el('input', { type: 'search', 'aria-label': 'Search open conversations', placeholder: 'Search open conversations' });
    const list = el('ul', { class: 'browse-list', 'aria-label': 'Open conversations' });
    const status = el('p', { class: 'muted', role: 'status' });
    let request = 0;
    let timer = null;
    const load = async () => {
      const mine = ++request;
      let rooms = [];
      try {
        ({ data: rooms } = await ocs('GET', 'v4/listed-room', { searchTerm: search.value.trim() }));
      } catch {
        rooms = [];
      }
      if (mine !== request) return;
      rooms = Array.isArray(rooms) ? rooms : [];
      status.textContent = rooms.length ? '' : 'No open conversations found.';
      list.replaceChildren(...rooms.map((room) => el('li', { class: 'browse-item', dataset: { token: room.token } },
        avatar(room.displayName, room.name),
        el('span', { class: 'room-text' }, el('span', { class: 'room-name', text: room.displayName }),
          el('span', { class: 'room-preview', text: room.description || '' })),
        el('button', { type: 'button', class: 'primary', 'aria-label': `Join ${room.displayName}`, onclick: () => close(room.token) }, 'Join'))));
    };
    search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 200); });
    load();
    return el('div', { class: 'dialog-body' }, search, status, list);
  });
}
