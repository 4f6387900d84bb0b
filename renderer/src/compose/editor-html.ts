// HTML in and out of the compose editor. What enters the editor (a quoted original, a draft,
// a paste) is cut down to the same small allowlist the core enforces when sending, so the
// editor never shows what the message will not carry, and never loads anything remote.
import DOMPurify from 'dompurify';

const allowedTags = [
  'a', 'b', 'strong', 'i', 'em', 'u', 's', 'strike', 'del', 'ins', 'sub', 'sup', 'small', 'code', 'kbd',
  'p', 'br', 'div', 'span', 'pre', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'blockquote',
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption',
];

export function sanitizeForEditor(html: string): string {
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS: allowedTags,
    ALLOWED_ATTR: ['href', 'type', 'start', 'colspan', 'rowspan'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    KEEP_CONTENT: true,
  });
}

/** Plain text from the editor's DOM: quotes as "> " lines, list items as "- " or "1. ". */
export function htmlToPlain(root: Node): string {
  const lines: string[] = [];
  let line = '';
  const flush = () => {
    lines.push(line);
    line = '';
  };
  const walk = (node: Node, prefix: string, list: { ordered: boolean; n: number } | null): void => {
    if (node.nodeType === Node.TEXT_NODE) {
      line += (node.textContent ?? '').replace(/\s+/g, ' ');
      return;
    }
    if (!(node instanceof HTMLElement)) return;
    const tag = node.tagName.toLowerCase();
    if (tag === 'br') {
      lines.push(prefix + line);
      line = '';
      return;
    }
    const block = /^(p|div|blockquote|ul|ol|li|pre|h[1-6]|table|tr|hr)$/.test(tag);
    if (block && line) {
      lines.push(prefix + line.trimEnd());
      line = '';
    }
    if (tag === 'hr') {
      lines.push(`${prefix}----`);
      return;
    }
    const inner = tag === 'blockquote' ? `${prefix}> ` : prefix;
    const nextList = tag === 'ul' || tag === 'ol' ? { ordered: tag === 'ol', n: 0 } : list;
    if (tag === 'li' && list) line = list.ordered ? `${++list.n}. ` : '- ';
    if (tag === 'a') {
      const href = node.getAttribute('href') ?? '';
      const text = node.textContent ?? '';
      line += href && href !== text && !href.startsWith('mailto:') ? `${text} <${href}>` : text;
      return;
    }
    for (const child of node.childNodes) walk(child, inner, nextList);
    if (block && line) {
      lines.push(inner + line.trimEnd());
      line = '';
    }
  };
  for (const child of root.childNodes) walk(child, '', null);
  if (line) flush();
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '').replace(/\s+$/, '');
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Plain text into the editor: one block per line, "> " lines as quotes. */
export function plainToHtml(text: string): string {
  const out: string[] = [];
  let quote: string[] = [];
  const endQuote = () => {
    if (quote.length) out.push(`<blockquote type="cite">${plainToHtml(quote.join('\n'))}</blockquote>`);
    quote = [];
  };
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^>/.test(line)) {
      quote.push(line.replace(/^> ?/, ''));
      continue;
    }
    endQuote();
    out.push(`<div>${line ? escape(line) : '<br>'}</div>`);
  }
  endQuote();
  return out.join('');
}

/** True when the editor holds no text (an empty editor still has "<div><br></div>"). */
export function isBlank(html: string): boolean {
  return !html.replace(/<[^>]*>/g, '').replace(/&nbsp;|\s/g, '');
}
