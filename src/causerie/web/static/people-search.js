// Finding users and groups: Nextcloud's autocomplete (core/autocomplete/get), as Talk's web UI uses it.

import { config } from './api.js';
import { avatar, el } from './dom.js';

export async function searchPeople(term, { token = '', shareTypes = [0, 1], signal } = {}) {
  const params = new URLSearchParams({ search: term, itemType: 'call', itemId: token, limit: '20' });
  for (const type of shareTypes) params.append('shareTypes[]', String(type));
  const response = await fetch(`/ocs/v2.php/core/autocomplete/get?${params}`, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json', requesttoken: config.requestToken },
    signal,
  });
  if (!response.ok) return [];
  const body = await response.json().catch(() => null);
  const data = body && body.ocs ? body.ocs.data : null;
  return Array.isArray(data) ? data : [];
}

// A search field with its results as a list of buttons; `onPick(item)` for the chosen one.
export class PeopleSearch {
  constructor({ label, token = '', shareTypes = [0, 1], exclude = () => false, onPick }) {
    this.token = token;
    this.shareTypes = shareTypes;
    this.exclude = exclude;
    this.onPick = onPick;
    this.input = el('input', { type: 'search', 'aria-label': label, placeholder: label, autocomplete: 'off' });
    this.results = el('ul', { class: 'people-results', 'aria-label': 'Search results' });
    this.node = el('div', { class: 'people-search' }, this.input, this.results);
    this.request = 0;
    this.input.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), 200);
    });
  }

  async search() {
    const term = this.input.value.trim();
    const mine = ++this.request;
    if (!term) {
      this.results.replaceChildren();
      return;
    }
    const found = await searchPeople(term, { token: this.token, shareTypes: this.shareTypes }).catch(() => []);
    if (mine !== this.request) return;
    const items = found.filter((item) => !this.exclude(item));
    this.results.replaceChildren(...items.map((item) => el('li', {},
      el('button', { type: 'button', class: 'person-option', dataset: { id: item.id, source: item.source },
        onclick: () => this.onPick(item) },
      avatar(item.label, item.id), el('span', { class: 'person-label', text: item.label }),
      el('span', { class: 'person-detail', text: item.source === 'groups' ? 'Group' : item.id })))));
    if (!items.length) this.results.append(el('li', { class: 'muted', text: 'Nobody found.' }));
  }

  clear() {
    this.input.value = '';
    this.results.replaceChildren();
  }
}
