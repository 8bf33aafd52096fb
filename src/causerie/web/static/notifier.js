// Browser notifications while the page is open: a new message that mentions the user or comes in a
// one-to-one conversation, unless that conversation is open in front of them. Off until asked for.

import { config } from './api.js';
import { summary } from './richtext.js';

const KEY = 'causerie.notifications';
const ONE_TO_ONE = 1;
const LEVEL_NEVER = 3;

export class Notifier {
  constructor(button, openRoom) {
    this.button = button;
    this.openRoom = openRoom;
    this.supported = typeof window.Notification === 'function';
    if (!this.supported || !button) return;
    button.hidden = false;
    button.addEventListener('click', () => this.toggle());
    this.render();
  }

  get enabled() {
    return this.supported && localStorage.getItem(KEY) === 'on' && Notification.permission === 'granted';
  }

  async toggle() {
    if (this.enabled) {
      localStorage.setItem(KEY, 'off');
    } else {
      const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
      localStorage.setItem(KEY, permission === 'granted' ? 'on' : 'off');
    }
    this.render();
  }

  render() {
    const on = this.enabled;
    this.button.setAttribute('aria-pressed', String(on));
    this.button.textContent = on ? 'Notifications on' : 'Notifications off';
    this.button.title = Notification.permission === 'denied' ? 'The browser blocks notifications for this site' : '';
  }

  // Called with the conversation list before and after a refresh.
  compare(before, after, openToken) {
    if (!this.enabled || before.size === 0) return;
    for (const room of after.values()) {
      const old = before.get(room.token);
      if (!old || room.token === openToken || room.notificationLevel === LEVEL_NEVER) continue;
      if ((room.unreadMessages || 0) <= (old.unreadMessages || 0)) continue;
      const last = room.lastMessage;
      if (!(room.type === ONE_TO_ONE || (room.unreadMention && !old.unreadMention) || mentionsMe(last))) continue;
      if (!last || (config.user && last.actorType === 'users' && last.actorId === config.user.id)) continue;
      const author = last.actorDisplayName || 'Someone';
      const body = room.type === ONE_TO_ONE ? summary(last) : `${author}: ${summary(last)}`;
      const note = new Notification(room.displayName, { body, tag: `causerie-${room.token}`, icon: '/apps/spreed/img/app-dark.svg' });
      note.addEventListener('click', () => {
        window.focus();
        this.openRoom(room.token);
        note.close();
      });
    }
  }
}

function mentionsMe(message) {
  const params = message && message.messageParameters && !Array.isArray(message.messageParameters) ? message.messageParameters : {};
  return Object.values(params).some((param) => param && (param.type === 'call' || (param.type === 'user' && config.user && param.id === config.user.id)));
}
