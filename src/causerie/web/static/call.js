// The external call service: its meeting page in an iframe, and the postMessage events it sends.

import { config, ocs, OcsError } from './api.js';
import { el } from './dom.js';

const SANDBOX = 'allow-same-origin allow-scripts allow-forms allow-popups allow-presentation';
const ALLOW = 'camera; microphone; display-capture; fullscreen';
const IN_CALL = 1;

const ERRORS = {
  server: 'Calls are not set up on this server.',
  type: 'This conversation has no external call.',
  response: 'The call service did not answer. Please try again later.',
  field: 'The call service did not give an address for this call.',
};

function originOf(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

export class ExternalCall {
  constructor(chat, frameOrigins) {
    this.chat = chat;
    this.frameOrigins = new Set(frameOrigins.map((o) => String(o).replace(/\/+$/, '')));
    this.iframe = null;
    this.observer = null;
    this.joined = false;
    this.opening = false;
    this.onMessage = (event) => this.receive(event);
  }

  get token() {
    return this.chat.token;
  }

  get mounted() {
    return this.iframe !== null;
  }

  async open() {
    if (this.opening || this.mounted) return;
    this.opening = true;
    this.chat.showNotice('');
    try {
      const { data } = await ocs('POST', `v4/room/${this.token}/external-call`);
      const url = data && typeof data.url === 'string' ? data.url : '';
      const origin = originOf(url);
      if (!origin) {
        this.chat.showNotice(ERRORS.field);
      } else if (!this.frameOrigins.has(origin)) {
        this.chat.showNotice('The call service is not among the origins this server allows to be embedded.');
      } else {
        this.mount(url);
      }
    } catch (error) {
      if (error instanceof OcsError && error.status === 403) this.forbidden();
      else if (error instanceof OcsError && ERRORS[error.reason]) this.chat.showNotice(ERRORS[error.reason]);
      else this.chat.showNotice('Connection failed.');
    } finally {
      this.opening = false;
    }
  }

  mount(url) {
    const iframe = el('iframe', {
      class: 'external-call-frame',
      title: 'External Call Service',
      sandbox: SANDBOX,
      allow: ALLOW,
      loading: 'eager',
      referrerpolicy: 'no-referrer',
      src: url,
    });
    this.iframe = iframe;
    this.chat.callArea.replaceChildren(iframe);
    window.addEventListener('message', this.onMessage);
    // The service may close the call by removing the iframe (same-origin pages only).
    this.observer = new MutationObserver(() => {
      if (this.iframe && !this.iframe.isConnected) this.close();
    });
    this.observer.observe(this.chat.root, { childList: true, subtree: true });
    this.chat.showCall(true);
  }

  receive(event) {
    // Only the page in our iframe, and only when it is served from a configured origin.
    if (!this.iframe || event.source !== this.iframe.contentWindow) return;
    if (!this.frameOrigins.has(event.origin)) return;
    const type = event.data && typeof event.data === 'object' ? event.data.type : null;
    if (type === 'externalCallJoined') this.join();
    else if (type === 'externalCallLeft') this.close();
  }

  async join() {
    if (this.joined) return;
    this.joined = true;
    try {
      await ocs('POST', `v4/call/${this.token}`, { flags: IN_CALL });
    } catch (error) {
      if (error instanceof OcsError && error.status === 404) {
        // The Talk session expired while the call page was open: join the conversation again.
        try {
          await ocs('POST', `v4/room/${this.token}/participants/active`, { force: true });
          await ocs('POST', `v4/call/${this.token}`, { flags: IN_CALL });
        } catch {
          this.joined = false;
        }
      } else {
        this.joined = false;
      }
    }
    this.chat.reloadRoom();
  }

  close() {
    if (this.observer) this.observer.disconnect();
    this.observer = null;
    window.removeEventListener('message', this.onMessage);
    if (this.iframe && this.iframe.isConnected) this.iframe.remove();
    this.iframe = null;
    if (this.joined) {
      this.joined = false;
      ocs('DELETE', `v4/call/${this.token}`, null, { keepalive: true })
        .catch(() => {})
        .then(() => { if (!this.chat.closed) this.chat.reloadRoom(); });
    }
    if (!this.chat.closed) this.chat.showCall(false);
  }

  forbidden() {
    this.chat.root.classList.add('forbidden');
    this.chat.root.replaceChildren(el('div', { class: 'forbidden-view', role: 'alert' },
      el('h2', { text: 'Not allowed' }),
      el('p', { text: 'You are not allowed to join this call.' }),
      config.mode === 'user' ? el('a', { href: '/apps/spreed', class: 'button' }, 'Back to conversations') : null));
  }
}
