// Talk's rich object strings: `message` holds {placeholders}, `messageParameters` what they stand for.

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

// Comments show mentions as chips; system messages name people in plain bold text.
export function richFragment(message, selfId) {
  const chips = message.messageType !== 'system';
  const fragment = document.createDocumentFragment();
  for (const piece of pieces(message)) {
    if (typeof piece === 'string') {
      fragment.append(document.createTextNode(piece));
      continue;
    }
    const span = document.createElement('span');
    span.textContent = piece.name || piece.id || '';
    if (chips && MENTION_TYPES.has(piece.type)) {
      span.className = 'mention';
      if (piece.type === 'call' || (selfId && piece.id === selfId)) span.classList.add('mention-self');
      span.title = piece.id || '';
    } else {
      span.className = 'rich-param';
    }
    fragment.append(span);
  }
  return fragment;
}
