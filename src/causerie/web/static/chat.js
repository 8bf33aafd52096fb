// One open conversation: history (older pages on scroll up), new messages by long-poll, composer.

import { config, ocs, OcsError, randomHex, sleep } from './api.js';
import { ExternalCall } from './call.js';
import { confirmDialog } from './dialog.js';
import { avatar, clockTime, el } from './dom.js';
import { icon } from './icons.js';
import { pickEmoji, reactionRow } from './emoji.js';
import { MentionPicker } from './mentions.js';
import { participantsDialog } from './participants.js';
import { CALL_SYSTEM_MESSAGES, HIDDEN_SYSTEM_MESSAGES, richFragment, summary } from './richtext.js';
import { decorate } from './timeline.js';

// System messages whose `parent` is a message shown again with its new state.
const UPDATES_PARENT = new Set(['message_deleted', 'message_edited', 'reaction', 'reaction_deleted', 'reaction_revoked']);
const MODERATOR_TYPES = new Set([1, 2]);

const PAGE = 50;
const POLL_TIMEOUT = 30;

export class ChatView {
  constructor(container, token, { onBack, onRoomChanged, onGone, onSettings = null }) {
    this.onSettings = onSettings;
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
    this.editing = null;
    this.unreadAfter = null;
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
      this.title, this.callState, this.callButton,
      config.user ? el('button', { class: 'icon-button settings-button room-tool', type: 'button', disabled: true, 'aria-label': 'Participants', title: 'Participants', onclick: () => { if (this.room) participantsDialog(this.room); } }, icon('people')) : null,
      this.onSettings ? el('button', { class: 'icon-button settings-button room-tool', type: 'button', disabled: true, 'aria-label': 'Conversation settings', title: 'Conversation settings', onclick: () => { if (this.room) this.onSettings(this.room); } }, icon('settings')) : null);
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
      // The divider stays where the unread messages began when the conversation was opened.
      this.unreadAfter = room.unreadMessages > 0 ? room.lastReadMessage || 0 : 0;
    } catch (error) {
      if (this.closed) return;
      this.fail(error, 'This conversation could not be opened.');
      return;
    }
    await this.loadOlder();
    await this.showLinkedMessage();
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
    // The room's tools wait for the room: they need to know the caller's role in it.
    for (const tool of this.topBar.querySelectorAll('.room-tool')) tool.disabled = false;
    this.title.textContent = room.displayName || room.name || '';
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
    this.decorate();
    if (wasEmpty) this.scrollToBottom();
    else this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
  }

  append(batch) {
    const stick = this.atBottom();
    let callChanged = false;
    for (const message of [...batch].sort((a, b) => a.id - b.id)) {
      if (message.systemMessage && CALL_SYSTEM_MESSAGES.has(message.systemMessage)) callChanged = true;
      if (UPDATES_PARENT.has(message.systemMessage) && message.parent) this.replace(message.parent);
      const node = this.remember(message);
      if (node) this.list.append(node);
    }
    this.decorate();
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
    if (this.editing && this.editing.id === message.id && message.messageType === 'comment_deleted') this.setEditing(null);
  }

  decorate() {
    decorate(this.list, this.unreadAfter);
  }

  // `/call/TOKEN#message_ID` (the link "Copy link" gives) shows that message.
  async showLinkedMessage() {
    const match = /^#message_(\d+)$/.exec(window.location.hash);
    if (!match) return;
    const wanted = Number(match[1]);
    // Older pages until the message is there (or the history ends).
    for (let page = 0; page < 40 && !this.closed && this.hasOlder && !this.messages.has(wanted) && wanted < this.oldestKnown; page += 1) {
      await this.loadOlder();
    }
    const node = this.list.querySelector(`[data-id="${wanted}"]`);
    if (!node) return;
    for (const old of this.list.querySelectorAll('.highlight')) old.classList.remove('highlight');
    node.classList.add('highlight');
    node.scrollIntoView({ block: 'center' });
  }

  render(message) {
    if (message.messageType === 'system') {
      if (HIDDEN_SYSTEM_MESSAGES.has(message.systemMessage)) return null;
      return el('li', { class: 'system-message', dataset: { id: message.id, ts: message.timestamp, system: message.systemMessage } },
        el('span', { class: 'system-text' }, richFragment(message, this.selfId())),
        el('time', { class: 'time', text: clockTime(message.timestamp) }));
    }
    const author = message.actorDisplayName || (message.actorType === 'guests' ? 'Guest' : message.actorId);
    const own = this.isOwn(message);
    const deleted = message.messageType === 'comment_deleted';
    const body = el('div', { class: deleted ? 'body deleted' : 'body' }, richFragment(message, this.selfId()));
    const quote = message.parent && !message.parent.deleted
      ? el('blockquote', { class: 'quote' }, el('span', { class: 'quote-author', text: message.parent.actorDisplayName || 'Guest' }),
        el('span', { class: 'quote-text', text: summary(message.parent) }))
      : null;
    const edited = message.lastEditTimestamp ? el('span', { class: 'edited', text: '(edited)' }) : null;
    return el('li', { class: own ? 'message own' : 'message', dataset: { id: message.id, ts: message.timestamp, actor: `${message.actorType}/${message.actorId}` } },
      avatar(author, message.actorId),
      el('div', { class: 'bubble' },
        el('div', { class: 'meta' }, el('span', { class: 'author', text: author }), el('time', { class: 'time', text: clockTime(message.timestamp) }), edited),
        quote, body, deleted ? null : reactionRow(message, (emoji, mine) => this.react(message.id, emoji, mine))),
      deleted ? null : this.actions(message, author, own));
  }

  actions(message, author, own) {
    const buttons = [];
    const canChat = this.room && (this.room.permissions & 128) !== 0 && !this.room.readOnly;
    if (canChat && message.isReplyable) {
      const react = el('button', { class: 'action react-button', type: 'button', title: 'React', 'aria-label': `React to ${author}`,
        onclick: async () => {
          const emoji = await pickEmoji(react);
          if (emoji) this.react(message.id, emoji, (message.reactionsSelf || []).includes(emoji));
        } }, icon('react'));
      buttons.push(react);
      buttons.push(el('button', { class: 'action reply-button', type: 'button', title: 'Reply', 'aria-label': `Reply to ${author}`, onclick: () => this.setReply(message) }, icon('reply')));
    }
    if (config.user) {
      buttons.push(el('button', { class: 'action link-button-copy', type: 'button', title: 'Copy link', 'aria-label': `Copy link: ${author}`, onclick: (event) => this.copyLink(message, event.currentTarget) }, icon('link')));
    }
    if (own && canChat && message.messageType === 'comment' && !message.messageParameters?.file) {
      buttons.push(el('button', { class: 'action edit-button', type: 'button', title: 'Edit', 'aria-label': 'Edit', onclick: () => this.setEditing(message) }, icon('edit')));
    }
    const moderator = this.room && MODERATOR_TYPES.has(this.room.participantType);
    if ((own || moderator) && message.messageType === 'comment' && config.user) {
      buttons.push(el('button', { class: 'action delete-button', type: 'button', title: 'Delete', 'aria-label': 'Delete', onclick: () => this.remove(message) }, icon('delete')));
    }
    return buttons.length ? el('div', { class: 'message-actions', role: 'toolbar', 'aria-label': 'Actions' }, buttons) : null;
  }

  async react(messageId, emoji, mine) {
    try {
      const { data } = await ocs(mine ? 'DELETE' : 'POST', `v1/reaction/${this.token}/${messageId}`, { reaction: emoji }, { signal: this.abort.signal });
      const message = this.messages.get(messageId);
      if (message) {
        const self = new Set(message.reactionsSelf || []);
        if (mine) self.delete(emoji);
        else self.add(emoji);
        const counts = {};
        for (const [key, list] of Object.entries(data && !Array.isArray(data) ? data : {})) counts[key] = list.length;
        this.replace({ ...message, reactions: counts, reactionsSelf: [...self] });
      }
    } catch (error) {
      if (!this.closed) this.showNotice('The reaction could not be saved.');
    }
  }

  async copyLink(message, button) {
    const link = `${window.location.origin}/call/${this.token}#message_${message.id}`;
    try {
      await navigator.clipboard.writeText(link);
      this.flash(button, 'Link copied');
    } catch {
      this.showNotice(`Link to the message: ${link}`);
    }
  }

  flash(button, text) {
    const note = el('span', { class: 'toast', role: 'status', text });
    this.root.append(note);
    setTimeout(() => note.remove(), 2500);
    if (button) button.focus();
  }

  async remove(message) {
    const sure = await confirmDialog('Delete message', 'Delete this message for everyone?', 'Delete');
    if (!sure) return;
    try {
      const { data } = await ocs('DELETE', `v1/chat/${this.token}/${message.id}`, null, { signal: this.abort.signal });
      if (data && data.parent) this.replace(data.parent);
    } catch (error) {
      if (!this.closed) this.showNotice('The message could not be deleted.');
    }
  }

  setEditing(message) {
    this.editing = message;
    if (!message) {
      this.replyBar.hidden = true;
      this.replyBar.replaceChildren();
      this.input.value = '';
      this.fitInput();
      this.sendButton.textContent = 'Send';
      return;
    }
    this.replyTo = null;
    this.replyBar.replaceChildren(
      el('span', { class: 'reply-label', text: 'Editing message' }),
      el('span', { class: 'reply-text' }),
      el('button', { class: 'reply-cancel', type: 'button', 'aria-label': 'Cancel editing', onclick: () => this.setEditing(null) }, '×'));
    this.replyBar.hidden = false;
    this.input.value = rawText(message);
    this.sendButton.textContent = 'Save';
    this.fitInput();
    this.input.focus();
  }

  async saveEdit() {
    const text = this.input.value;
    const message = this.editing;
    if (!text.trim() || this.sending || !message) return;
    this.sending = true;
    try {
      const { data } = await ocs('PUT', `v1/chat/${this.token}/${message.id}`, { message: text }, { signal: this.abort.signal });
      if (data && data.parent) this.replace(data.parent);
      this.setEditing(null);
      this.showNotice('');
    } catch (error) {
      if (!this.closed) this.showNotice('The message could not be edited.');
    } finally {
      this.sending = false;
    }
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
    } else if (event.key === 'Escape' && this.editing) {
      this.setEditing(null);
    } else if (event.key === 'Escape' && this.replyTo) {
      this.setReply(null);
    }
  }

  fitInput() {
    this.input.style.height = 'auto';
    this.input.style.height = `${this.input.scrollHeight + 2}px`;
  }

  setReply(message) {
    if (message && this.editing) this.setEditing(null);
    this.replyTo = message;
    if (!message) {
      this.replyBar.hidden = true;
      this.replyBar.replaceChildren();
      return;
    }
    this.replyBar.replaceChildren(
      el('span', { class: 'reply-label', text: `Replying to ${message.actorDisplayName || 'Guest'}: ` }),
      el('span', { class: 'reply-text', text: summary(message) }),
      el('button', { class: 'reply-cancel', type: 'button', 'aria-label': 'Cancel reply', onclick: () => this.setReply(null) }, '×'));
    this.replyBar.hidden = false;
    this.input.focus();
  }

  async send() {
    if (this.editing) {
      await this.saveEdit();
      return;
    }
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

// The text as it was typed: mentions back to "@id", other placeholders to their names.
function rawText(message) {
  const params = message.messageParameters && !Array.isArray(message.messageParameters) ? message.messageParameters : {};
  return String(message.message || '').replace(/\{([A-Za-z0-9_-]+)\}/g, (whole, key) => {
    const param = params[key];
    if (!param) return whole;
    if (param.type === 'user' || param.type === 'guest' || param.type === 'call' || param.type === 'user-group' || param.type === 'group') {
      const id = param['mention-id'] || param.id;
      return /[\s/]/.test(id) ? `@"${id}"` : `@${id}`;
    }
    return param.name || whole;
  });
}
