// Mailbox objects: the schema the sync reads, the full fetch for a first or broken sync, and
// the local write of a set of changes.
import { z } from 'zod';
import type { JmapClient } from '../jmap/client';
import { JmapMethodError } from '../jmap/errors';
import type { Db } from '../store/db';
import type { MailboxRecord, MailboxStore } from '../store/mailboxes';
import type { SyncStateStore } from '../store/sync-state';

const count = z.number().int().nonnegative().catch(0);

/** A server Mailbox, validated; odd values fall back to safe defaults rather than failing the sync. */
export const MailboxSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  parentId: z.string().nullable().catch(null),
  role: z.string().nullable().catch(null),
  sortOrder: z.number().int().catch(0),
  totalEmails: count,
  unreadEmails: count,
  totalThreads: count,
  unreadThreads: count,
  isSubscribed: z.boolean().catch(true),
  myRights: z.record(z.string(), z.boolean()).nullable().catch(null),
});
export type ServerMailbox = z.output<typeof MailboxSchema>;

export const mailboxProperties = ['id', 'name', 'parentId', 'role', 'sortOrder', 'totalEmails', 'unreadEmails', 'totalThreads', 'unreadThreads', 'isSubscribed', 'myRights'];

const GetResponse = z.looseObject({ state: z.string(), list: z.array(MailboxSchema), notFound: z.array(z.string()).nullable().optional() });

export interface MailboxSyncDeps {
  db: Db;
  mailboxes: MailboxStore;
  syncState: SyncStateStore;
}

const type = 'Mailbox';

/** Replaces the local mailboxes with the server's full list, and stores its state with them. */
export async function fullMailboxSync(client: JmapClient, deps: MailboxSyncDeps, localId: string, accountId: string): Promise<void> {
  const res = await client.call('Mailbox/get', { accountId, ids: null, properties: mailboxProperties }, GetResponse);
  deps.db.transaction(() => {
    const seen = new Set(res.list.map((m) => m.id));
    deps.mailboxes.remove(localId, deps.mailboxes.ids(localId).filter((id) => !seen.has(id)));
    for (const m of res.list) deps.mailboxes.upsert(localId, toRecord(m));
    deps.syncState.set(localId, type, res.state);
  })();
}

/** Writes fetched mailboxes and removals. Call inside the transaction that stores the new state. */
export function writeMailboxChanges(deps: MailboxSyncDeps, localId: string, fetched: readonly ServerMailbox[], destroyed: readonly string[], newState: string): void {
  for (const m of fetched) deps.mailboxes.upsert(localId, toRecord(m));
  deps.mailboxes.remove(localId, destroyed);
  deps.syncState.set(localId, type, newState);
}

/**
 * The stored state cannot be used for /changes: RFC 8620 says cannotCalculateChanges; Cyrus
 * answers invalidArguments for a state it does not recognise. Either way, start over.
 */
export function stateUnusable(err: unknown): boolean {
  return err instanceof JmapMethodError && (err.type === 'cannotCalculateChanges' || err.type === 'invalidArguments');
}

function toRecord(m: ServerMailbox): MailboxRecord {
  return {
    id: m.id,
    name: m.name,
    parentId: m.parentId,
    role: m.role,
    sortOrder: m.sortOrder,
    totalEmails: m.totalEmails,
    unreadEmails: m.unreadEmails,
    totalThreads: m.totalThreads,
    unreadThreads: m.unreadThreads,
    isSubscribed: m.isSubscribed,
    myRights: m.myRights,
  };
}
