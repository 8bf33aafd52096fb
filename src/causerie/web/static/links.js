// Which addresses the page may turn into links: http(s) and mailto only, never javascript: or data:.

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

// A URL written in a message: scheme and host, then anything up to a space or an angle bracket.
export const URL_IN_TEXT = /^(?:https?:\/\/|www\.)[^\s<>"]+/i;

export function safeHref(raw) {
  const text = String(raw || '').trim();
  if (!text) return null;
  let url;
  try {
    url = new URL(/^www\./i.test(text) ? `https://${text}` : text, window.location.origin);
  } catch {
    return null;
  }
  return SAFE_SCHEMES.has(url.protocol) ? url.href : null;
}

// "See https://example.com/a." links to /a, not to "/a.": closing punctuation stays text, and a
// closing parenthesis only belongs to the URL when the URL opened one.
export function trimUrl(candidate) {
  let url = candidate;
  for (;;) {
    const last = url.slice(-1);
    if (/[.,;:!?'"*_~]/.test(last)) url = url.slice(0, -1);
    else if (last === ')' && (url.match(/\(/g) || []).length < (url.match(/\)/g) || []).length) url = url.slice(0, -1);
    else return url;
  }
}

export function linkNode(href, children) {
  const node = document.createElement('a');
  node.href = href;
  node.target = '_blank';
  node.rel = 'noopener noreferrer';
  node.append(...children);
  return node;
}
