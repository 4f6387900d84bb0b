// The opened inside of encrypted (or opaque-signed) mail, parsed for the reading pane and held
// in memory only: plaintext must never reach the disk, so there is no cache file, and the
// memory held is bounded by bytes (least recently read goes first).
import PostalMime from 'postal-mime';

export interface DecryptedAttachment {
  name: string;
  type: string;
  cid: string | null;
  inline: boolean;
  data: Buffer;
}

export interface DecryptedContent {
  subject: string | null;
  text: string | null;
  html: string | null;
  attachments: DecryptedAttachment[];
}

/** Parses the innermost MIME entity that readSmimeMessage returned. */
export async function parseDecrypted(raw: Uint8Array): Promise<DecryptedContent> {
  const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer', maxNestingDepth: 32 });
  return {
    subject: email.subject ?? null,
    text: email.text ?? null,
    html: email.html ?? null,
    attachments: email.attachments.map((a) => ({
      name: a.filename?.trim() || 'attachment',
      type: a.mimeType || 'application/octet-stream',
      cid: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
      inline: a.disposition === 'inline' || !!a.related,
      data: typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : Buffer.from(a.content instanceof ArrayBuffer ? new Uint8Array(a.content) : a.content),
    })),
  };
}

function sizeOf(c: DecryptedContent): number {
  return (c.text?.length ?? 0) * 2 + (c.html?.length ?? 0) * 2 + c.attachments.reduce((n, a) => n + a.data.length, 0) + 1024;
}

/** A least-recently-used map bounded by the bytes its entries hold. */
export class ContentLru {
  private readonly entries = new Map<string, { content: DecryptedContent; size: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): DecryptedContent | null {
    const hit = this.entries.get(key);
    if (!hit) return null;
    // Re-inserting moves it to the young end of the Map's order.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.content;
  }

  put(key: string, content: DecryptedContent): void {
    this.delete(key);
    const size = sizeOf(content);
    if (size > this.maxBytes) return; // too large to keep: it is opened again when asked
    this.entries.set(key, { content, size });
    this.bytes += size;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.size;
    }
  }

  delete(key: string): void {
    const hit = this.entries.get(key);
    if (!hit) return;
    this.entries.delete(key);
    this.bytes -= hit.size;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.bytes;
  }
}
