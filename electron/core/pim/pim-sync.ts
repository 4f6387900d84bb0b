// Mirrors an account's calendars, events, address books and cards: a full /get the first time,
// then /changes with the changed objects fetched in the same request, each type's objects
// written with its new state in one transaction, as for mail.
import { z } from 'zod';
import type { JmapClient } from '../jmap/client';
import { ChangesResponse } from '../jmap/mail-schemas';
import type { Db } from '../store/db';
import type { SyncStateStore } from '../store/sync-state';
import { stateUnusable } from '../sync/mailbox-sync';
import { dialectFor, type Raw, type SyncedType } from './dialects';
import type { PimStore } from './pim-store';

export interface PimSyncDeps {
  db: Db;
  syncState: SyncStateStore;
  pim: PimStore;
  log?: (message: string) => void;
}

/** Where one type's objects go. */
interface Sink<T> {
  replaceAll(list: T[]): void;
  upsert(list: T[]): void;
  remove(ids: string[]): void;
}

const GetRaw = z.looseObject({ state: z.string(), list: z.array(z.record(z.string(), z.unknown())), notFound: z.array(z.string()).nullable().optional() });

export interface PimOutcome {
  calendarsChanged: boolean;
  contactsChanged: boolean;
}

/** One pass over every calendar and contacts type the server offers. */
export async function syncPim(client: JmapClient, deps: PimSyncDeps, localId: string): Promise<PimOutcome> {
  const dialect = dialectFor(client.session);
  const outcome: PimOutcome = { calendarsChanged: false, contactsChanged: false };
  const { pim } = deps;
  // Every type is synced on every pass: the flags are OR-ed after each call, never short-circuited.
  if (dialect.calendarAccount) {
    const account = dialect.calendarAccount;
    if (dialect.calendars) {
      outcome.calendarsChanged = (await syncType(client, deps, localId, account, dialect.calendars, {
        replaceAll: (l) => pim.replaceCalendars(localId, l),
        upsert: (l) => pim.upsertCalendars(localId, l),
        remove: (ids) => pim.removeCalendars(localId, ids),
      })) || outcome.calendarsChanged;
    }
    if (dialect.events) {
      outcome.calendarsChanged = (await syncType(client, deps, localId, account, dialect.events, {
        replaceAll: (l) => pim.replaceEvents(localId, l),
        upsert: (l) => pim.upsertEvents(localId, l),
        remove: (ids) => pim.removeEvents(localId, ids),
      })) || outcome.calendarsChanged;
    }
  }
  if (dialect.contactsAccount) {
    const account = dialect.contactsAccount;
    if (dialect.addressBooks) {
      outcome.contactsChanged = (await syncType(client, deps, localId, account, dialect.addressBooks, {
        replaceAll: (l) => pim.replaceAddressBooks(localId, l),
        upsert: (l) => pim.upsertAddressBooks(localId, l),
        remove: (ids) => pim.removeAddressBooks(localId, ids),
      })) || outcome.contactsChanged;
    }
    for (const cards of dialect.cards) {
      outcome.contactsChanged = (await syncType(client, deps, localId, account, cards, {
        replaceAll: (l) => pim.replaceCards(localId, cards.type, l),
        upsert: (l) => pim.upsertCards(localId, cards.type, l),
        remove: (ids) => pim.removeCards(localId, cards.type, ids),
      })) || outcome.contactsChanged;
    }
  }
  return outcome;
}

/** Brings one type up to date. Returns whether any object changed. */
export async function syncType<T>(client: JmapClient, deps: PimSyncDeps, localId: string, accountId: string, t: SyncedType<T>, sink: Sink<T>): Promise<boolean> {
  const since = deps.syncState.get(localId, t.type);
  if (since !== null) {
    try {
      return await syncChanges(client, deps, localId, accountId, t, sink, since);
    } catch (err) {
      if (!stateUnusable(err)) throw err;
    }
  }
  const res = await client.call(`${t.type}/get`, { accountId, ids: null }, GetRaw, t.using);
  const list = convert(res.list, t, deps);
  deps.db.transaction(() => {
    sink.replaceAll(list);
    deps.syncState.set(localId, t.type, res.state);
  })();
  return true;
}

async function syncChanges<T>(client: JmapClient, deps: PimSyncDeps, localId: string, accountId: string, t: SyncedType<T>, sink: Sink<T>, since: string): Promise<boolean> {
  let state = since;
  let changed = false;
  for (;;) {
    const batch = client.batch(t.using);
    const changes = batch.call(`${t.type}/changes`, { accountId, sinceState: state }, ChangesResponse);
    const created = batch.call(`${t.type}/get`, { accountId, '#ids': changes.ref('/created') }, GetRaw);
    const updated = batch.call(`${t.type}/get`, { accountId, '#ids': changes.ref('/updated') }, GetRaw);
    const result = await batch.send();
    const c = result.get(changes);
    const any = c.created.length + c.updated.length + c.destroyed.length > 0;
    if (c.newState === state && !any) return changed;
    const fetched = convert([...result.get(created).list, ...result.get(updated).list], t, deps);
    deps.db.transaction(() => {
      sink.upsert(fetched);
      sink.remove(c.destroyed);
      deps.syncState.set(localId, t.type, c.newState);
    })();
    changed ||= any;
    state = c.newState;
    if (!c.hasMoreChanges) return changed;
  }
}

/** One malformed object must not stop a calendar from syncing: it is logged and left out. */
function convert<T>(list: Raw[], t: SyncedType<T>, deps: PimSyncDeps): T[] {
  const out: T[] = [];
  for (const raw of list) {
    try {
      out.push(t.toModel(raw));
    } catch (err) {
      (deps.log ?? console.warn)(`skipped a malformed ${t.type}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return out;
}
