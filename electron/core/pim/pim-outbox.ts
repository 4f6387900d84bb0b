// Calendar and contacts edits through the durable outbox: each is applied to the local PIM store
// in the transaction that queues it, sent in order when the server is reachable, and undone from
// the server's copy when the server refuses it. Every action is safe to send twice: a create
// carries its uid and a retry first looks for it, an update sets values, and destroying what is
// gone is done.
import { z } from 'zod';
import type { JmapClient } from '../jmap/client';
import type { Db } from '../store/db';
import type { SyncStateStore } from '../store/sync-state';
import type { ExtensionAction, OutboxExtension } from '../sync/outbox';
import { cardToDialect, cyrusBlobScheme, eventToDialect, patchBetween, withoutNulls, withCyrusExtras } from './dialect-writers';
import { dialectFor, type PimDialect, type Raw, type SyncedType } from './dialects';
import { cardDisplayName, type CalendarEvent, type ContactCard } from './model';
import type { PimStore } from './pim-store';

/** The JMAP type an object lives in: CalendarEvent, ContactCard (IETF), Contact / ContactGroup (Cyrus). */
export type PimObject = CalendarEvent | ContactCard;

export type PimAction =
  | { kind: 'pim.create'; type: string; localId: string; object: PimObject }
  | { kind: 'pim.update'; type: string; id: string; before: PimObject; after: PimObject }
  | { kind: 'pim.destroy'; type: string; id: string; title: string }
  | { kind: 'pim.calendarVisible'; calendarId: string; visible: boolean };

export interface PimOutboxDeps {
  db: Db;
  pim: PimStore;
  syncState: SyncStateStore;
  /** The calendars or contacts of this account changed locally (applied, adopted, rolled back). */
  changed(accountId: string, area: 'calendars' | 'contacts'): void;
}

const SetError = z.looseObject({ type: z.string(), description: z.string().nullable().optional(), properties: z.array(z.string()).nullable().optional() });
const SetResponse = z.looseObject({
  created: z.record(z.string(), z.looseObject({ id: z.string() })).nullable().optional(),
  notCreated: z.record(z.string(), SetError).nullable().optional(),
  notUpdated: z.record(z.string(), SetError).nullable().optional(),
  notDestroyed: z.record(z.string(), SetError).nullable().optional(),
});
const GetRaw = z.looseObject({ list: z.array(z.record(z.string(), z.unknown())), notFound: z.array(z.string()).nullable().optional() });

export const isEventType = (type: string) => type === 'CalendarEvent';
const areaOf = (type: string): 'calendars' | 'contacts' => (type === 'CalendarEvent' || type === 'Calendar' ? 'calendars' : 'contacts');

export class PimOutbox implements OutboxExtension {
  constructor(private readonly deps: PimOutboxDeps) {}

  applyLocally(accountId: string, extension: ExtensionAction): void {
    const action = extension as PimAction;
    const { pim, db } = this.deps;
    switch (action.kind) {
      case 'pim.create':
        this.put(accountId, action.type, action.object);
        break;
      case 'pim.update':
        this.put(accountId, action.type, action.after);
        break;
      case 'pim.destroy':
        if (isEventType(action.type)) pim.removeEvents(accountId, [action.id]);
        else pim.removeCards(accountId, action.type, [action.id]);
        break;
      case 'pim.calendarVisible':
        db.prepare('UPDATE calendar SET is_visible = ? WHERE account_id = ? AND id = ?').run(action.visible ? 1 : 0, accountId, action.calendarId);
        this.deps.changed(accountId, 'calendars');
        return;
    }
    this.deps.changed(accountId, areaOf(action.type));
  }

  describe(extension: ExtensionAction): string {
    const action = extension as PimAction;
    const what = (type: string) => (isEventType(type) ? 'event' : 'contact');
    switch (action.kind) {
      case 'pim.create': return `could not create the ${what(action.type)} "${titleOf(action.object)}"`;
      case 'pim.update': return `could not save the ${what(action.type)} "${titleOf(action.after)}"`;
      case 'pim.destroy': return `could not delete the ${what(action.type)} "${action.title}"`;
      case 'pim.calendarVisible': return `could not ${action.visible ? 'show' : 'hide'} the calendar`;
    }
  }

  async send(client: JmapClient, localId: string, entry: { id: number; attempts: number; action: ExtensionAction }): Promise<string[]> {
    const action = entry.action as PimAction;
    const dialect = dialectFor(client.session);
    if (action.kind === 'pim.calendarVisible') {
      const t = dialect.calendars;
      if (!t || !dialect.calendarAccount) return ['this server has no calendars'];
      const res = await client.call('Calendar/set', { accountId: dialect.calendarAccount, update: { [action.calendarId]: { isVisible: action.visible } } }, SetResponse, t.using);
      return errors(res.notUpdated);
    }
    const target = typeFor(dialect, action.type);
    if (!target) return ['this server does not offer it'];
    const { t, accountId } = target;
    const write = (o: PimObject): Raw => (isEventType(action.type) ? eventToDialect(dialect.name, o as CalendarEvent) : cardToDialect(dialect.name, o as ContactCard));
    // Cyrus takes a contact's photo as an uploaded blob, not inline.
    if (dialect.name === 'cyrus' && action.type === 'Contact') {
      if (action.kind === 'pim.create') action.object = await withUploadedPhoto(client, accountId, action.object as ContactCard);
      if (action.kind === 'pim.update') action.after = await withUploadedPhoto(client, accountId, action.after as ContactCard);
    }
    switch (action.kind) {
      case 'pim.create': {
        // A retry may follow an attempt the server applied: the uid tells.
        let serverId = entry.attempts > 0 ? await findByUid(client, t, accountId, action.object.uid) : null;
        if (!serverId) {
          const res = await client.call(`${t.type}/set`, { accountId, create: { c: withoutNulls(write(action.object)) } }, SetResponse, t.using);
          serverId = res.created?.c?.id ?? null;
          if (!serverId) return errors(res.notCreated);
        }
        const adopted = serverId;
        this.deps.db.transaction(() => this.adopt(localId, action.type, action.localId, adopted))();
        if (adopted !== action.localId) this.deps.changed(localId, areaOf(action.type));
        return [];
      }
      case 'pim.update': {
        const patch = patchBetween(write(action.before), write(action.after));
        if (!Object.keys(patch).length) return [];
        const res = await client.call(`${t.type}/set`, { accountId, update: { [action.id]: patch } }, SetResponse, t.using);
        return errors(res.notUpdated);
      }
      case 'pim.destroy': {
        const res = await client.call(`${t.type}/set`, { accountId, destroy: [action.id] }, SetResponse, t.using);
        return errors(res.notDestroyed, ['notFound']);
      }
    }
  }

  /** Puts the server's copy back (or removes what it never accepted); failing that, the next sync refetches everything. */
  async refused(client: JmapClient, localId: string, extension: ExtensionAction): Promise<void> {
    const action = extension as PimAction;
    const dialect = dialectFor(client.session);
    const type = action.kind === 'pim.calendarVisible' ? 'Calendar' : action.type;
    try {
      if (action.kind === 'pim.calendarVisible') {
        this.deps.db.transaction(() => this.deps.syncState.set(localId, 'Calendar', 'refetch'))();
      } else if (action.kind === 'pim.create') {
        if (isEventType(type)) this.deps.pim.removeEvents(localId, [action.localId]);
        else this.deps.pim.removeCards(localId, type, [action.localId]);
      } else {
        const target = typeFor(dialect, type);
        if (!target) return;
        const res = await client.call(`${type}/get`, { accountId: target.accountId, ids: [action.id] }, GetRaw, target.t.using);
        const list = res.list.map((raw) => modelOf(target.t, raw, dialect.name));
        this.deps.db.transaction(() => {
          if (list.length) this.put(localId, type, list[0]!);
          else if (isEventType(type)) this.deps.pim.removeEvents(localId, [action.id]);
          else this.deps.pim.removeCards(localId, type, [action.id]);
        })();
      }
    } catch {
      // Unreachable now: a state the server cannot use makes the next pass fetch this type afresh.
      this.deps.db.transaction(() => this.deps.syncState.set(localId, type, 'refetch'))();
    }
    this.deps.changed(localId, areaOf(type));
  }

  private put(accountId: string, type: string, object: PimObject): void {
    if (isEventType(type)) this.deps.pim.upsertEvents(accountId, [object as CalendarEvent]);
    else this.deps.pim.upsertCards(accountId, type, [object as ContactCard]);
  }

  /** The server named an object created here: use its id locally and in queued actions; remember the old one. */
  private adopt(localId: string, type: string, oldId: string, serverId: string): void {
    if (oldId === serverId) return;
    const { db } = this.deps;
    const table = isEventType(type) ? 'calendar_event' : 'contact_card';
    db.prepare(`DELETE FROM ${table} WHERE account_id = ? AND id = ?`).run(localId, serverId);
    db.prepare(`UPDATE ${table} SET id = ?, json = json_set(json, '$.id', ?) WHERE account_id = ? AND id = ?`).run(serverId, serverId, localId, oldId);
    db.prepare('INSERT OR REPLACE INTO pim_local_id (account_id, local_id, server_id) VALUES (?, ?, ?)').run(localId, oldId, serverId);
    const pending = db.prepare("SELECT id, payload FROM outbox WHERE account_id = ? AND status = 'pending' AND kind LIKE 'pim.%'").all(localId) as { id: number; payload: string }[];
    const update = db.prepare('UPDATE outbox SET payload = ? WHERE id = ?');
    for (const p of pending) {
      const a = JSON.parse(p.payload) as PimAction;
      // Only ids move: a uid that happens to equal the local id stays what it is.
      if ((a.kind !== 'pim.update' && a.kind !== 'pim.destroy') || a.id !== oldId) continue;
      const moved: PimAction = a.kind === 'pim.update' ? { ...a, id: serverId, before: { ...a.before, id: serverId }, after: { ...a.after, id: serverId } } : { ...a, id: serverId };
      update.run(JSON.stringify(moved), p.id);
    }
  }
}

/** Ids of objects with an edit not yet confirmed by the server: shown as pending, and not overwritten by a sync meanwhile. */
export function pendingPimIds(db: Db, accountId: string): Set<string> {
  const rows = db.prepare("SELECT payload FROM outbox WHERE account_id = ? AND status = 'pending' AND kind LIKE 'pim.%'").pluck().all(accountId) as string[];
  const ids = new Set<string>();
  for (const payload of rows) {
    const a = JSON.parse(payload) as PimAction;
    if (a.kind === 'pim.create') ids.add(a.localId);
    else if (a.kind === 'pim.calendarVisible') ids.add(a.calendarId);
    else ids.add(a.id);
  }
  return ids;
}

/** A local id the server has since replaced, resolved to the server's id. */
export function resolvePimId(db: Db, accountId: string, id: string): string {
  return (db.prepare('SELECT server_id FROM pim_local_id WHERE account_id = ? AND local_id = ?').pluck().get(accountId, id) as string | undefined) ?? id;
}

function typeFor(dialect: PimDialect, type: string): { t: SyncedType<unknown>; accountId: string } | null {
  if (type === 'CalendarEvent') return dialect.events && dialect.calendarAccount ? { t: dialect.events, accountId: dialect.calendarAccount } : null;
  const t = dialect.cards.find((c) => c.type === type);
  return t && dialect.contactsAccount ? { t, accountId: dialect.contactsAccount } : null;
}

/** The server's object in the model, as the sync stores it. */
export function modelOf(t: SyncedType<unknown>, raw: Raw, dialect: PimDialect['name']): PimObject {
  const model = t.toModel(raw) as PimObject;
  return dialect === 'cyrus' && t.type === 'Contact' ? withCyrusExtras(model as ContactCard, raw) : model;
}

/** The card with an inline (data:) photo uploaded and named by its blob instead. */
async function withUploadedPhoto(client: JmapClient, accountId: string, card: ContactCard): Promise<ContactCard> {
  const media = (card.media && typeof card.media === 'object' ? card.media : {}) as Record<string, Raw>;
  const entry = Object.entries(media).find(([, m]) => m?.kind === 'photo' && typeof m.uri === 'string' && m.uri.startsWith('data:'));
  if (!entry) return card;
  const [key, photo] = entry;
  const match = /^data:([\w/+.-]+);base64,(.*)$/s.exec(photo.uri as string);
  if (!match) return card;
  const bytes = Buffer.from(match[2]!, 'base64');
  const blob = await client.upload(accountId, bytes, match[1]!);
  return { ...card, media: { ...media, [key]: { ...photo, uri: `${cyrusBlobScheme}${blob.blobId}`, mediaType: match[1], size: bytes.length } } };
}

async function findByUid(client: JmapClient, t: SyncedType<unknown>, accountId: string, uid: string): Promise<string | null> {
  const res = await client.call(`${t.type}/get`, { accountId, ids: null, properties: ['uid'] }, GetRaw, t.using);
  const hit = res.list.find((o) => o.uid === uid);
  return typeof hit?.id === 'string' ? hit.id : null;
}

function titleOf(o: PimObject): string {
  return o['@type'] === 'Event' ? (o as CalendarEvent).title || '(no title)' : cardDisplayName(o as ContactCard) || '(no name)';
}

type SetErrorShape = { type: string; description?: string | null | undefined; properties?: string[] | null | undefined };

function errors(map: Record<string, SetErrorShape> | null | undefined, ignore: string[] = []): string[] {
  const known: Record<string, string> = {
    invalidProperties: 'the server refused some of its details',
    notFound: 'it no longer exists on the server',
    forbidden: 'you do not have permission',
    overQuota: 'the account is over its quota',
  };
  return Object.values(map ?? {})
    .filter((e) => !ignore.includes(e.type))
    .map((e) => [known[e.type] ?? e.type, e.description || (e.properties?.length ? e.properties.join(', ') : null)].filter(Boolean).join(': '));
}
