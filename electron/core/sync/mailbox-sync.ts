// Keeps an account's mailboxes equal to the server's: a full Mailbox/get the first time,
// then Mailbox/changes with the changed objects fetched in the same request.
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

const properties = ['id', 'name', 'parentId', 'role', 'sortOrder', 'totalEmails', 'unreadEmails', 'totalThreads', 'unreadThreads', 'isSubscribed', 'myRights'];

const GetResponse = z.looseObject({ state: z.string(), list: z.array(MailboxSchema), notFound: z.array(z.string()).nullable().optional() });
const ChangesResponse = z.looseObject({
  oldState: z.string(),
  newState: z.string(),
  hasMoreChanges: z.boolean(),
  created: z.array(z.string()),
  updated: z.array(z.string()),
  destroyed: z.array(z.string()),
});

export interface MailboxSyncDeps {
  db: Db;
  mailboxes: MailboxStore;
  syncState: SyncStateStore;
}

const type = 'Mailbox';

/** Brings the local mailboxes up to date. Returns whether anything changed. */
export async function syncMailboxes(client: JmapClient, deps: MailboxSyncDeps, localId: string, accountId: string): Promise<boolean> {
  const since = deps.syncState.get(localId, type);
  if (since === null) return fullSync(client, deps, localId, accountId);
  try {
    return await syncChanges(client, deps, localId, accountId, since);
  } catch (err) {
    if (stateUnusable(err)) return fullSync(client, deps, localId, accountId);
    throw err;
  }
}

async function fullSync(client: JmapClient, deps: MailboxSyncDeps, localId: string, accountId: string): Promise<boolean> {
  const res = await client.call('Mailbox/get', { accountId, ids: null, properties }, GetResponse);
  deps.db.transaction(() => {
    const seen = new Set(res.list.map((m) => m.id));
    deps.mailboxes.remove(localId, deps.mailboxes.ids(localId).filter((id) => !seen.has(id)));
    for (const m of res.list) deps.mailboxes.upsert(localId, toRecord(m));
    deps.syncState.set(localId, type, res.state);
  })();
  return true;
}

async function syncChanges(client: JmapClient, deps: MailboxSyncDeps, localId: string, accountId: string, since: string): Promise<boolean> {
  let state = since;
  let changed = false;
  for (;;) {
    const batch = client.batch();
    const changes = batch.call('Mailbox/changes', { accountId, sinceState: state }, ChangesResponse);
    const created = batch.call('Mailbox/get', { accountId, '#ids': changes.ref('/created'), properties }, GetResponse);
    const updated = batch.call('Mailbox/get', { accountId, '#ids': changes.ref('/updated'), properties }, GetResponse);
    const result = await batch.send();
    const c = result.get(changes);
    const any = c.created.length + c.updated.length + c.destroyed.length > 0;
    if (c.newState === state && !any) return changed;
    // Cyrus moves one state for all types, so a new state with nothing in it is common.
    const fetched = [...result.get(created).list, ...result.get(updated).list];
    deps.db.transaction(() => {
      for (const m of fetched) deps.mailboxes.upsert(localId, toRecord(m));
      deps.mailboxes.remove(localId, c.destroyed);
      deps.syncState.set(localId, type, c.newState);
    })();
    changed ||= any;
    state = c.newState;
    if (!c.hasMoreChanges) return changed;
  }
}

/**
 * The stored state cannot be used for /changes: RFC 8620 says cannotCalculateChanges; Cyrus
 * answers invalidArguments for a state it does not recognise. Either way, start over.
 */
export function stateUnusable(err: unknown): boolean {
  return err instanceof JmapMethodError && (err.type === 'cannotCalculateChanges' || err.type === 'invalidArguments');
}

function toRecord(m: z.output<typeof MailboxSchema>): MailboxRecord {
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
