// The Admin page: users, groups and Talk's server settings, through Nextcloud's provisioning API.

import { cloud, report } from './cloud.js';
import { el } from './dom.js';

const byId = (id) => document.getElementById(id);
const userPath = (uid) => `cloud/users/${encodeURIComponent(uid)}`;
const CONFIG = 'apps/provisioning_api/api/v1/config/apps/spreed';
// The settings occ config:app:set spreed sets for calls, in the order the page shows them.
const TALK_KEYS = [
  ['external_call_service', 'External call service URL'],
  ['external_call_service_frame_origins', 'External call frame origins (JSON list)'],
  ['external_call_service_shared_secret', 'External call shared secret'],
  ['stun_servers', 'STUN servers (JSON list)'],
  ['turn_servers', 'TURN servers (JSON list)'],
  ['signaling_servers', 'Signaling servers (JSON)'],
];

async function act(status, work, done) {
  try {
    await work();
    report(status, done);
    return true;
  } catch (error) {
    report(status, error.message || 'That did not work.', true);
    return false;
  }
}

async function loadUsers() {
  const search = byId('user-search').value.trim();
  const { users } = await cloud('GET', 'cloud/users', search ? { search } : null);
  const details = await Promise.all(users.map((uid) => cloud('GET', userPath(uid))));
  byId('user-rows').replaceChildren(...details.map(userRow));
}

function userRow(user) {
  const status = byId('users-status');
  const toggle = el('button', {
    type: 'button',
    text: user.enabled ? 'Disable' : 'Enable',
    'aria-label': `${user.enabled ? 'Disable' : 'Enable'} ${user.id}`,
    onclick: async () => {
      const verb = user.enabled ? 'disable' : 'enable';
      if (await act(status, () => cloud('PUT', `${userPath(user.id)}/${verb}`), `${user.id}: ${verb}d.`)) loadUsers();
    },
  });
  return el('tr', { dataset: { user: user.id } },
    el('td', { text: user.id }),
    el('td', { text: user.displayname }),
    el('td', { text: (user.groups || []).join(', ') }),
    el('td', { class: 'state', text: user.enabled ? 'Enabled' : 'Disabled' }),
    el('td', {}, toggle));
}

async function loadGroups() {
  const { groups } = await cloud('GET', 'cloud/groups');
  byId('group-list').replaceChildren(...groups.map((gid) => el('li', { dataset: { group: gid } },
    el('span', { text: gid }), ' ',
    el('button', {
      type: 'button',
      text: 'Delete',
      'aria-label': `Delete group ${gid}`,
      onclick: async () => {
        if (await act(byId('groups-status'), () => cloud('DELETE', `cloud/groups/${encodeURIComponent(gid)}`), `Group ${gid} deleted.`)) loadGroups();
      },
    }))));
}

async function loadTalk() {
  const { data } = await cloud('GET', CONFIG);
  const form = byId('talk-form');
  form.replaceChildren();
  for (const [key, label] of TALK_KEYS) {
    const current = data[key] || { sensitive: false, set: false };
    const id = `talk-${key}`;
    const input = current.sensitive
      ? el('input', { id, name: key, type: 'password', autocomplete: 'off', placeholder: current.set ? 'set' : 'not set' })
      : el('input', { id, name: key, autocomplete: 'off', value: current.value || '' });
    const state = current.sensitive ? el('span', { class: 'muted', id: `${id}-state`, text: current.set ? 'set' : 'not set' }) : null;
    form.append(el('label', { for: id, text: label }), el('span', { class: 'settings-row' }, input, state));
  }
  form.append(el('button', { type: 'submit', text: 'Save Talk settings' }));
}

byId('talk-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const status = byId('talk-status');
  const data = (await cloud('GET', CONFIG)).data;
  for (const [key, label] of TALK_KEYS) {
    const input = byId(`talk-${key}`);
    const sensitive = data[key] && data[key].sensitive;
    // An empty secret field keeps the secret; plain fields are written as shown.
    if (sensitive && input.value === '') continue;
    if (!sensitive && input.value === ((data[key] && data[key].value) || '')) continue;
    const saved = await act(status, () => cloud('POST', `${CONFIG}/${key}`, { value: input.value }), '');
    if (!saved) {
      report(status, `${label}: ${status.textContent}`, true);
      return;
    }
  }
  await loadTalk();
  report(status, 'Talk settings saved.');
});

byId('user-search').addEventListener('input', () => { loadUsers(); });

byId('add-user-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const groups = byId('new-user-groups').value.split(',').map((g) => g.trim()).filter(Boolean);
  const userid = byId('new-userid').value.trim();
  const params = { userid, password: byId('new-user-password').value, displayName: byId('new-displayname').value, groups };
  if (await act(byId('users-status'), () => cloud('POST', 'cloud/users', params), `User ${userid} added.`)) {
    event.target.reset();
    loadUsers();
  }
});

byId('reset-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const uid = byId('reset-userid').value.trim();
  const params = { key: 'password', value: byId('reset-password').value };
  if (await act(byId('users-status'), () => cloud('PUT', userPath(uid), params), `Password of ${uid} reset.`)) event.target.reset();
});

byId('membership-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const uid = byId('member-userid').value.trim();
  const groupid = byId('member-groupid').value.trim();
  const adding = event.submitter && event.submitter.value === 'add';
  const done = adding ? `${uid} added to ${groupid}.` : `${uid} removed from ${groupid}.`;
  if (await act(byId('users-status'), () => cloud(adding ? 'POST' : 'DELETE', `${userPath(uid)}/groups`, { groupid }), done)) loadUsers();
});

byId('add-group-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const groupid = byId('new-groupid').value.trim();
  if (await act(byId('groups-status'), () => cloud('POST', 'cloud/groups', { groupid }), `Group ${groupid} added.`)) {
    event.target.reset();
    loadGroups();
  }
});

loadUsers();
loadGroups();
loadTalk();
