// Byte-exact access to a MIME entity: where its header ends, and for multipart/signed the two
// body parts exactly as they travelled.
//
// Why a hand-written scanner: a detached signature covers the exact bytes of the first body
// part (RFC 8551 §3.5; RFC 1847 §2.1). MIME libraries, postal-mime included, hand back decoded
// content and re-assembled headers, not the original octets: one changed byte of folding,
// whitespace or line ending and the digest no longer matches. So the boundaries are located
// here at byte level; everything semantic (header values, transfer decoding) is postal-mime's.
import PostalMime from 'postal-mime';

const CR = 0x0d;
const LF = 0x0a;

export interface EntitySplit {
  header: Uint8Array;
  body: Uint8Array;
}

/** Splits an entity at the first empty line (CRLF CRLF, or bare LF LF from lax stores). */
export function splitEntity(raw: Uint8Array): EntitySplit {
  // An entity that starts with an empty line has no header fields.
  if (raw[0] === LF) return { header: raw.subarray(0, 0), body: raw.subarray(1) };
  if (raw[0] === CR && raw[1] === LF) return { header: raw.subarray(0, 0), body: raw.subarray(2) };
  for (let i = raw.indexOf(LF); i !== -1 && i < raw.length; i = raw.indexOf(LF, i + 1)) {
    const next = raw[i + 1];
    if (next === LF) return { header: raw.subarray(0, i + 1), body: raw.subarray(i + 2) };
    if (next === CR && raw[i + 2] === LF) return { header: raw.subarray(0, i + 1), body: raw.subarray(i + 3) };
  }
  return { header: raw, body: raw.subarray(raw.length) };
}

export interface ContentType {
  /** Lower-case type/subtype; 'text/plain' when absent (RFC 2045 §5.2). */
  type: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Record<string, string>;
}

/** Parses a Content-Type value (token/quoted-string parameters; comments are rare here and dropped). */
export function parseContentType(value: string | undefined): ContentType {
  if (!value) return { type: 'text/plain', params: {} };
  const params: Record<string, string> = {};
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/g;
  const semi = value.indexOf(';');
  const type = (semi === -1 ? value : value.slice(0, semi)).replace(/\(.*?\)/g, '').trim().toLowerCase();
  for (const m of value.slice(semi === -1 ? value.length : semi).matchAll(re)) {
    const name = (m[1] ?? '').toLowerCase();
    if (!(name in params)) params[name] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { type: type || 'text/plain', params };
}

export interface EntityHeaders {
  contentType: ContentType;
  /** Every header, as postal-mime unfolds them (lower-case keys). */
  headers: { key: string; value: string }[];
}

/** The entity's headers, parsed by postal-mime from the header block alone. */
export async function readHeaders(header: Uint8Array): Promise<EntityHeaders> {
  const email = await PostalMime.parse(Buffer.concat([header, Buffer.from('\r\n')]));
  const headers = email.headers.map((h) => ({ key: h.key, value: h.value }));
  return { contentType: parseContentType(headers.find((h) => h.key === 'content-type')?.value), headers };
}

/** The decoded body of a single-part entity (base64, quoted-printable… undone by postal-mime). */
export async function decodedBody(entity: Uint8Array): Promise<Uint8Array> {
  const email = await PostalMime.parse(entity, { attachmentEncoding: 'arraybuffer' });
  const part = email.attachments[0];
  if (part && typeof part.content !== 'string') return new Uint8Array(part.content);
  // postal-mime treats text it can show as the body, not an attachment; S/MIME bodies never are.
  throw new Error('The part has no binary content');
}

export interface SignedParts {
  /** The first body part, headers included, exactly as received: what the signature covers. */
  signed: Uint8Array;
  /** The second body part (the application/pkcs7-signature entity). */
  signature: Uint8Array;
}

/**
 * Finds the two parts of a multipart/signed body. A delimiter line is "--" boundary, then
 * optional whitespace, at the start of a line; a part runs from after its delimiter line's
 * line break to before the line break preceding the next delimiter (RFC 2046 §5.1.1).
 * Returns null unless there are exactly two parts followed by the close delimiter.
 */
export function findSignedParts(body: Uint8Array, boundary: string): SignedParts | null {
  if (!boundary || boundary.length > 200) return null;
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiters: { lineStart: number; contentStart: number; close: boolean }[] = [];
  for (let lineStart = 0; lineStart < bytes.length; ) {
    const lineEnd = bytes.indexOf(LF, lineStart);
    const end = lineEnd === -1 ? bytes.length : lineEnd;
    if (end - lineStart >= dash.length && bytes.compare(dash, 0, dash.length, lineStart, lineStart + dash.length) === 0) {
      let at = lineStart + dash.length;
      const close = bytes[at] === 0x2d && bytes[at + 1] === 0x2d;
      if (close) at += 2;
      while (at < end && (bytes[at] === 0x20 || bytes[at] === 0x09 || bytes[at] === CR)) at++;
      if (at === end) {
        delimiters.push({ lineStart, contentStart: lineEnd === -1 ? bytes.length : lineEnd + 1, close });
        if (close) break;
      }
    }
    if (lineEnd === -1) break;
    lineStart = lineEnd + 1;
  }
  const [first, second, last] = delimiters;
  if (!first || !second || !last || first.close || second.close || !last.close || delimiters.length !== 3) return null;
  const partEnd = (nextDelimiter: number) => {
    // The line break before a delimiter belongs to the delimiter, not to the part.
    let e = nextDelimiter;
    if (e > 0 && bytes[e - 1] === LF) e--;
    if (e > 0 && bytes[e - 1] === CR) e--;
    return e;
  };
  return {
    signed: body.subarray(first.contentStart, Math.max(first.contentStart, partEnd(second.lineStart))),
    signature: body.subarray(second.contentStart, Math.max(second.contentStart, partEnd(last.lineStart))),
  };
}
