// Plain-text bodies as data for the template: quoted runs split out so they can fold, and
// web addresses found so they can become links. Nothing here produces HTML; Svelte escapes
// every piece when it renders them.

export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

export interface TextBlock {
  /** Lines starting with ">" (a reply's quote), folded by default. */
  quoted: boolean;
  text: string;
  lineCount: number;
}

/** Groups consecutive quoted lines; a blank line between quoted lines stays in the quote. */
export function splitQuoted(text: string): TextBlock[] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const blocks: { quoted: boolean; lines: string[] }[] = [];
  lines.forEach((line, i) => {
    const quoted = /^\s*>/.test(line);
    const prev = blocks.at(-1);
    // A blank line inside a quote (quote, blank, quote) does not end it.
    const bridges = line.trim() === '' && prev?.quoted && /^\s*>/.test(lines[i + 1] ?? '');
    if (prev && (prev.quoted === quoted || bridges)) prev.lines.push(line);
    else blocks.push({ quoted, lines: [line] });
  });
  return blocks.map((b) => ({ quoted: b.quoted, text: b.lines.join('\n'), lineCount: b.lines.length }));
}

const urlPattern = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/** Splits text into plain runs and http(s) links; trailing punctuation stays outside the link. */
export function linkify(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(urlPattern)) {
    let url = match[0];
    // "(see https://x.org/a)." — the closing bracket and full stop belong to the sentence.
    while (/[.,;:!?)\]}'"]$/.test(url)) {
      const ch = url.at(-1);
      if (ch === ')' && (url.match(/\(/g)?.length ?? 0) >= (url.match(/\)/g)?.length ?? 0)) break;
      url = url.slice(0, -1);
    }
    const start = match.index;
    const href = safeWebUrl(url);
    if (!href) continue;
    if (start > last) out.push({ kind: 'text', text: text.slice(last, start) });
    out.push({ kind: 'link', text: url, href });
    last = start + url.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

/** The URL, normalised, if it is an http(s) address without embedded credentials. */
export function safeWebUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password || !url.hostname) return null;
  return url.href;
}
