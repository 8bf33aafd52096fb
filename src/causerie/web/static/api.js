// Talk's OCS API as the page calls it: the session cookie plus the page's request token (CSRF).

export const config = JSON.parse(document.body.dataset.config || '{}');

export class OcsError extends Error {
  constructor(status, data, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.data = data;
  }

  get reason() {
    return this.data && typeof this.data === 'object' ? this.data.error || '' : '';
  }
}

const BODYLESS = new Set(['GET', 'DELETE']);

// Talk's endpoints: ``path`` below apps/spreed/api/.
export function ocs(method, path, params = null, options = {}) {
  return request(method, `apps/spreed/api/${path}`, params, options);
}

// Any OCS endpoint: ``path`` below /ocs/v2.php/ (Talk's, and Nextcloud's own such as cloud/users).
export async function request(method, path, params = null, { signal, keepalive } = {}) {
  let url = `/ocs/v2.php/${path}`;
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', requesttoken: config.requestToken },
    signal,
    keepalive,
  };
  if (params) {
    if (BODYLESS.has(method)) {
      url += `?${new URLSearchParams(params)}`;
    } else {
      init.body = JSON.stringify(params);
      init.headers['Content-Type'] = 'application/json';
    }
  }
  const response = await fetch(url, init);
  if (response.status === 304) {
    return { status: 304, data: null, headers: response.headers };
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const data = body && body.ocs ? body.ocs.data : null;
  if (!response.ok) {
    const message = (body && body.ocs && body.ocs.meta && body.ocs.meta.message) || (body && body.message) || '';
    throw new OcsError(response.status, data, message);
  }
  return { status: response.status, data, headers: response.headers };
}

export function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    if (signal) signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

export function randomHex(bytes = 32) {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (b) => b.toString(16).padStart(2, '0')).join('');
}
