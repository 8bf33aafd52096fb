// The chat page: conversation list on the left (or alone on narrow screens), the open chat on the right.

import { config, ocs, OcsError } from './api.js';
import { ChatView } from './chat.js';
import { browseDialog, newConversationDialog } from './conversations.js';
import { avatar, el } from './dom.js';
import { askGuestName } from './guest.js';
import { Notifier } from './notifier.js';
import { summary } from './richtext.js';
import { roomSettingsDialog } from './room-settings.js';

const LIST_REFRESH_MS = 5000;

class App {
  constructor() {
    this.body = document.body;
    this.listNode = document.getElementById('room-list');
    this.main = document.getElementById('main');
    this.rooms = new Map();
    this.chat = null;
    this.guest = config.mode === 'guest';
    this.body.classList.toggle('guest', this.guest);
    this.search = document.getElementById('room-search');
    this.showArchived = false;
    this.archivedButton = document.getElementById('show-archived');
    this.emptyNote = document.getElementById('room-list-empty');
    this.notifier = this.guest ? null : new Notifier(document.getElementById('notify-toggle'), (token) => this.open(token, { push: true }));
  }

  bindSidebar() {
    this.search.addEventListener('input', () => this.renderList());
    this.search.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.search.value) {
        this.search.value = '';
        this.renderList();
      }
    });
    document.getElementById('new-conversation').addEventListener('click', async () => {
      const room = await newConversationDialog();
      if (room && room.token) {
        this.rooms.set(room.token, room);
        this.open(room.token, { push: true });
      }
    });
    document.getElementById('browse-rooms').addEventListener('click', async () => {
      const token = await browseDialog();
      if (token) this.open(token, { push: true });
    });
    this.archivedButton.addEventListener('click', () => {
      this.showArchived = !this.showArchived;
      this.archivedButton.setAttribute('aria-pressed', String(this.showArchived));
      this.archivedButton.textContent = this.showArchived ? 'Back to conversations' : 'Archived';
      this.renderList();
    });
  }

  async openSettings(room) {
    const outcome = await roomSettingsDialog(room, { onChanged: (changed) => {
      this.rooms.set(changed.token, changed);
      if (this.chat && this.chat.token === changed.token) this.chat.updateRoom(changed);
      this.renderList();
    } });
    if (outcome === 'left' || outcome === 'deleted') {
      this.rooms.delete(room.token);
      if (this.chat && this.chat.token === room.token) this.back();
      this.renderList();
    }
  }

  updateTitle() {
    let unread = 0;
    for (const room of this.rooms.values()) if (room.unreadMessages > 0 && !room.isArchived) unread += 1;
    const name = this.chat && this.chat.room ? `${this.chat.room.displayName} · ` : '';
    document.title = `${unread > 0 ? `(${unread}) ` : ''}${name}Causerie`;
  }

  async start() {
    window.addEventListener('popstate', () => this.route());
    window.addEventListener('hashchange', () => { if (this.chat) this.chat.showLinkedMessage(); });
    window.addEventListener('pagehide', () => { if (this.chat) this.chat.close(); });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') {
        this.refresh();
        if (this.chat) this.chat.markRead();
      }
    });
    if (this.guest) {
      const room = await askGuestName(this.main, config.token);
      this.rooms.set(room.token, room);
      this.open(config.token, { push: false, joined: room });
    } else {
      this.bindSidebar();
      await this.refresh();
      this.route();
    }
    this.timer = setInterval(() => this.refresh(), LIST_REFRESH_MS);
  }

  route() {
    const match = /^\/call\/([A-Za-z0-9]+)$/.exec(window.location.pathname);
    if (match) this.open(match[1], { push: false });
    else this.closeChat();
  }

  async refresh() {
    try {
      if (this.guest) {
        if (!this.chat) return;
        const { data } = await ocs('GET', `v4/room/${this.chat.token}`);
        this.rooms.set(data.token, data);
        this.chat.updateRoom(data);
        return;
      }
      const { data } = await ocs('GET', 'v4/room', { includeLastMessage: 'true', noStatusUpdate: '1' });
      const previous = this.rooms;
      this.rooms = new Map((data || []).map((room) => [room.token, room]));
      if (this.notifier) this.notifier.compare(previous, this.rooms, this.chat && document.visibilityState === 'visible' ? this.chat.token : null);
      this.renderList();
      if (this.chat && this.rooms.has(this.chat.token)) this.chat.updateRoom(this.rooms.get(this.chat.token));
    } catch (error) {
      // Logged out elsewhere (or the session ended): 401, or 412 once the cookie is gone, since
      // the request token then matches no session. Back to the login form, then here again.
      if (error instanceof OcsError && (error.status === 401 || error.status === 412) && !this.guest) {
        window.location.assign(`/login?redirect_url=${encodeURIComponent(window.location.pathname)}`);
      }
      // Otherwise offline for a moment: the next refresh tries again.
    }
  }

  renderList() {
    this.updateTitle();
    if (this.guest) return;
    const term = this.search.value.trim().toLocaleLowerCase();
    const all = [...this.rooms.values()];
    const archived = all.filter((room) => room.isArchived).length;
    this.archivedButton.hidden = archived === 0 && !this.showArchived;
    const rooms = all
      .filter((room) => Boolean(room.isArchived) === this.showArchived)
      .filter((room) => !term || String(room.displayName || '').toLocaleLowerCase().includes(term))
      .sort((a, b) => (b.isFavorite - a.isFavorite) || (b.lastActivity - a.lastActivity));
    const active = this.chat ? this.chat.token : null;
    this.listNode.replaceChildren(...rooms.map((room) => this.roomItem(room, room.token === active)));
    this.emptyNote.textContent = term ? 'No conversation matches.' : (this.showArchived ? 'No archived conversations.' : 'No conversations yet: start one with +.');
    this.emptyNote.hidden = rooms.length > 0;
  }

  roomItem(room, active) {
    const unread = room.unreadMessages || 0;
    const preview = room.lastMessage && room.lastMessage.message !== undefined ? summary(room.lastMessage) : '';
    const badge = unread > 0
      ? el('span', { class: room.unreadMention ? 'unread mention-badge' : 'unread', 'aria-label': `${unread} unread` }, room.unreadMention ? `@${unread}` : String(unread))
      : null;
    const callIcon = room.hasCall ? el('span', { class: 'in-call-icon', title: 'Call in progress', text: '●' }) : null;
    const favorite = room.isFavorite ? el('span', { class: 'favorite-star', title: 'Favorite', 'aria-label': 'Favorite', text: '★' }) : null;
    return el('li', { class: active ? 'room active' : 'room', dataset: { token: room.token } },
      el('a', { href: `/call/${room.token}`, 'aria-current': active ? 'page' : null, onclick: (event) => { event.preventDefault(); this.open(room.token, { push: true }); } },
        avatar(room.displayName, room.name),
        el('span', { class: 'room-text' },
          el('span', { class: unread ? 'room-name bold' : 'room-name', text: room.displayName }),
          el('span', { class: 'room-preview', text: preview })),
        favorite, callIcon, badge));
  }

  open(token, { push, joined = null }) {
    if (this.chat && this.chat.token === token) return;
    this.closeChat({ keepUrl: true });
    if (push) history.pushState({}, '', `/call/${token}`);
    this.body.classList.add('has-room');
    this.chat = new ChatView(this.main, token, {
      onBack: () => this.back(),
      onRoomChanged: (room) => this.roomChanged(room),
      onGone: (gone) => { this.rooms.delete(gone); this.renderList(); },
      onSettings: this.guest ? null : (room) => this.openSettings(room),
    });
    this.chat.start(joined);
    // Straight to writing, except on phones where focusing would cover the chat with the keyboard.
    if (!window.matchMedia('(max-width: 720px)').matches) this.chat.input.focus();
    this.renderList();
  }

  roomChanged(room) {
    if (this.guest) {
      this.updateTitle();
      return;
    }
    this.rooms.set(room.token, room);
    this.renderList();
  }

  back() {
    if (this.guest) return;
    history.pushState({}, '', '/apps/spreed');
    this.closeChat();
  }

  closeChat() {
    if (this.chat) this.chat.close();
    this.chat = null;
    this.body.classList.remove('has-room');
    if (!this.guest) {
      this.main.replaceChildren(el('div', { class: 'empty', text: 'Choose a conversation.' }));
      this.renderList();
    }
  }
}

new App().start();
