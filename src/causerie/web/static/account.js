// The Account page: display name, password, picture, sign out everywhere.

import { config } from './api.js';
import { cloud, report } from './cloud.js';

const me = config.user;
const userPath = `cloud/users/${encodeURIComponent(me.id)}`;
const byId = (id) => document.getElementById(id);

function showAvatar() {
  byId('account-avatar').src = `/avatar/${encodeURIComponent(me.id)}/128?v=${Date.now()}`;
}

async function avatarRequest(method, body) {
  const response = await fetch('/index.php/avatar/', {
    method,
    body,
    credentials: 'same-origin',
    headers: { requesttoken: config.requestToken },
  });
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    answer = null;
  }
  if (!response.ok) {
    throw new Error((answer && answer.data && answer.data.message) || (answer && answer.message) || 'The picture could not be changed.');
  }
}

byId('avatar-file').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  const status = byId('avatar-status');
  const form = new FormData();
  form.append('files[]', file);
  try {
    await avatarRequest('POST', form);
    report(status, 'Picture updated.');
    showAvatar();
  } catch (error) {
    report(status, error.message, true);
  }
  event.target.value = '';
});

byId('avatar-remove').addEventListener('click', async () => {
  const status = byId('avatar-status');
  try {
    await avatarRequest('DELETE', null);
    report(status, 'Picture removed.');
    showAvatar();
  } catch (error) {
    report(status, error.message, true);
  }
});

byId('name-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const status = byId('name-status');
  const value = byId('display-name').value.trim();
  try {
    await cloud('PUT', userPath, { key: 'displayname', value });
    me.displayName = value;
    report(status, 'Display name saved.');
  } catch (error) {
    report(status, error.message || 'The display name could not be saved.', true);
  }
});

byId('password-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const status = byId('password-status');
  const current = byId('current-password').value;
  const next = byId('new-password').value;
  if (next !== byId('repeat-password').value) {
    report(status, 'The new passwords do not match.', true);
    return;
  }
  try {
    await cloud('PUT', userPath, { key: 'password', value: next, currentPassword: current });
    event.target.reset();
    report(status, 'Password changed.');
  } catch (error) {
    report(status, error.message || 'The password could not be changed.', true);
  }
});

byId('sign-out-everywhere').addEventListener('click', async () => {
  try {
    await cloud('POST', 'apps/causerie/api/v1/account/sign-out-everywhere');
    window.location.assign('/login');
  } catch (error) {
    report(byId('sessions-status'), error.message || 'Could not sign out everywhere.', true);
  }
});

byId('display-name').value = me.displayName;
showAvatar();
