// Keeps an account's emails equal to the server's. The first sync pages the whole account
// newest-first (resumable after a crash); later syncs ask what changed and fetch only that.
import { z } from 'zod';
import type { JmapClient } from '../jmap/client';
import { JmapProtocolError } from '../jmap/errors';
import {
  EmailMetaSchema,
  EmailMutableSchema,
  QueryResponse,
  emailMetaProperties,
  emailMutableProperties,
} from '../jmap/mail-schemas';
import type { Db } from '../store/db';
import type { EmailMeta, EmailStore } from '../store/emails';
import type { SyncStateStore } from '../store/sync-state';

export interface EmailSyncDeps {
  db: Db;
  emails: EmailStore;
  syncState: SyncStateStore;
}

export interface EmailSyncOptions {
  /** Emails per page of the first sync; capped by the server's maxObjectsInGet. */
  pageSize?: number;
  /** Called after each committed page, so views can refresh while a long sync runs. */
  onProgress?: (fetched: number, total: number | null) => void;
  /** Emails per transaction while writing a page. */
  writeChunk?: number;
}

const type = 'Email';
const RawGet = z.looseObject({ state: z.string(), list: z.array(z.unknown()), notFound: z.array(z.string()).nullable().optional() });

interface Progress {
  startState: string;
  anchor: string | null;
  fetched: number;
  total: number | null;
}

/**
 * The first sync. Pages with an anchor (the last id stored) rather than a position, so mail
 * arriving or leaving meanwhile cannot shift a page; /changes from the state taken before the
 * first page then catches up with whatever happened during paging.
 *
 * The next page is requested before the current one is written, so the network and SQLite
 * work overlap, and each page is written in small transactions with a yield between them, so
 * the event loop is never held for long. Each transaction stores its emails together with the
 * anchor after them: a crash at any point resumes exactly after what was stored.
 */
export async function initialEmailSync(client: JmapClient, deps: EmailSyncDeps, localId: string, accountId: string, opts: EmailSyncOptions = {}): Promise<void> {
  const pageSize = Math.max(1, Math.min(opts.pageSize ?? 500, client.session.limits.maxObjectsInGet || 500));
  const chunkSize = opts.writeChunk ?? 50;
  let progress = readProgress(deps.db, localId);
  const fetchPage = (anchor: string | null, first: boolean) => {
    const batch = client.batch();
    const query = batch.call(
      'Email/query',
      {
        accountId,
        sort: [{ property: 'receivedAt', isAscending: false }],
        ...(anchor ? { anchor, anchorOffset: 1 } : { position: 0 }),
        limit: pageSize,
        calculateTotal: first,
      },
      QueryResponse,
    );
    const get = batch.call('Email/get', { accountId, '#ids': query.ref('/ids'), properties: emailMetaProperties }, RawGet);
    return batch.send().then((result) => ({ query: result.get(query), get: result.get(get) }));
  };
  let pending = fetchPage(progress?.anchor ?? null, !progress);
  for (;;) {
    let page;
    try {
      page = await pending;
    } catch (err) {
      // The anchor email was deleted since: restart paging; stored emails are simply rewritten.
      if (progress?.anchor && isMethodError(err, 'anchorNotFound')) {
        progress = { ...progress, anchor: null };
        pending = fetchPage(null, false);
        continue;
      }
      throw err;
    }
    const ids = page.query.ids;
    const done = ids.length < pageSize;
    const startState = progress?.startState ?? page.get.state;
    const total = progress?.total ?? page.query.total ?? null;
    if (!done) {
      pending = fetchPage(ids.at(-1)!, false);
      pending.catch(() => {}); // awaited next round; this only prevents an unhandled-rejection warning
    }
    const byId = new Map<string, unknown>();
    for (const item of page.get.list) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') byId.set(id, item);
    }
    let fetched = progress?.fetched ?? 0;
    for (let i = 0; i < ids.length || (done && i === 0); i += chunkSize) {
      const chunkIds = ids.slice(i, i + chunkSize);
      const emails = chunkIds.flatMap((id) => (byId.has(id) ? [parseEmail(byId.get(id))] : []));
      const last = i + chunkSize >= ids.length;
      fetched += emails.length;
      const next: Progress = { startState, anchor: chunkIds.at(-1) ?? progress?.anchor ?? null, fetched, total };
      deps.db.transaction(() => {
        deps.emails.upsert(localId, emails, { index: false });
        if (done && last) {
          deps.db.prepare('DELETE FROM initial_sync WHERE account_id = ? AND type = ?').run(localId, type);
          deps.syncState.set(localId, type, startState);
        } else {
          writeProgress(deps.db, localId, next);
        }
      })();
      progress = next;
      if (!last) await new Promise((resolve) => setImmediate(resolve));
    }
    opts.onProgress?.(fetched, total);
    if (done) return;
  }
}

/** Emails are validated one at a time, so no single step of a big page holds the event loop. */
function parseEmail(raw: unknown): EmailMeta {
  const parsed = EmailMetaSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JmapProtocolError(`The server sent a malformed Email: ${issue?.path.join('.') || 'object'}: ${issue?.message}`);
  }
  return parsed.data;
}

export interface EmailChanges {
  created: string[];
  updated: string[];
  destroyed: string[];
  newState: string;
  hasMoreChanges: boolean;
}

export interface FetchedEmails {
  fresh: EmailMeta[];
  mutable: { id: string; keywords: Record<string, boolean>; mailboxIds: Record<string, boolean> }[];
  notFound: string[];
}

/** What must be fetched for a set of changes: new emails whole, changed ones only their mutable part. */
export function emailsToFetch(changes: EmailChanges): { created: string[]; updated: string[] } {
  const destroyed = new Set(changes.destroyed);
  const created = changes.created.filter((id) => !destroyed.has(id));
  const createdSet = new Set(created);
  return { created, updated: changes.updated.filter((id) => !destroyed.has(id) && !createdSet.has(id)) };
}

export async function fetchEmails(client: JmapClient, accountId: string, ids: { created: string[]; updated: string[] }): Promise<FetchedEmails> {
  const [fresh, mutable] = await Promise.all([
    ids.created.length ? client.getAll('Email', accountId, ids.created, emailMetaProperties, EmailMetaSchema) : null,
    ids.updated.length ? client.getAll('Email', accountId, ids.updated, emailMutableProperties, EmailMutableSchema) : null,
  ]);
  return { fresh: fresh?.list ?? [], mutable: mutable?.list ?? [], notFound: [...(fresh?.notFound ?? []), ...(mutable?.notFound ?? [])] };
}

/**
 * Writes fetched emails, removals and the new state. Call inside one transaction. Returns ids
 * reported as updated that are not stored locally, to be fetched whole.
 */
export function writeEmailChanges(deps: EmailSyncDeps, localId: string, changes: EmailChanges, fetched: FetchedEmails): string[] {
  const unknown: string[] = [];
  deps.emails.upsert(localId, fetched.fresh);
  for (const e of fetched.mutable) {
    if (!deps.emails.updateMutable(localId, e.id, e.keywords, e.mailboxIds)) unknown.push(e.id);
  }
  // Vanished between /changes and /get: gone, and the next /changes will agree.
  deps.emails.remove(localId, [...changes.destroyed, ...fetched.notFound]);
  deps.syncState.set(localId, type, changes.newState);
  return unknown;
}

/** Fetches and applies one Email/changes response on its own. */
export async function applyEmailChanges(client: JmapClient, deps: EmailSyncDeps, localId: string, accountId: string, changes: EmailChanges): Promise<void> {
  const fetched = await fetchEmails(client, accountId, emailsToFetch(changes));
  const unknown = deps.db.transaction(() => writeEmailChanges(deps, localId, changes, fetched))();
  await fetchMissing(client, deps, localId, accountId, unknown);
}

/** Emails the server says changed but we never had (e.g. a local row lost): fetched whole. */
export async function fetchMissing(client: JmapClient, deps: EmailSyncDeps, localId: string, accountId: string, ids: string[]): Promise<void> {
  if (!ids.length) return;
  const whole = await client.getAll('Email', accountId, ids, emailMetaProperties, EmailMetaSchema);
  deps.db.transaction(() => deps.emails.upsert(localId, whole.list))();
}

/**
 * A re-sync for when the server cannot calculate changes: lists every id on the server,
 * drops local emails it no longer has, fetches new ones whole and re-reads keywords and
 * mailboxes of the rest.
 */
export async function resyncEmails(client: JmapClient, deps: EmailSyncDeps, localId: string, accountId: string): Promise<void> {
  const pageSize = Math.max(1, client.session.limits.maxObjectsInGet || 500) * 4;
  const first = await client.call('Email/get', { accountId, ids: [] }, z.looseObject({ state: z.string() }));
  const serverIds: string[] = [];
  for (let position = 0; ; position += pageSize) {
    const page = await client.call('Email/query', { accountId, position, limit: pageSize }, QueryResponse);
    serverIds.push(...page.ids);
    if (page.ids.length < pageSize) break;
  }
  const local = new Set(deps.db.prepare('SELECT id FROM email WHERE account_id = ?').pluck().all(localId) as string[]);
  const onServer = new Set(serverIds);
  await applyEmailChanges(client, deps, localId, accountId, {
    created: serverIds.filter((id) => !local.has(id)),
    updated: serverIds.filter((id) => local.has(id)),
    destroyed: [...local].filter((id) => !onServer.has(id)),
    newState: first.state,
    hasMoreChanges: false,
  });
}


function readProgress(db: Db, localId: string): Progress | null {
  const row = db
    .prepare('SELECT start_state AS startState, anchor, fetched, total FROM initial_sync WHERE account_id = ? AND type = ?')
    .get(localId, type) as Progress | undefined;
  return row ?? null;
}

function writeProgress(db: Db, localId: string, p: Progress): void {
  db.prepare(
    `INSERT INTO initial_sync (account_id, type, start_state, anchor, fetched, total) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id, type) DO UPDATE SET anchor = excluded.anchor, fetched = excluded.fetched, total = excluded.total`,
  ).run(localId, type, p.startState, p.anchor, p.fetched, p.total);
}

function isMethodError(err: unknown, type: string): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === type;
}

/** True while the first sync of this account has not finished. */
export function initialSyncPending(deps: EmailSyncDeps, localId: string): boolean {
  return deps.syncState.get(localId, type) === null;
}
