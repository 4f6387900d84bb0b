// Mirrors an account's calendars, events, address books and cards: a full /get the first time,
// then /changes with the changed objects fetched in the same request, each type's objects
// written with its new state in one transaction, as for mail.
import { z } from 'zod';
import type { Batch, BatchResult, CallHandle, JmapClient } from '../jmap/client';
import { ChangesResponse } from '../jmap/mail-schemas';
import type { Db } from '../store/db';
import type { SyncStateStore } from '../store/sync-state';
import { stateUnusable } from '../sync/mailbox-sync';
import { dialectFor, type Raw, type SyncedType } from './dialects';
import { modelOf, pendingPimIds } from './pim-outbox';
import type { CalendarEvent, ContactCard } from './model';
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

interface Participant<T> {
  t: SyncedType<T>;
  accountId: string;
  sink: Sink<T>;
  area: keyof PimOutcome;
}

/** Every calendar and contacts type the server offers, with where its objects go. */
function participants(client: JmapClient, deps: PimSyncDeps, localId: string): Participant<unknown>[] {
  const dialect = dialectFor(client.session);
  const { pim } = deps;
  const out: Participant<never>[] = [];
  // An object with an edit still queued keeps its local version until the edit is sent.
  const add = <T extends { id: string }>(p: Participant<T>) => {
    const upsert = p.sink.upsert;
    const sink = { ...p.sink, upsert: (list: T[]) => {
      const pending = pendingPimIds(deps.db, localId);
      upsert(pending.size ? list.filter((o) => !pending.has(o.id)) : list);
    } };
    const t = { ...p.t, toModel: (raw: Raw) => modelOf(p.t, raw, dialect.name) as unknown as T };
    out.push({ ...p, sink, t } as unknown as Participant<never>);
  };
  const cal = dialect.calendarAccount;
  if (cal && dialect.calendars) {
    add({ t: dialect.calendars, accountId: cal, area: 'calendarsChanged', sink: { replaceAll: (l) => pim.replaceCalendars(localId, l), upsert: (l) => pim.upsertCalendars(localId, l), remove: (ids) => pim.removeCalendars(localId, ids) } });
  }
  if (cal && dialect.events) {
    const replaceEvents = keepingPending<CalendarEvent>(deps, localId, 'SELECT id FROM calendar_event WHERE account_id = ?', [], (l) => pim.replaceEvents(localId, l), (l) => pim.upsertEvents(localId, l), (ids) => pim.removeEvents(localId, ids));
    add({ t: dialect.events, accountId: cal, area: 'calendarsChanged', sink: { replaceAll: replaceEvents, upsert: (l) => pim.upsertEvents(localId, l), remove: (ids) => pim.removeEvents(localId, ids) } });
  }
  const con = dialect.contactsAccount;
  if (con && dialect.addressBooks) {
    add({ t: dialect.addressBooks, accountId: con, area: 'contactsChanged', sink: { replaceAll: (l) => pim.replaceAddressBooks(localId, l), upsert: (l) => pim.upsertAddressBooks(localId, l), remove: (ids) => pim.removeAddressBooks(localId, ids) } });
  }
  for (const cards of con ? dialect.cards : []) {
    const replaceCards = keepingPending<ContactCard>(deps, localId, 'SELECT id FROM contact_card WHERE account_id = ? AND source_type = ?', [cards.type], (l) => pim.replaceCards(localId, cards.type, l), (l) => pim.upsertCards(localId, cards.type, l), (ids) => pim.removeCards(localId, cards.type, ids));
    add({ t: cards, accountId: con!, area: 'contactsChanged', sink: { replaceAll: replaceCards, upsert: (l) => pim.upsertCards(localId, cards.type, l), remove: (ids) => pim.removeCards(localId, cards.type, ids) } });
  }
  return out as Participant<unknown>[];
}

/** A full refetch replaces what is stored, except objects with an edit still queued (a create not yet sent, too). */
function keepingPending<T extends { id: string }>(
  deps: PimSyncDeps, localId: string, idsSql: string, idsArgs: unknown[],
  replace: (l: T[]) => void, upsert: (l: T[]) => void, remove: (ids: string[]) => void,
): (list: T[]) => void {
  return (list) => {
    const pending = pendingPimIds(deps.db, localId);
    if (!pending.size) return replace(list);
    const keep = new Set([...pending, ...list.map((o) => o.id)]);
    remove((deps.db.prepare(idsSql).pluck().all(localId, ...idsArgs) as string[]).filter((id) => !keep.has(id)));
    upsert(list.filter((o) => !pending.has(o.id)));
  };
}

/** The calendar and contacts part of a poll: calls added to a batch, and how to read their answers. */
export interface PimPoll {
  /** Capabilities the added calls need in the batch's `using`. */
  using: string[];
  /** Adds /changes and back-referenced /get calls; returns what applies their results. */
  add(batch: Batch): (result: BatchResult) => Promise<PimOutcome>;
}

/**
 * Types never synced get a full /get now (their own requests, once per account); all the others
 * are returned as a poll whose calls join another batch, so a quiet poll stays one request.
 */
export async function preparePim(client: JmapClient, deps: PimSyncDeps, localId: string): Promise<{ outcome: PimOutcome; poll: PimPoll | null }> {
  const outcome: PimOutcome = { calendarsChanged: false, contactsChanged: false };
  const known: { p: Participant<unknown>; since: string }[] = [];
  for (const p of participants(client, deps, localId)) {
    const since = deps.syncState.get(localId, p.t.type);
    if (since === null) {
      await fullSync(client, deps, localId, p);
      outcome[p.area] = true;
    } else known.push({ p, since });
  }
  if (!known.length) return { outcome, poll: null };
  return {
    outcome,
    poll: {
      using: [...new Set(known.flatMap(({ p }) => p.t.using))],
      add: (batch) => {
        const calls = known.map(({ p, since }) => {
          const changes = batch.call(`${p.t.type}/changes`, { accountId: p.accountId, sinceState: since }, ChangesResponse);
          const created = batch.call(`${p.t.type}/get`, { accountId: p.accountId, '#ids': changes.ref('/created') }, GetRaw);
          const updated = batch.call(`${p.t.type}/get`, { accountId: p.accountId, '#ids': changes.ref('/updated') }, GetRaw);
          return { p, since, changes, created, updated };
        });
        return (result) => applyPoll(client, deps, localId, calls, result);
      },
    },
  };
}

/** One pass on its own (the account pass folds the poll into the mail poll instead). */
export async function syncPim(client: JmapClient, deps: PimSyncDeps, localId: string): Promise<PimOutcome> {
  const { outcome, poll } = await preparePim(client, deps, localId);
  if (!poll) return outcome;
  const batch = client.batch(poll.using);
  const apply = poll.add(batch);
  const more = await apply(await batch.send());
  return { calendarsChanged: outcome.calendarsChanged || more.calendarsChanged, contactsChanged: outcome.contactsChanged || more.contactsChanged };
}

interface PollCalls {
  p: Participant<unknown>;
  since: string;
  changes: CallHandle<z.output<typeof ChangesResponse>>;
  created: CallHandle<z.output<typeof GetRaw>>;
  updated: CallHandle<z.output<typeof GetRaw>>;
}

async function applyPoll(client: JmapClient, deps: PimSyncDeps, localId: string, calls: PollCalls[], result: BatchResult): Promise<PimOutcome> {
  const outcome: PimOutcome = { calendarsChanged: false, contactsChanged: false };
  for (const { p, since, changes, created, updated } of calls) {
    let c;
    try {
      c = result.get(changes);
    } catch (err) {
      if (!stateUnusable(err)) throw err;
      await fullSync(client, deps, localId, p);
      outcome[p.area] = true;
      continue;
    }
    const any = c.created.length + c.updated.length + c.destroyed.length > 0;
    if (c.newState !== since || any) {
      const fetched = convert([...result.get(created).list, ...result.get(updated).list], p.t, deps);
      deps.db.transaction(() => {
        p.sink.upsert(fetched);
        p.sink.remove(c.destroyed);
        deps.syncState.set(localId, p.t.type, c.newState);
      })();
    }
    if (any) outcome[p.area] = true;
    // Rare: more changes than one answer holds. Follow this type on its own until done.
    if (c.hasMoreChanges && (await syncChanges(client, deps, localId, p.accountId, p.t, p.sink, c.newState))) outcome[p.area] = true;
  }
  return outcome;
}

async function fullSync<T>(client: JmapClient, deps: PimSyncDeps, localId: string, p: Participant<T>): Promise<void> {
  const res = await client.call(`${p.t.type}/get`, { accountId: p.accountId, ids: null }, GetRaw, p.t.using);
  const list = convert(res.list, p.t, deps);
  deps.db.transaction(() => {
    p.sink.replaceAll(list);
    deps.syncState.set(localId, p.t.type, res.state);
  })();
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
