// Nextcloud's OCS endpoints outside Talk (provisioning API, app config), called as api.js calls Talk's.

import { config, OcsError } from './api.js';

export async function cloud(method, path, params = null) {
  let url = `/ocs/v2.php/${path}`;
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', requesttoken: config.requestToken },
  };
  if (params) {
    if (method === 'GET' || method === 'DELETE') {
      url += `?${new URLSearchParams(params)}`;
    } else {
      init.body = JSON.stringify(params);
      init.headers['Content-Type'] = 'application/json';
    }
  }
  const response = await fetch(url, init);
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const data = body && body.ocs ? body.ocs.data : null;
  if (!response.ok) {
    const message = (body && body.ocs && body.ocs.meta && body.ocs.meta.message) || '';
    throw new OcsError(response.status, data, message);
  }
  return data;
}

// Shows what happened next to a form: text only, marked as an error or not.
export function report(node, text, isError = false) {
  node.textContent = text;
  node.classList.toggle('error', isError);
}
