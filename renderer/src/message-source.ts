// A raw RFC 5322 message, read for people: the header fields as a name/value list (unfolded,
// encoded words decoded) and the text to show. Untrusted input: the results are only ever
// rendered as text, never as HTML.

export interface HeaderField {
  name: string;
  value: string;
}

/** Most text shown in the source view; the download has the whole message. */
export const maxShownChars = 2 * 1024 * 1024;

/** Bytes as text: UTF-8 where valid, each other byte as the Latin-1 character it would be. */
export function sourceText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // 8-bit mail in a legacy charset: Latin-1 keeps every byte visible and one-to-one.
    return new TextDecoder('latin1').decode(bytes);
  }
}

/** The header section: everything before the first empty line. */
export function headerSection(text: string): string {
  const end = text.search(/\r?\n\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}

/** Header fields in order, folded lines joined (RFC 5322 §2.2.3), values with encoded words decoded. */
export function parseHeaders(text: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of headerSection(text).split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length) {
      const last = fields[fields.length - 1]!;
      last.value += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue; // not a field (e.g. an mbox "From " line): skip
    fields.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return fields.map((f) => ({ name: f.name, value: decodeEncodedWords(f.value) }));
}

/** RFC 2047 encoded words (=?charset?B|Q?text?=); anything undecodable stays as it was. */
export function decodeEncodedWords(value: string): string {
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 §6.2).
  const joined = value.replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1');
  return joined.replace(/=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g, (word: string, charset: string, encoding: string, data: string) => {
    try {
      const bytes = encoding.toUpperCase() === 'B' ? base64Bytes(data) : qBytes(data);
      return new TextDecoder(charset.replace(/\*.*$/, '').toLowerCase(), { fatal: true }).decode(bytes);
    } catch {
      return word;
    }
  });
}

function base64Bytes(data: string): Uint8Array {
  const binary = atob(data);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function qBytes(data: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9a-fA-F]{2}$/.test(data.slice(i + 1, i + 3))) {
      out.push(parseInt(data.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(c.charCodeAt(0) & 0xff);
  }
  return Uint8Array.from(out);
}

/** A file name for the download: the subject, tamed, as .eml. */
export function sourceFileName(subject: string): string {
  const base = subject.replace(/[^\p{L}\p{N} ._-]+/gu, ' ').replace(/\s+/g, ' ').slice(0, 80).replace(/^[\s.]+|[\s.]+$/g, '');
  return `${/[\p{L}\p{N}]/u.test(base) ? base : 'message'}.eml`;
}
