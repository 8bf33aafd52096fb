// Talk's rich object strings: `message` holds {placeholders}, `messageParameters` what they stand for.

import { linkNode, safeHref } from './links.js';
import { ATOM_END, ATOM_START, renderMarkdown } from './markdown.js';

const PLACEHOLDER = /\{([A-Za-z0-9_-]+)\}/g;
const MENTION_TYPES = new Set(['user', 'guest', 'call', 'user-group', 'group', 'email', 'circle', 'team']);

// System messages clients do not show: they only tell caches to update (Talk's web UI hides them too).
export const HIDDEN_SYSTEM_MESSAGES = new Set([
  'message_deleted', 'message_edited', 'reaction', 'reaction_deleted', 'reaction_revoked',
  'poll_voted', 'history_cleared', 'thread_renamed',
]);

export const CALL_SYSTEM_MESSAGES = new Set([
  'call_started', 'call_joined', 'call_left', 'call_ended', 'call_ended_everyone', 'call_missed', 'call_tried',
]);

function parameters(message) {
  const params = message.messageParameters;
  return params && !Array.isArray(params) && typeof params === 'object' ? params : {};
}

function pieces(message) {
  const text = String(message.message || '');
  const params = parameters(message);
  const out = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const param = params[match[1]];
    if (!param) continue;
    if (match.index > last) out.push(text.slice(last, match.index));
    out.push(param);
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function plainText(message) {
  return pieces(message).map((p) => (typeof p === 'string' ? p : p.name || p.id || '')).join('');
}

// A placeholder as the page shows it: mentions as chips in comments (plain bold in system
// messages), files and other objects by name, linked when they carry a safe link.
function paramNode(param, { chips, selfId }) {
  const name = param.name || param.id || '';
  if (MENTION_TYPES.has(param.type)) {
    const span = document.createElement('span');
    span.textContent = name;
    if (chips) {
      span.className = 'mention';
      if (param.type === 'call' || (selfId && param.id === selfId)) span.classList.add('mention-self');
      span.title = param.id || '';
    } else {
      span.className = 'rich-param';
    }
    return span;
  }
  const href = param.link ? safeHref(param.link) : null;
  if (href) {
    const link = linkNode(href, [document.createTextNode(name)]);
    link.className = `rich-object rich-${String(param.type || 'object').replace(/[^a-z0-9-]/gi, '')}`;
    return link;
  }
  const span = document.createElement('span');
  span.className = 'rich-param';
  span.textContent = name;
  return span;
}

// The message text as nodes: comments through markdown, system messages as plain sentences.
export function richFragment(message, selfId) {
  const chips = message.messageType !== 'system';
  const options = { chips, selfId };
  const parts = pieces(message);
  if (!chips || message.markdown === false) {
    const fragment = document.createDocumentFragment();
    for (const piece of parts) {
      fragment.append(typeof piece === 'string' ? document.createTextNode(piece) : paramNode(piece, options));
    }
    return fragment;
  }
  const params = [];
  // Atom markers typed by someone are dropped so that text can never pose as a placeholder.
  const source = parts.map((piece) => {
    if (typeof piece === 'string') return piece.replace(/[\uE000\uE001]/g, '');
    params.push(piece);
    return `${ATOM_START}${params.length - 1}${ATOM_END}`;
  }).join('');
  return renderMarkdown(source, (index) => paramNode(params[index], options));
}

// One line for previews, quotes and notifications: the text without markdown's markers.
export function summary(message) {
  return plainText(message)
    .split('\n')
    .filter((line) => !/^\s*```/.test(line))
    .map((line) => line.replace(/^\s{0,3}(?:>\s?|#{1,6}\s+|[-*+]\s+|\d{1,9}[.)]\s+)/, ''))
    .join(' ')
    .replace(/\*\*(?=\S)(.*?\S)\*\*|__(?=\S)(.*?\S)__|`([^`]+)`/g, (whole, a, b, c) => a || b || c || whole)
    .replace(/\s+/g, ' ')
    .trim();
}
