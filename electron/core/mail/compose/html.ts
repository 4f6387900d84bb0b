// The core's own HTML checks for outgoing mail. The renderer sanitizes with DOMPurify, but the
// core must not trust the renderer, and it has no DOM: this is a strict allowlist re-serializer.
// Everything it emits is well-formed: known tags only, attributes re-quoted, every element
// closed, text escaped. Styles, classes, images and anything active are dropped.
import { convert } from 'html-to-text';

/** Tags kept, with the attributes each may keep. */
const allowed: Record<string, readonly string[]> = {
  a: ['href'],
  b: [], strong: [], i: [], em: [], u: [], s: [], strike: [], del: [], ins: [], sub: [], sup: [], small: [], code: [], kbd: [],
  p: [], br: [], div: [], span: [], pre: [], hr: [],
  h1: [], h2: [], h3: [], h4: [], h5: [], h6: [],
  ul: [], ol: ['start'], li: [],
  blockquote: ['type'],
  table: [], thead: [], tbody: [], tfoot: [], tr: [], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'], caption: [],
};
const voidTags = new Set(['br', 'hr']);
/** Elements whose content goes with them: none of it is text meant for the reader. */
const dropWithContent = new Set([
  'script', 'style', 'head', 'title', 'iframe', 'object', 'embed', 'template', 'noscript', 'svg', 'math',
  'textarea', 'select', 'frame', 'frameset', 'applet', 'xml', 'noembed', 'noframes',
]);
const blockRewrite: Record<string, string> = { font: 'span', center: 'div', section: 'div', article: 'div', header: 'div', footer: 'div', main: 'div', body: 'div' };

const token = /<!--[\s\S]*?(?:-->|$)|<![^>]*>|<\?[^>]*>|<\/?([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s/>"'=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g;
const attribute = /([^\s/>"'=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
const strayAmp = /&(?!(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});)/g;

/** Returns a safe, well-formed subset of the given HTML. */
export function sanitizeHtml(html: string): string {
  const out: string[] = [];
  const open: string[] = [];
  let dropping: string | null = null;
  let depth = 0;
  let last = 0;
  const text = (s: string) => {
    if (!dropping && s) out.push(escapeText(s));
  };
  for (const m of html.matchAll(token)) {
    text(html.slice(last, m.index));
    last = m.index + m[0].length;
    const raw = m[0];
    const name = m[1]?.toLowerCase();
    if (!name) continue; // comment, doctype, processing instruction
    const closing = raw.startsWith('</');
    if (dropping) {
      if (name === dropping) depth += closing ? -1 : raw.endsWith('/>') ? 0 : 1;
      if (depth === 0) dropping = null;
      continue;
    }
    if (dropWithContent.has(name)) {
      if (!closing && !raw.endsWith('/>')) {
        dropping = name;
        depth = 1;
      }
      continue;
    }
    const tag = allowed[name] ? name : blockRewrite[name];
    if (!tag) continue; // unknown tag: dropped, its text stays
    if (closing) {
      const at = open.lastIndexOf(tag);
      if (at === -1) continue;
      while (open.length > at) out.push(`</${open.pop()}>`);
      continue;
    }
    out.push(`<${tag}${attributes(tag, m[2] ?? '')}>`);
    if (!voidTags.has(tag)) open.push(tag);
  }
  text(html.slice(last));
  while (open.length) out.push(`</${open.pop()}>`);
  return out.join('');
}

function attributes(tag: string, source: string): string {
  const keep = allowed[tag] ?? [];
  if (!keep.length) return '';
  let result = '';
  for (const a of source.matchAll(attribute)) {
    const name = a[1]!.toLowerCase();
    if (!keep.includes(name)) continue;
    const value = decodeEntities(a[2] ?? a[3] ?? a[4] ?? '');
    if (name === 'href' && !safeHref(value)) continue;
    if ((name === 'colspan' || name === 'rowspan' || name === 'start') && !/^\d{1,4}$/.test(value.trim())) continue;
    if (name === 'type' && value.toLowerCase() !== 'cite') continue;
    result += ` ${name}="${escapeAttribute(name === 'href' ? value.trim() : value)}"`;
  }
  return result;
}

/** Links in sent mail: web and mail addresses only (no javascript:, data:, file: …). */
function safeHref(value: string): boolean {
  // Browsers ignore control characters and whitespace inside a scheme; so must we.
  const compact = value.replace(/[\u0000-\u0020\u007f]+/g, '').toLowerCase();
  return /^(https?:\/\/|mailto:)/.test(compact);
}

function escapeText(s: string): string {
  return s.replace(strayAmp, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(s: string): string {
  return s.replace(/&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);?/g, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
    }
    return named[body.toLowerCase()] ?? whole;
  });
}

/** Plain text as HTML: escaped, line breaks kept. */
export function textToHtml(text: string): string {
  if (!text) return '';
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => `<div>${line ? escapeHtml(line) : '<br>'}</div>`)
    .join('');
}

/** The text/plain alternative sent with every HTML body. Quotes become "> " lines. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: 76,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable' },
    ],
  })
    // Editors type trailing spaces as &nbsp;; in plain text they are just spaces.
    .replace(/\u00a0/g, ' ')
    .trim();
}

/** True when the HTML holds no text worth sending (an empty editor is "<div><br></div>"). */
export function isBlankHtml(html: string): boolean {
  return htmlToText(html).trim() === '';
}
