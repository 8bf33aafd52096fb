// One open conversation: history (older pages on scroll up), new messages by long-poll, composer.

import { config, ocs, OcsError, randomHex, sleep } from './api.js';
import { ExternalCall } from './call.js';
import { avatar, clockTime, el } from './dom.js';
import { MentionPicker } from './mentions.js';
import { CALL_SYSTEM_MESSAGES, HIDDEN_SYSTEM_MESSAGES, plainText, richFragment } from './richtext.js';

const PAGE = 50;
const POLL_TIMEOUT = 30;

export class ChatView {
  constructor(container, token, { onBack, onRoomChanged, onGone }) {
    this.container = container;
    this.token = token;
    this.onBack = onBack;
    this.onRoomChanged = onRoomChanged;
    this.onGone = onGone;
    this.room = null;
    this.messages = new Map();
    this.oldestKnown = 0;
    this.newestKnown = 0; // the long-poll offset: only ever moved by what the long-poll returns
    this.newestSeen = 0; // the newest message shown, also one this page just sent
    this.lastReadSent = 0;
    this.hasOlder = true;
    this.loadingOlder = false;
    this.replyTo = null;
    this.closed = false;
    this.abort = new AbortController();
    this.call = null;
    this.build();
  }

  build() {
    this.title = el('h2', { class: 'room-title', text: '' });
    this.callState = el('span', { class: 'call-state', hidden: true, role: 'status' });
    this.callButton = el('button', { class: 'call-button', type: 'button', hidden: true, onclick: () => this.startCall() }, 'Join call');
    this.topBar = el('header', { class: 'top-bar' },
      el('button', { class: 'back-button', type: 'button', 'aria-label': 'Back to conversations', onclick: () => this.onBack() }, '‹'),
      this.title, this.callState, this.callButton);
    this.notice = el('div', { class: 'notice', hidden: true, role: 'alert' });
    this.list = el('ol', { class: 'messages', 'aria-live': 'polite' });
    this.scroller = el('div', { class: 'scroller' }, el('div', { class: 'history-end', hidden: true, text: 'Beginning of the conversation' }), this.list);
    this.scroller.addEventListener('scroll', () => this.onScroll());
    this.replyBar = el('div', { class: 'reply-bar', hidden: true });
    this.input = el('textarea', { class: 'composer-input', rows: 1, placeholder: 'Write a message…', 'aria-label': 'Message' });
    this.input.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.input.addEventListener('input', () => this.fitInput());
    this.sendButton = el('button', { class: 'send-button', type: 'submit' }, 'Send');
    this.composer = el('form', { class: 'composer', onsubmit: (event) => { event.preventDefault(); this.send(); } },
      this.input, this.sendButton);
    const composerWrap = el('div', { class: 'composer-wrap' }, this.replyBar, this.composer);
    this.mentions = new MentionPicker(this.input, this.token, composerWrap);
    this.chatArea = el('section', { class: 'chat-area' }, this.notice, this.scroller, composerWrap);
    this.callArea = el('section', { class: 'call-area', hidden: true });
    this.root = el('div', { class: 'chat-view', dataset: { token: this.token } }, this.topBar, this.chatArea, this.callArea);
    this.container.replaceChildren(this.root);
  }

  // `joined`: the room object when the caller has just joined (the guest entry does), else null.
  async start(joined = null) {
    try {
      let room = joined;
      if (!room) {
        ({ data: room } = await ocs('POST', `v4/room/${this.token}/participants/active`, { force: true }, { signal: this.abort.signal }));
      }
      this.updateRoom(room);
    } catch (error) {
      if (this.closed) return;
      this.fail(error, 'This conversation could not be opened.');
      return;
    }
    await this.loadOlder();
    this.markRead();
    this.poll();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    if (this.call) this.call.close();
    this.abort.abort();
    ocs('DELETE', `v4/room/${this.token}/participants/active`, null, { keepalive: true }).catch(() => {});
  }

  fail(error, fallback) {
    let text = fallback;
    if (error instanceof OcsError && error.status === 404) text = 'This conversation does not exist, or you are no longer a participant.';
    else if (error instanceof OcsError && error.status === 412) text = 'You are waiting in the lobby.';
    this.showNotice(text);
    this.composer.hidden = true;
    if (this.onGone && error instanceof OcsError && error.status === 404) this.onGone(this.token);
  }

  showNotice(text) {
    this.notice.textContent = text;
    this.notice.hidden = !text;
  }

  updateRoom(room) {
    if (!room || room.token !== this.token) return;
    const hadCall = this.room ? this.room.hasCall : false;
    this.room = room;
    this.title.textContent = room.displayName || room.name || '';
    document.title = `${this.title.textContent} · Causerie`;
    const canChat = (room.permissions & 128) !== 0 && !room.readOnly;
    this.composer.hidden = !canChat;
    this.callButton.hidden = !(room.objectType === 'external_call') || (this.call && this.call.mounted);
    if (room.hasCall !== hadCall || room.hasCall) this.refreshCallState();
    if (this.onRoomChanged) this.onRoomChanged(room);
  }

  async refreshCallState() {
    if (!this.room || !this.room.hasCall) {
      this.callState.hidden = true;
      this.callState.textContent = '';
      return;
    }
    let names = [];
    try {
      const { data } = await ocs('GET', `v4/room/${this.token}/participants`, null, { signal: this.abort.signal });
      names = (data || []).filter((p) => p.inCall > 0).map((p) => p.displayName || 'Guest');
    } catch {
      names = [];
    }
    this.callState.textContent = names.length ? `In call: ${names.join(', ')}` : 'Call in progress';
    this.callState.hidden = false;
  }

  async reloadRoom() {
    try {
      const { data } = await ocs('GET', `v4/room/${this.token}`, null, { signal: this.abort.signal });
      this.updateRoom(data);
    } catch {
      // The list refresh will bring it later.
    }
  }

  // --- history and long-poll ---

  async loadOlder() {
    if (this.loadingOlder || !this.hasOlder || this.closed) return;
    this.loadingOlder = true;
    try {
      const params = { lookIntoFuture: 0, limit: PAGE, setReadMarker: 0, includeLastKnown: 0 };
      if (this.oldestKnown) params.lastKnownMessageId = this.oldestKnown;
      const response = await ocs('GET', `v1/chat/${this.token}?${new URLSearchParams(params)}`, null, { signal: this.abort.signal });
      const batch = response.data || [];
      const given = Number(response.headers.get('X-Chat-Last-Given') || 0);
      if (response.status === 304 || batch.length === 0) {
        this.hasOlder = false;
      } else {
        if (given) this.oldestKnown = given;
        else this.oldestKnown = Math.min(...batch.map((m) => m.id));
        if (!this.newestKnown) this.newestKnown = Math.max(...batch.map((m) => m.id));
        this.hasOlder = batch.length >= PAGE;
        this.prepend(batch);
      }
      this.scroller.querySelector('.history-end').hidden = this.hasOlder;
    } catch (error) {
      if (!this.closed) this.fail(error, 'The messages could not be loaded.');
      this.hasOlder = false;
    } finally {
      this.loadingOlder = false;
    }
    // Keep loading until the view can scroll, so that scrolling up can ask for more.
    if (this.hasOlder && !this.closed && this.scroller.scrollHeight <= this.scroller.clientHeight) {
      await this.loadOlder();
    }
  }

  onScroll() {
    if (this.scroller.scrollTop < 120) this.loadOlder();
    if (this.atBottom()) this.markRead();
  }

  atBottom() {
    return this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 40;
  }

  async poll() {
    let failures = 0;
    while (!this.closed) {
      const visible = document.visibilityState === 'visible';
      const params = {
        lookIntoFuture: 1,
        limit: 100,
        timeout: POLL_TIMEOUT,
        lastKnownMessageId: this.newestKnown,
        setReadMarker: visible && this.atBottom() ? 1 : 0,
        markNotificationsAsRead: visible ? 1 : 0,
      };
      try {
        const response = await ocs('GET', `v1/chat/${this.token}?${new URLSearchParams(params)}`, null, { signal: this.abort.signal });
        failures = 0;
        if (response.status === 304) continue;
        const batch = response.data || [];
        const given = Number(response.headers.get('X-Chat-Last-Given') || 0);
        if (batch.length) this.append(batch);
        this.newestKnown = Math.max(this.newestKnown, given, ...batch.map((m) => m.id));
      } catch (error) {
        if (this.closed) return;
        if (error instanceof OcsError && (error.status === 404 || error.status === 412)) {
          this.fail(error, '');
          return;
        }
        failures += 1;
        await sleep(Math.min(30000, 1000 * 2 ** Math.min(failures, 5)), this.abort.signal);
      }
    }
  }

  // --- rendering ---

  prepend(batch) {
    const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
    const wasEmpty = this.messages.size === 0;
    const nodes = [];
    for (const message of [...batch].sort((a, b) => a.id - b.id)) {
      const node = this.remember(message);
      if (node) nodes.push(node);
    }
    this.list.prepend(...nodes);
    if (wasEmpty) this.scrollToBottom();
    else this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
  }

  append(batch) {
    const stick = this.atBottom();
    let callChanged = false;
    for (const message of [...batch].sort((a, b) => a.id - b.id)) {
      if (message.systemMessage && CALL_SYSTEM_MESSAGES.has(message.systemMessage)) callChanged = true;
      if ((message.systemMessage === 'message_deleted' || message.systemMessage === 'message_edited') && message.parent) {
        this.replace(message.parent);
      }
      const node = this.remember(message);
      if (node) this.list.append(node);
    }
    if (stick) this.scrollToBottom();
    if (callChanged) this.reloadRoom();
    this.markRead();
  }

  remember(message) {
    if (this.messages.has(message.id)) return null;
    this.messages.set(message.id, message);
    this.newestSeen = Math.max(this.newestSeen, message.id);
    return this.render(message);
  }

  replace(message) {
    if (!this.messages.has(message.id)) return;
    this.messages.set(message.id, message);
    const old = this.list.querySelector(`[data-id="${message.id}"]`);
    const node = this.render(message);
    if (old && node) old.replaceWith(node);
  }

  render(message) {
    if (message.messageType === 'system') {
      if (HIDDEN_SYSTEM_MESSAGES.has(message.systemMessage)) return null;
      return el('li', { class: 'system-message', dataset: { id: message.id, system: message.systemMessage } },
        el('span', { class: 'system-text' }, richFragment(message, this.selfId())),
        el('time', { class: 'time', text: clockTime(message.timestamp) }));
    }
    const author = message.actorDisplayName || (message.actorType === 'guests' ? 'Guest' : message.actorId);
    const own = this.isOwn(message);
    const body = el('div', { class: message.messageType === 'comment_deleted' ? 'body deleted' : 'body' },
      richFragment(message, this.selfId()));
    const quote = message.parent && !message.parent.deleted
      ? el('blockquote', { class: 'quote' }, el('span', { class: 'quote-author', text: message.parent.actorDisplayName || 'Guest' }),
        el('span', { class: 'quote-text', text: plainText(message.parent) }))
      : null;
    const reply = message.isReplyable
      ? el('button', { class: 'reply-button', type: 'button', title: 'Reply', 'aria-label': `Reply to ${author}`, onclick: () => this.setReply(message) }, '↩')
      : null;
    return el('li', { class: own ? 'message own' : 'message', dataset: { id: message.id, actor: `${message.actorType}/${message.actorId}` } },
      avatar(author, message.actorId),
      el('div', { class: 'bubble' },
        el('div', { class: 'meta' }, el('span', { class: 'author', text: author }), el('time', { class: 'time', text: clockTime(message.timestamp) })),
        quote, body),
      reply);
  }

  selfId() {
    if (config.user) return config.user.id;
    return this.room && this.room.actorType === 'guests' ? `guest/${this.room.actorId}` : null;
  }

  isOwn(message) {
    return Boolean(this.room) && message.actorType === this.room.actorType && message.actorId === this.room.actorId;
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  // --- read marker ---

  markRead() {
    if (!config.user || !this.room || this.closed || document.visibilityState !== 'visible') return;
    const newest = this.newestSeen;
    if (!this.atBottom() || newest <= this.lastReadSent) return;
    if (newest <= (this.room.lastReadMessage || 0) && this.room.unreadMessages === 0) return;
    this.lastReadSent = newest;
    ocs('POST', `v1/chat/${this.token}/read`, { lastReadMessage: newest }, { signal: this.abort.signal })
      .then(({ data }) => { if (data && data.token) this.updateRoom(data); })
      .catch(() => { this.lastReadSent = 0; });
  }

  // --- composer ---

  onKeyDown(event) {
    if (this.mentions.onKeyDown(event)) {
      event.preventDefault();
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.send();
    } else if (event.key === 'Escape' && this.replyTo) {
      this.setReply(null);
    }
  }

  fitInput() {
    this.input.style.height = 'auto';
    this.input.style.height = `${this.input.scrollHeight + 2}px`;
  }

  setReply(message) {
    this.replyTo = message;
    if (!message) {
      this.replyBar.hidden = true;
      this.replyBar.replaceChildren();
      return;
    }
    this.replyBar.replaceChildren(
      el('span', { class: 'reply-label', text: `Replying to ${message.actorDisplayName || 'Guest'}: ` }),
      el('span', { class: 'reply-text', text: plainText(message) }),
      el('button', { class: 'reply-cancel', type: 'button', 'aria-label': 'Cancel reply', onclick: () => this.setReply(null) }, '×'));
    this.replyBar.hidden = false;
    this.input.focus();
  }

  async send() {
    const text = this.input.value;
    if (!text.trim() || this.sending) return;
    this.sending = true;
    const params = { message: text, referenceId: randomHex(32) };
    if (this.replyTo) params.replyTo = this.replyTo.id;
    try {
      const { data } = await ocs('POST', `v1/chat/${this.token}`, params, { signal: this.abort.signal });
      this.input.value = '';
      this.fitInput();
      this.setReply(null);
      this.showNotice('');
      if (data && data.id) {
        this.append([data]);
        this.scrollToBottom();
      }
    } catch (error) {
      if (this.closed) return;
      let text = 'The message could not be sent.';
      if (error instanceof OcsError && error.status === 413) text = 'The message is too long.';
      else if (error instanceof OcsError && error.reason === 'reply-to') text = 'You cannot reply to this message.';
      else if (error instanceof OcsError && error.status === 403) text = 'You are not allowed to write here.';
      this.showNotice(text);
    } finally {
      this.sending = false;
    }
  }

  // --- external call ---

  startCall() {
    if (!this.call) {
      this.call = new ExternalCall(this, config.frameOrigins || []);
    }
    this.call.open();
  }

  showCall(shown) {
    this.root.classList.toggle('in-call', shown);
    this.callArea.hidden = !shown;
    this.topBar.hidden = shown;
    this.chatArea.hidden = shown;
    if (!shown) {
      this.callButton.hidden = !(this.room && this.room.objectType === 'external_call');
      this.scrollToBottom();
    }
  }
}
