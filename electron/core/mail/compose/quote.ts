// Pure rules for replies and forwards: subjects that do not stack prefixes, who a reply goes
// to, threading headers, and the quoted original in text and HTML.
import { escapeHtml, sanitizeHtml, textToHtml } from './html';

export interface Addr {
  name: string | null;
  email: string;
}

const replyPrefix = /^\s*(?:(?:re|aw|sv|antw)(?:\s*\[\d+\])?\s*:\s*)+/i;
const forwardPrefix = /^\s*(?:(?:fwd?|wg|tr|rv)\s*:\s*)+/i;

/** "Re: x" for x, "Re: Re: x" or "RE[2]: x" alike. */
export function replySubject(subject: string): string {
  const rest = subject.replace(replyPrefix, '').trim();
  return `Re: ${rest}`.trimEnd();
}

/** "Fwd: x" for x and for "Fwd: x" or "FW: x". */
export function forwardSubject(subject: string): string {
  const rest = subject.replace(forwardPrefix, '').trim();
  return `Fwd: ${rest}`.trimEnd();
}

function key(a: Addr): string {
  return a.email.trim().toLowerCase();
}

export function dedupe(list: readonly Addr[], exclude: ReadonlySet<string> = new Set()): Addr[] {
  const seen = new Set(exclude);
  const out: Addr[] = [];
  for (const a of list) {
    const k = key(a);
    if (!k || seen.has(k)) continue;
    seen.add(k);
    out.push({ name: a.name?.trim() || null, email: a.email.trim() });
  }
  return out;
}

export interface Original {
  from: Addr[];
  to: Addr[];
  cc: Addr[];
  replyTo: Addr[];
  subject: string;
  sentAt: number;
  messageId: string[];
  inReplyTo: string[];
  references: string[];
  text: string | null;
  html: string | null;
}

/**
 * Recipients of a reply. Replying to one's own message goes to its recipients again (as
 * Thunderbird does); reply-all never includes the user's own addresses, unless that would
 * leave nobody.
 */
export function replyRecipients(o: Original, all: boolean, own: ReadonlySet<string>): { to: Addr[]; cc: Addr[] } {
  const fromMe = o.from.some((a) => own.has(key(a)));
  const primary = fromMe ? o.to : o.replyTo.length ? o.replyTo : o.from;
  if (!all) {
    const to = dedupe(primary, fromMe ? own : new Set());
    return { to: to.length ? to : dedupe(primary), cc: [] };
  }
  const to = dedupe(fromMe ? o.to : [...primary, ...o.to], own);
  const cc = dedupe(o.cc, new Set([...own, ...to.map(key)]));
  if (!to.length && !cc.length) return { to: dedupe(primary), cc: [] };
  return { to, cc };
}

/** In-Reply-To and References for a reply (RFC 5322 §3.6.4). */
export function threadingHeaders(o: Original): { inReplyTo: string[]; references: string[] } {
  const parent = o.references.length ? o.references : o.inReplyTo.slice(0, 1);
  let references = [...new Set([...parent, ...o.messageId])];
  // Very long chains are trimmed as RFC 5322 suggests: keep the root and the most recent ones.
  if (references.length > 20) references = [references[0]!, ...references.slice(-19)];
  return { inReplyTo: o.messageId.slice(0, 1), references };
}

export function formatAddress(a: Addr): string {
  return a.name ? `${a.name} <${a.email}>` : a.email;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(ms: number): string {
  return dateFormat.format(new Date(ms));
}

function attribution(o: Original): string {
  const sender = o.from[0];
  const who = sender ? (sender.name ? `${sender.name} <${sender.email}>` : sender.email) : 'someone';
  return `On ${formatDate(o.sentAt)}, ${who} wrote:`;
}

/** "> " before every line; already quoted lines just get one more ">". */
export function quoteText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\n+$/, '')
    .split('\n')
    .map((line) => (line.startsWith('>') ? `>${line}` : line ? `> ${line}` : '>'))
    .join('\n');
}

function originalHtml(o: Original): string {
  return o.html ? sanitizeHtml(o.html) : textToHtml(o.text ?? '');
}

/** The attributed quote that follows a reply. */
export function quotedReply(o: Original): { text: string; html: string } {
  return {
    text: `${attribution(o)}\n${quoteText(o.text ?? '')}\n`,
    html: `<div>${escapeHtml(attribution(o))}</div><blockquote type="cite">${originalHtml(o)}</blockquote>`,
  };
}

/** What follows an inline forward: the original's headers, then its body, unquoted. */
export function forwardedBlock(o: Original): { text: string; html: string } {
  const lines: [string, string][] = [
    ['From', o.from.map(formatAddress).join(', ')],
    ['Date', formatDate(o.sentAt)],
    ['Subject', o.subject],
    ['To', o.to.map(formatAddress).join(', ')],
  ];
  if (o.cc.length) lines.push(['Cc', o.cc.map(formatAddress).join(', ')]);
  const header = '---------- Forwarded message ----------';
  return {
    text: `${header}\n${lines.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${o.text ?? ''}\n`,
    html: `<div>${header}<br>${lines.map(([k, v]) => `${k}: ${escapeHtml(v)}`).join('<br>')}</div><div><br></div><div>${originalHtml(o)}</div>`,
  };
}

/**
 * A body to start writing in: an empty line for the cursor, the signature (after the
 * conventional "-- " line), then what is quoted or forwarded, if anything.
 */
export function startBody(signature: { text: string; html: string }, block: { text: string; html: string } | null): { text: string; html: string } {
  const sigText = signature.text.trim() ? signature.text.replace(/\s+$/, '') : '';
  const sigHtml = signature.html.trim() ? sanitizeHtml(signature.html) : textToHtml(sigText);
  let text = '\n';
  let html = '<div><br></div>';
  if (sigText || sigHtml) {
    text += `\n-- \n${sigText}\n`;
    html += `<div><br></div><div>-- </div>${sigHtml}`;
  }
  if (block) {
    text += `\n${block.text}`;
    html += `<div><br></div>${block.html}`;
  }
  return { text, html };
}
