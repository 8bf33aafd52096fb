// Nextcloud's OCS endpoints outside Talk (provisioning API, app config), called as api.js calls Talk's.

import { request } from './api.js';

export async function cloud(method, path, params = null) {
  return (await request(method, path, params)).data;
}

// Shows what happened next to a form: text only, marked as an error or not.
export function report(node, text, isError = false) {
  node.textContent = text;
  node.classList.toggle('error', isError);
}
