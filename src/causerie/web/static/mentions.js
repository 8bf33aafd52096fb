// "@" autocomplete in the composer, fed by GET /chat/{token}/mentions.

import { ocs } from './api.js';
import { avatar, el } from './dom.js';

// The "@word" being typed right before the caret (also `@"two words` while a quote is open).
const TYPING = /(?:^|\s)@("[^"]*|[^\s@"]*)$/;

export function mentionText(candidate) {
  const id = candidate.mentionId || candidate.id;
  return /[\s/]/.test(id) ? `@"${id}"` : `@${id}`;
}

export class MentionPicker {
  constructor(textarea, token, anchor) {
    this.textarea = textarea;
    this.token = token;
    this.list = el('ul', { class: 'mention-popup', role: 'listbox', hidden: true, 'aria-label': 'Mention someone' });
    anchor.append(this.list);
    this.items = [];
    this.active = 0;
    this.query = null;
    this.request = 0;
    this.timer = null;
    textarea.addEventListener('input', () => this.onInput());
    textarea.addEventListener('blur', () => setTimeout(() => this.hide(), 150));
  }

  get open() {
    return !this.list.hidden && this.items.length > 0;
  }

  onInput() {
    const before = this.textarea.value.slice(0, this.textarea.selectionStart);
    const match = TYPING.exec(before);
    if (!match) {
      this.hide();
      return;
    }
    this.query = { text: match[1].replace(/^"/, ''), start: before.length - match[1].length - 1 };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.search(this.query.text), 120);
  }

  async search(text) {
    const request = ++this.request;
    let data;
    try {
      ({ data } = await ocs('GET', `v1/chat/${this.token}/mentions`, { search: text, limit: '10', includeStatus: '0' }));
    } catch {
      return;
    }
    if (request !== this.request || !this.query) return;
    this.items = Array.isArray(data) ? data : [];
    this.active = 0;
    this.render();
  }

  render() {
    this.list.replaceChildren(...this.items.map((item, index) => el('li', {
      class: index === this.active ? 'mention-option active' : 'mention-option',
      role: 'option',
      'aria-selected': index === this.active ? 'true' : 'false',
      dataset: { mentionId: item.mentionId || item.id },
      onmousedown: (event) => { event.preventDefault(); this.choose(index); },
    }, avatar(item.label, item.id), el('span', { class: 'mention-label', text: item.label }),
    el('span', { class: 'mention-detail', text: item.details || (item.source === 'users' ? item.id : '') }))));
    this.list.hidden = this.items.length === 0;
  }

  hide() {
    this.list.hidden = true;
    this.items = [];
    this.query = null;
    this.request += 1;
  }

  // Returns true when the key was used by the picker.
  onKeyDown(event) {
    if (!this.open) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      const step = event.key === 'ArrowDown' ? 1 : -1;
      this.active = (this.active + step + this.items.length) % this.items.length;
      this.render();
      return true;
    }
    if (event.key === 'Enter' || event.key === 'Tab') {
      this.choose(this.active);
      return true;
    }
    if (event.key === 'Escape') {
      this.hide();
      return true;
    }
    return false;
  }

  choose(index) {
    const item = this.items[index];
    if (!item || !this.query) return;
    const value = this.textarea.value;
    const caret = this.textarea.selectionStart;
    const inserted = `${mentionText(item)} `;
    this.textarea.value = value.slice(0, this.query.start) + inserted + value.slice(caret);
    const position = this.query.start + inserted.length;
    this.textarea.setSelectionRange(position, position);
    this.hide();
    this.textarea.focus();
  }
}
