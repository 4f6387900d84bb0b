// Parses what a user types into the search bar: free words and quoted phrases, plus the
// operators from:, to:, subject:, in:, has:attachment, is:unread/read/flagged, before:, after:.
export interface SearchQuery {
  text: string[];
  /** Quoted: matched as exact phrases, never as prefixes. */
  phrases: string[];
  from: string[];
  to: string[];
  subject: string[];
  inMailbox: string | null;
  hasAttachment: boolean;
  unread: boolean | null;
  flagged: boolean | null;
  /** Received before this instant (ms), exclusive. */
  before: number | null;
  /** Received at or after this instant (ms). */
  after: number | null;
}

const tokenPattern = /(\w+):"([^"]*)"|(\w+):(\S+)|"([^"]*)"|(\S+)/g;

export function parseSearch(input: string): SearchQuery {
  const q: SearchQuery = { text: [], phrases: [], from: [], to: [], subject: [], inMailbox: null, hasAttachment: false, unread: null, flagged: null, before: null, after: null };
  for (const m of input.matchAll(tokenPattern)) {
    const op = (m[1] ?? m[3])?.toLowerCase();
    const value = (m[2] ?? m[4] ?? m[5] ?? m[6] ?? '').trim();
    if (!op) {
      if (m[5] !== undefined) {
        if (value) q.phrases.push(value);
      } else if (value) q.text.push(value);
      continue;
    }
    if (!value) continue;
    switch (op) {
      case 'from': q.from.push(value); break;
      case 'to': q.to.push(value); break;
      case 'subject': q.subject.push(value); break;
      case 'in': q.inMailbox = value; break;
      case 'has': if (value.toLowerCase().startsWith('attachment')) q.hasAttachment = true; else q.text.push(`${op}:${value}`); break;
      case 'is': {
        const v = value.toLowerCase();
        if (v === 'unread') q.unread = true;
        else if (v === 'read') q.unread = false;
        else if (v === 'flagged' || v === 'starred') q.flagged = true;
        else if (v === 'unflagged') q.flagged = false;
        else q.text.push(`${op}:${value}`);
        break;
      }
      case 'before':
      case 'after': {
        const day = parseDay(value);
        if (day === null) q.text.push(`${op}:${value}`);
        else if (op === 'before') q.before = day;
        else q.after = day;
        break;
      }
      default: q.text.push(`${op}:${value}`); // "re:lunch" is just text
    }
  }
  return q;
}

export function isEmptySearch(q: SearchQuery): boolean {
  return !q.text.length && !q.phrases.length && !q.from.length && !q.to.length && !q.subject.length && !q.inMailbox && !q.hasAttachment && q.unread === null && q.flagged === null && q.before === null && q.after === null;
}

/** YYYY-MM-DD (or YYYY/MM/DD) as local midnight, the way a user means a day. */
function parseDay(value: string): number | null {
  const m = value.match(/^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isNaN(d.getTime()) ? null : d.getTime();
}

/** Words for an FTS5 phrase: letters and digits only, so user input can never be FTS syntax. */
export function ftsWords(value: string): string[] {
  return value.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The FTS5 MATCH expression for a query, or null when it has no text conditions. */
export function ftsMatch(q: SearchQuery): string | null {
  const parts: string[] = [];
  const phrase = (value: string, column: string | null, prefix: boolean) => {
    const words = ftsWords(value);
    if (!words.length) return;
    const p = `"${words.join(' ')}"${prefix ? '*' : ''}`;
    parts.push(column ? `${column} : ${p}` : p);
  };
  // The last free word is typed right now: match it as a prefix, so results appear as you type.
  q.text.forEach((t, i) => phrase(t, null, i === q.text.length - 1));
  for (const p of q.phrases) phrase(p, null, false);
  for (const f of q.from) phrase(f, 'sender', true);
  for (const t of q.to) phrase(t, 'recipients', true);
  for (const s of q.subject) phrase(s, 'subject', true);
  return parts.length ? parts.join(' AND ') : null;
}
