// Inline images (cid: references from an HTML body to the message's own parts): which parts to
// fetch and turn into data: URIs, within a size budget. Pure, so it is unit-tested.
import type { AttachmentView } from '../../shared/contract';

/** Total inline image bytes fetched for one message; what exceeds it stays unshown. */
export const maxInlineBytes = 10 * 1024 * 1024;

/** Raster types only: an SVG is a document that could carry script if ever opened on its own. */
const inlineTypes = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);

/** The Content-ID a cid: URL names (RFC 2392: percent-encoded, no angle brackets), lower case. */
export function cidOf(raw: string): string | null {
  const m = /^\s*cid:(.+?)\s*$/i.exec(raw);
  if (!m?.[1]) return null;
  let id = m[1];
  try {
    id = decodeURIComponent(id);
  } catch {
    // A stray % is just a character here.
  }
  return id.replace(/^<|>$/g, '').toLowerCase();
}

/** Every Content-ID the HTML refers to (attributes and CSS alike). */
export function referencedCids(html: string): Set<string> {
  const ids = new Set<string>();
  for (const m of html.matchAll(/cid:([^"'\s)>]+)/gi)) {
    const id = cidOf(`cid:${m[1]}`);
    if (id) ids.add(id);
  }
  return ids;
}

export function normalType(type: string): string {
  return type.split(';')[0]!.trim().toLowerCase();
}

/** Whether the HTML shows this part inline (so it need not be listed as an attachment too). */
export function isReferencedInline(a: AttachmentView, cids: ReadonlySet<string>): boolean {
  return !!a.cid && cids.has(a.cid.replace(/^<|>$/g, '').toLowerCase()) && inlineTypes.has(normalType(a.type));
}

/** The parts to fetch for the HTML's cid: images, in order, within the budget; and how many did not fit. */
export function inlineParts(html: string, attachments: readonly AttachmentView[], budget = maxInlineBytes): { parts: AttachmentView[]; skipped: number } {
  const cids = referencedCids(html);
  const parts: AttachmentView[] = [];
  let skipped = 0;
  let total = 0;
  const seen = new Set<string>();
  for (const a of attachments) {
    if (!a.blobId || !isReferencedInline(a, cids)) continue;
    const id = a.cid!.replace(/^<|>$/g, '').toLowerCase();
    if (seen.has(id)) continue;
    seen.add(id);
    if (total + a.size > budget) {
      skipped++;
      continue;
    }
    total += a.size;
    parts.push(a);
  }
  return { parts, skipped };
}

/** A data: URI for fetched image bytes; null for a type that is not a plain raster image. */
export function imageDataUri(type: string, base64: string): string | null {
  const t = normalType(type);
  if (!inlineTypes.has(t) || !/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return null;
  return `data:${t === 'image/jpg' ? 'image/jpeg' : t};base64,${base64}`;
}
