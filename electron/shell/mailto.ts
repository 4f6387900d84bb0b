// mailto: URIs (RFC 6068) as the OS hands them to us: from any web page or document, so
// hostile input. Only To, Cc, Bcc, Subject and Body are taken (§3, §4: originator, routing,
// MIME and unknown fields are ignored, e.g. From, Attach, In-Reply-To); everything is
// decoded once, capped, and single-line where it must be.

export interface MailtoFields {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: string;
}

/** Caps in the spirit of §7 ("sanity check"): no link may build an unbounded message. */
export const mailtoLimits = { addresses: 100, address: 320, subject: 998, body: 100_000, uri: 2_000_000 } as const;

const scheme = /^mailto:/i;

/**
 * Percent-decodes as UTF-8 (RFC 6068 §2). Invalid bytes become U+FFFD rather than failing
 * the whole link; '+' stays '+' (it is not a space in mailto, §5).
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  let out = '';
  const flush = (): void => {
    if (bytes.length) out += new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
    bytes.length = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '%' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      flush();
      out += text[i];
    }
  }
  flush();
  return out;
}

/** RFC 2047 encoded words, which §2 permits in header values (not in body). */
export function decodeEncodedWords(value: string): string {
  const word = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
  // Whitespace between adjacent encoded words is not text (RFC 2047 §6.2).
  const joined = value.replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1');
  return joined.replace(word, (whole: string, charset: string, encoding: string, data: string) => {
    // Encoded words are ASCII by definition; anything else is not one.
    if (/[^\x20-\x7e]/.test(data)) return whole;
    try {
      const bytes =
        encoding.toUpperCase() === 'B'
          ? Uint8Array.from(atob(data), (c) => c.charCodeAt(0))
          : Uint8Array.from(
              data.replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})|[^]/g, (m: string, h?: string) => (h ? String.fromCharCode(parseInt(h, 16)) : m)),
              (c) => c.charCodeAt(0),
            );
      return new TextDecoder(charset.replace(/\*.*$/, '').toLowerCase(), { fatal: true }).decode(bytes);
    } catch {
      return whole;
    }
  });
}

/** Splits a header's address list on commas outside quotes, angle brackets and escapes. */
export function splitAddressList(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angled = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted && ch === '\\' && i + 1 < value.length) {
      current += ch + value[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    else if (ch === '<' && !quoted) angled = true;
    else if (ch === '>' && !quoted) angled = false;
    if ((ch === ',' || ch === ';') && !quoted && !angled) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** Header values must stay on one line: a CR or LF could smuggle in another header. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '').trim();
}

function addAddresses(into: string[], list: string[]): void {
  for (const raw of list) {
    const address = oneLine(raw);
    if (!address || address.length > mailtoLimits.address) continue;
    // §3: a client may drop duplicates; keeping the first keeps the link's order.
    if (into.some((a) => a.toLowerCase() === address.toLowerCase())) continue;
    if (into.length < mailtoLimits.addresses) into.push(address);
  }
}

/** Parses a mailto: URI, or null when it is not one. */
export function parseMailto(uri: string): MailtoFields | null {
  const text = uri.trim();
  if (!scheme.test(text) || text.length > mailtoLimits.uri) return null;
  // §2: a fragment means nothing in mailto and is ignored.
  const withoutScheme = text.replace(scheme, '').split('#', 1)[0] ?? '';
  const q = withoutScheme.indexOf('?');
  const toPart = q === -1 ? withoutScheme : withoutScheme.slice(0, q);
  const query = q === -1 ? '' : withoutScheme.slice(q + 1);
  const fields: MailtoFields = { to: [], cc: [], bcc: [], subject: '', body: '' };

  // In the <to> part a literal ',' separates addr-specs; an encoded one (%2C) belongs to an address.
  addAddresses(fields.to, toPart.split(',').map(percentDecode));

  let subjectSeen = false;
  let bodySeen = false;
  for (const hfield of query.split('&')) {
    const eq = hfield.indexOf('=');
    if (eq <= 0) continue;
    const name = percentDecode(hfield.slice(0, eq)).trim().toLowerCase();
    const value = percentDecode(hfield.slice(eq + 1));
    switch (name) {
      case 'to':
      case 'cc':
      case 'bcc':
        // Header values: an address list, possibly with display names and encoded words.
        addAddresses(fields[name], splitAddressList(decodeEncodedWords(value)));
        break;
      case 'subject':
        // §2: repeated fields vary between clients; the first one wins here.
        if (!subjectSeen) fields.subject = oneLine(decodeEncodedWords(value)).slice(0, mailtoLimits.subject);
        subjectSeen = true;
        break;
      case 'body':
        // §5: line breaks arrive as %0D%0A; the composer works with \n. No encoded words in body (§2).
        if (!bodySeen) fields.body = value.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '').slice(0, mailtoLimits.body);
        bodySeen = true;
        break;
      default:
        // §3/§4: From, Date, Resent-*, Content-*, In-Reply-To, Attach and anything unknown are ignored.
        break;
    }
  }
  return fields;
}

/**
 * The mailto: URI among a process's arguments (Windows and Linux pass the link as an
 * argument, to the first launch and then to 'second-instance'), or null.
 */
export function findMailtoArg(argv: readonly string[]): string | null {
  // Chromium switches come first; a mailto link is never one of them.
  for (let i = argv.length - 1; i >= 1; i--) {
    const arg = argv[i]!;
    if (scheme.test(arg)) return arg;
  }
  return null;
}

/**
 * Arguments for app.setAsDefaultProtocolClient. Unpackaged (`electron .`), Windows must be
 * told to run electron with the app's path, or the link would start bare Electron.
 */
export function protocolClientArgs(opts: { defaultApp: boolean; execPath: string; appPath: string | undefined }): [string, string?, string[]?] {
  if (opts.defaultApp && opts.appPath) return ['mailto', opts.execPath, [opts.appPath]];
  return ['mailto'];
}

/** Holds what must reach the renderer until its page has loaded (a cold start from a link). */
export class RendererQueue<T> {
  private pending: T[] = [];
  private send: ((item: T) => void) | null = null;

  push(item: T): void {
    if (this.send) this.send(item);
    else this.pending.push(item);
  }

  /** The page is ready: deliver what waited, then everything directly. */
  ready(send: (item: T) => void): void {
    this.send = send;
    const waiting = this.pending;
    this.pending = [];
    for (const item of waiting) send(item);
  }

  /** The page went away (reload, crash, closed): hold items again. */
  unready(): void {
    this.send = null;
  }
}

/**
 * Whether to ask, once, to become the default mail app: only packaged (unpackaged it would
 * point mailto: at a development checkout), only when not already the default, and never
 * again once asked (taking mailto: unasked, or nagging, would be hostile).
 */
export function shouldOfferDefaultMailApp(opts: { isPackaged: boolean; isDefault: boolean; prefs: unknown }): boolean {
  if (!opts.isPackaged || opts.isDefault) return false;
  const asked = typeof opts.prefs === 'object' && opts.prefs !== null && (opts.prefs as { mailtoAsked?: unknown }).mailtoAsked === true;
  return !asked;
}
