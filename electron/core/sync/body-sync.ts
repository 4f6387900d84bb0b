// Fetches message bodies in the background, newest first, after metadata is current, so
// that search covers body text without the user ever opening the message.
import { convert } from 'html-to-text';
import { z } from 'zod';
import type { JmapClient } from '../jmap/client';
import type { Db } from '../store/db';
import type { EmailBody, EmailStore } from '../store/emails';

export interface BodySyncDeps {
  db: Db;
  emails: EmailStore;
}

export interface BodySyncOptions {
  /** Emails per request; a request also carries at most this many × maxBodyValueBytes. */
  batch?: number;
  /** Stop after this long; the next pass continues. Keeps one account from hogging the scheduler. */
  budgetMs?: number;
  /** Longest body value to download; longer ones are truncated by the server (and indexed so). */
  maxBodyValueBytes?: number;
}

const Part = z.looseObject({
  partId: z.string().nullable().optional(),
  blobId: z.string().nullable().optional(),
  size: z.number().int().nonnegative().catch(0),
  name: z.string().nullable().optional().catch(null),
  type: z.string().catch('application/octet-stream'),
  disposition: z.string().nullable().optional().catch(null),
  cid: z.string().nullable().optional().catch(null),
});
const BodyEmail = z.looseObject({
  id: z.string(),
  textBody: z.array(Part).catch([]),
  htmlBody: z.array(Part).catch([]),
  attachments: z.array(Part).catch([]),
  bodyValues: z.record(z.string(), z.looseObject({ value: z.string().catch(''), isTruncated: z.boolean().catch(false) })).catch({}),
});
const BodyGet = z.looseObject({ list: z.array(BodyEmail), notFound: z.array(z.string()).nullable().optional() });
type BodyEmail = z.output<typeof BodyEmail>;

export const bodyProperties = ['id', 'textBody', 'htmlBody', 'attachments', 'bodyValues'];
const partProperties = ['partId', 'blobId', 'size', 'name', 'type', 'disposition', 'cid'];

/** Fetches missing bodies until none are left or the time budget is spent. Returns how many were stored. */
export async function fetchBodies(client: JmapClient, deps: BodySyncDeps, localId: string, accountId: string, opts: BodySyncOptions = {}): Promise<number> {
  const batch = Math.min(opts.batch ?? 50, client.session.limits.maxObjectsInGet || 50);
  const deadline = Date.now() + (opts.budgetMs ?? 2000);
  let stored = 0;
  while (Date.now() < deadline) {
    const ids = deps.emails.withoutBody(localId, batch);
    if (!ids.length) break;
    stored += await fetchBodiesOf(client, deps, localId, accountId, ids, opts);
  }
  return stored;
}

/** Fetches and stores the bodies of these emails now (e.g. the one the user opened). */
export async function fetchBodiesOf(client: JmapClient, deps: BodySyncDeps, localId: string, accountId: string, ids: string[], opts: BodySyncOptions = {}): Promise<number> {
  const res = await client.call(
    'Email/get',
    {
      accountId,
      ids,
      properties: bodyProperties,
      bodyProperties: partProperties,
      fetchTextBodyValues: true,
      fetchHTMLBodyValues: true,
      maxBodyValueBytes: opts.maxBodyValueBytes ?? 256 * 1024,
    },
    BodyGet,
  );
  deps.db.transaction(() => {
    for (const e of res.list) deps.emails.saveBody(localId, e.id, toBody(e));
    // Deleted meanwhile: the next metadata sync removes the row; don't ask again.
    for (const id of res.notFound ?? []) deps.emails.saveBody(localId, id, null);
    // Asked for but neither returned nor "not found": a broken server answer. Don't loop on it.
    const answered = new Set([...res.list.map((e) => e.id), ...(res.notFound ?? [])]);
    for (const id of ids) if (!answered.has(id)) deps.emails.saveBody(localId, id, null);
  })();
  return res.list.length;
}

function toBody(e: BodyEmail): EmailBody {
  const values = (parts: BodyEmail['textBody']) => parts.map((p) => (p.partId ? e.bodyValues[p.partId]?.value ?? '' : '')).filter(Boolean);
  const htmlParts = e.htmlBody.filter((p) => p.type === 'text/html');
  const html = htmlParts.length ? values(htmlParts).join('\n') : null;
  // textBody falls back to HTML parts when a message has no plain text (RFC 8621 §4.1.4).
  const textParts = e.textBody.filter((p) => p.type === 'text/plain');
  const text = textParts.length ? values(textParts).join('\n') : html ? convert(html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }] }) : null;
  return {
    text,
    html,
    attachments: e.attachments.map((a) => ({ partId: a.partId ?? null, blobId: a.blobId ?? null, size: a.size, name: a.name ?? null, type: a.type, disposition: a.disposition ?? null, cid: a.cid ?? null })),
  };
}
