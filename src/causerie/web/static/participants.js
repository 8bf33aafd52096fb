// Who is in a conversation: roles and presence for everyone; adding, removing and promoting for moderators.

import { ocs, OcsError } from './api.js';
import { confirmDialog, openDialog } from './dialog.js';
import { avatar, el } from './dom.js';
import { PeopleSearch } from './people-search.js';
import { isModerator } from './room-settings.js';

const ROLE = { 1: 'Owner', 2: 'Moderator', 3: '', 4: 'Guest', 5: '', 6: 'Guest moderator' };
const GROUP_OR_PUBLIC = new Set([2, 3]);

function isSelf(participant, room) {
  return participant.actorType === room.actorType && participant.actorId === room.actorId;
}

function sortKey(participant) {
  const online = participant.sessionIds && participant.sessionIds.length ? 0 : 1;
  const moderator = [1, 2, 6].includes(participant.participantType) ? 0 : 1;
  return [online, moderator, String(participant.displayName || '').toLocaleLowerCase()];
}

function compare(a, b) {
  const [x, y] = [sortKey(a), sortKey(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2].localeCompare(y[2]);
}

export function participantsDialog(room) {
  return openDialog('Participants', () => {
    const moderator = isModerator(room) && GROUP_OR_PUBLIC.has(room.type);
    const list = el('ul', { class: 'participant-list', 'aria-label': 'Participants' });
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const status = el('p', { class: 'muted', role: 'status' });
    let current = [];
    const fail = (text) => { error.textContent = text; error.hidden = !text; };

    const act = async (method, path, params, failText, doneText) => {
      fail('');
      try {
        await ocs(method, path, params);
        status.textContent = doneText;
        await load();
      } catch (failure) {
        fail(failure instanceof OcsError && failure.reason === 'owner' ? 'The owner cannot be removed.' : failText);
      }
    };

    const row = (participant) => {
      const online = Boolean(participant.sessionIds && participant.sessionIds.length);
      const role = ROLE[participant.participantType] || '';
      const self = isSelf(participant, room);
      const name = participant.displayName || (participant.actorType === 'guests' ? 'Guest' : participant.actorId);
      const actions = [];
      if (moderator && !self && participant.participantType !== 1 && participant.actorType !== 'groups') {
        const promoted = participant.participantType === 2 || participant.participantType === 6;
        if (participant.actorType === 'users' || participant.actorType === 'guests' || participant.actorType === 'emails') {
          actions.push(el('button', { type: 'button', class: 'secondary small', 'aria-label': `${promoted ? 'Demote' : 'Promote'} ${name}`,
            onclick: () => act(promoted ? 'DELETE' : 'POST', `v4/room/${room.token}/moderators`, { attendeeId: participant.attendeeId },
              'The role could not be changed.', promoted ? `${name} is no longer a moderator.` : `${name} is now a moderator.`) },
          promoted ? 'Demote' : 'Make moderator'));
        }
      }
      if (moderator && !self && participant.participantType !== 1) {
        actions.push(el('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove ${name}`,
          onclick: async () => {
            if (!(await confirmDialog('Remove participant', `Remove ${name} from the conversation?`, 'Remove'))) return;
            await act('DELETE', `v4/room/${room.token}/attendees`, { attendeeId: participant.attendeeId },
              `${name} could not be removed.`, `${name} was removed.`);
          } }, 'Remove'));
      }
      const presence = participant.actorType === 'groups' ? null
        : el('span', { class: online ? 'presence online' : 'presence', role: 'img', 'aria-label': online ? 'online' : 'offline', title: online ? 'Online' : 'Offline' });
      return el('li', { class: 'participant', dataset: { attendeeId: participant.attendeeId, actor: `${participant.actorType}/${participant.actorId}` } },
        avatar(name, participant.actorId), presence,
        el('span', { class: 'room-text' },
          el('span', { class: 'person-label', text: self ? `${name} (you)` : name }),
          role || participant.actorType === 'groups' ? el('span', { class: 'role', text: participant.actorType === 'groups' ? 'Group' : role }) : null),
        actions);
    };

    const load = async () => {
      try {
        const { data } = await ocs('GET', `v4/room/${room.token}/participants`, { includeStatus: 'true' });
        current = Array.isArray(data) ? data : [];
      } catch {
        fail('The participants could not be loaded.');
        return;
      }
      list.replaceChildren(...[...current].sort(compare).map(row));
    };

    const parts = [error];
    if (moderator) {
      const search = new PeopleSearch({
        label: 'Add users or groups',
        token: room.token,
        shareTypes: [0, 1],
        exclude: (item) => current.some((p) => p.actorType === item.source && p.actorId === item.id),
        onPick: async (item) => {
          search.clear();
          await act('POST', `v4/room/${room.token}/participants`, { newParticipant: item.id, source: item.source === 'groups' ? 'groups' : 'users' },
            `${item.label} could not be added.`, `${item.label} was added.`);
        },
      });
      parts.push(search.node);
    }
    parts.push(status, list);
    load();
    return el('div', { class: 'dialog-body participants' }, parts);
  }, { className: 'participants-dialog' });
}
