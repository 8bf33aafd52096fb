// Talk's markdown subset for chat messages, building DOM nodes only: every piece of text goes into
// a text node, every address through safeHref(). This is the page's one way from message to HTML.
//
// Blocks: paragraphs (single newlines kept as line breaks, as Talk does), ``` code blocks,
// "> " quotes, "- "/"* "/"1. " lists and "#" headings, which Talk shows as bold lines rather than
// document headings. Inline: `code`, **bold**/__bold__, *italic*/_italic_, [text](url) and bare
// URLs. Rich-object placeholders reach this module as atoms (see richtext.js), never as text.

import { linkNode, safeHref, trimUrl, URL_IN_TEXT } from './links.js';

// Placeholders travel through the parser as private-use characters: ATOM_START, the index, ATOM_END.
export const ATOM_START = '\uE000';
export const ATOM_END = '\uE001';
const ATOM = /^\uE000(\d+)\uE001/;

const FENCE = /^\s{0,3}```/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const ORDERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;

export function renderMarkdown(text, atom) {
  const fragment = document.createDocumentFragment();
  fragment.append(...blocks(String(text).split('\n'), atom, 0));
  return fragment;
}

function blocks(lines, atom, depth) {
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i += 1;
      continue;
    }
    if (FENCE.test(line)) {
      const body = [];
      i += 1;
      while (i < lines.length && !FENCE.test(lines[i])) body.push(lines[i++]);
      i += 1;
      const code = document.createElement('code');
      code.append(...atomsAsText(body.join('\n'), atom));
      const pre = document.createElement('pre');
      pre.className = 'md-code-block';
      pre.append(code);
      out.push(pre);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const node = document.createElement('p');
      node.className = `md-heading md-h${heading[1].length}`;
      node.append(...inline(heading[2], atom));
      out.push(node);
      i += 1;
      continue;
    }
    if (QUOTE.test(line) && depth < 8) {
      const inner = [];
      while (i < lines.length && QUOTE.test(lines[i])) inner.push(QUOTE.exec(lines[i++])[1]);
      const node = document.createElement('blockquote');
      node.className = 'md-quote';
      node.append(...blocks(inner, atom, depth + 1));
      out.push(node);
      continue;
    }
    if (BULLET.test(line) || ORDERED.test(line)) {
      const ordered = !BULLET.test(line);
      const pattern = ordered ? ORDERED : BULLET;
      const list = document.createElement(ordered ? 'ol' : 'ul');
      list.className = 'md-list';
      if (ordered) {
        const start = Number(ORDERED.exec(line)[1]);
        if (start !== 1) list.start = start;
      }
      while (i < lines.length && pattern.test(lines[i])) {
        const match = pattern.exec(lines[i++]);
        const item = document.createElement('li');
        item.append(...inline(ordered ? match[2] : match[1], atom));
        list.append(item);
      }
      out.push(list);
      continue;
    }
    const paragraph = [];
    while (i < lines.length && lines[i].trim() && !startsBlock(lines[i])) paragraph.push(lines[i++]);
    const node = document.createElement('p');
    paragraph.forEach((text, index) => {
      if (index) node.append(document.createElement('br'));
      node.append(...inline(text, atom));
    });
    out.push(node);
  }
  return out;
}

function startsBlock(line) {
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || BULLET.test(line) || ORDERED.test(line);
}

// Emphasis needs a non-space right inside its markers; underscores also need word edges outside,
// so that snake_case_names stay as they are.
const INLINE_RULES = [
  { pattern: /^`([^`\n]+)`/, make: (m, atom) => wrap('code', atomsAsText(m[1], atom)) },
  { pattern: /^\*\*(?=\S)([^\n]*?\S)\*\*/, make: (m, atom) => wrap('strong', inline(m[1], atom)) },
  { pattern: /^__(?=\S)([^\n]*?\S)__(?![A-Za-z0-9])/, edge: true, make: (m, atom) => wrap('strong', inline(m[1], atom)) },
  { pattern: /^\*(?=[^\s*])([^\n*]*?[^\s*])?\*(?!\*)/, make: (m, atom, raw) => wrap('em', inline(raw.slice(1, -1), atom)) },
  { pattern: /^_(?=[^\s_])([^\n_]*?[^\s_])?_(?![A-Za-z0-9])/, edge: true, make: (m, atom, raw) => wrap('em', inline(raw.slice(1, -1), atom)) },
  { pattern: /^\[([^\]\n]+)\]\(([^)\s]+)\)/, make: (m, atom) => markdownLink(m, atom) },
];

function inline(text, atom) {
  const out = [];
  let buffer = '';
  const flush = () => {
    if (buffer) out.push(document.createTextNode(buffer));
    buffer = '';
  };
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const atomMatch = ATOM.exec(rest);
    if (atomMatch) {
      flush();
      out.push(atom(Number(atomMatch[1])));
      i += atomMatch[0].length;
      continue;
    }
    const previous = i > 0 ? text[i - 1] : ' ';
    let made = null;
    for (const rule of INLINE_RULES) {
      if (rule.edge && /[A-Za-z0-9]/.test(previous)) continue;
      const match = rule.pattern.exec(rest);
      if (!match) continue;
      made = { node: rule.make(match, atom, match[0]), length: match[0].length };
      if (made.node) break;
      made = null;
    }
    if (!made && !/[A-Za-z0-9]/.test(previous)) {
      const url = URL_IN_TEXT.exec(rest);
      const trimmed = url ? trimUrl(url[0]) : '';
      const href = trimmed ? safeHref(trimmed) : null;
      if (href) made = { node: linkNode(href, [document.createTextNode(trimmed)]), length: trimmed.length };
    }
    if (made) {
      flush();
      out.push(made.node);
      i += made.length;
    } else {
      buffer += text[i];
      i += 1;
    }
  }
  flush();
  return out;
}

function markdownLink(match, atom) {
  const href = safeHref(match[2]);
  if (!href || !/^(https?:|mailto:)/i.test(match[2])) return null;
  return linkNode(href, inline(match[1], atom));
}

function wrap(tag, children) {
  const node = document.createElement(tag);
  node.append(...children);
  return node;
}

// Inside code, placeholders still show what they stand for, as plain text.
function atomsAsText(text, atom) {
  const out = [];
  for (const part of text.split(/(\uE000\d+\uE001)/)) {
    if (!part) continue;
    const match = ATOM.exec(part);
    out.push(match ? document.createTextNode(atom(Number(match[1])).textContent) : document.createTextNode(part));
  }
  return out;
}
