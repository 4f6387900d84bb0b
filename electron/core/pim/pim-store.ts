// Calendars, events, address books and cards as last synced, in the client's own model.
// Queryable columns sit beside the full JSON object, which is what the UI reads.
import type { Db } from '../store/db';
import { cardDisplayName, type AddressBook, type Calendar, type CalendarEvent, type ContactCard } from './model';

export class PimStore {
  constructor(private readonly db: Db) {}

  // Calendars ---------------------------------------------------------------------------
  replaceCalendars(accountId: string, list: readonly Calendar[]): void {
    this.db.prepare('DELETE FROM calendar WHERE account_id = ?').run(accountId);
    this.upsertCalendars(accountId, list);
  }
  upsertCalendars(accountId: string, list: readonly Calendar[]): void {
    const stmt = this.db.prepare(
      `INSERT OR REPLACE INTO calendar (account_id, id, name, color, sort_order, is_visible, may_write) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const c of list) stmt.run(accountId, c.id, c.name, c.color, c.sortOrder, c.isVisible ? 1 : 0, c.mayWrite ? 1 : 0);
  }
  removeCalendars(accountId: string, ids: readonly string[]): void {
    const stmt = this.db.prepare('DELETE FROM calendar WHERE account_id = ? AND id = ?');
    for (const id of ids) stmt.run(accountId, id);
  }
  calendars(accountId: string): Calendar[] {
    return (
      this.db
        .prepare('SELECT id, name, color, sort_order AS sortOrder, is_visible AS isVisible, may_write AS mayWrite FROM calendar WHERE account_id = ? ORDER BY sort_order, name')
        .all(accountId) as (Omit<Calendar, 'isVisible' | 'mayWrite'> & { isVisible: number; mayWrite: number })[]
    ).map((r) => ({ ...r, isVisible: r.isVisible === 1, mayWrite: r.mayWrite === 1 }));
  }

  // Events --------------------------------------------------------------------------------
  replaceEvents(accountId: string, list: readonly CalendarEvent[]): void {
    this.db.prepare('DELETE FROM calendar_event WHERE account_id = ?').run(accountId);
    this.upsertEvents(accountId, list);
  }
  upsertEvents(accountId: string, list: readonly CalendarEvent[]): void {
    const stmt = this.db.prepare(
      `INSERT OR REPLACE INTO calendar_event (account_id, id, uid, title, start, time_zone, recurring, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const e of list) stmt.run(accountId, e.id, e.uid, e.title, e.start, e.timeZone, e.recurrenceRules?.length ? 1 : 0, JSON.stringify(e));
  }
  removeEvents(accountId: string, ids: readonly string[]): void {
    const stmt = this.db.prepare('DELETE FROM calendar_event WHERE account_id = ? AND id = ?');
    for (const id of ids) stmt.run(accountId, id);
  }
  events(accountId: string): CalendarEvent[] {
    return (this.db.prepare('SELECT json FROM calendar_event WHERE account_id = ? ORDER BY start').pluck().all(accountId) as string[]).map(
      (j) => JSON.parse(j) as CalendarEvent,
    );
  }

  event(accountId: string, id: string): CalendarEvent | null {
    const json = this.db.prepare('SELECT json FROM calendar_event WHERE account_id = ? AND id = ?').pluck().get(accountId, id) as string | undefined;
    return json === undefined ? null : (JSON.parse(json) as CalendarEvent);
  }
  eventByUid(accountId: string, uid: string): CalendarEvent | null {
    const json = this.db.prepare('SELECT json FROM calendar_event WHERE account_id = ? AND uid = ? LIMIT 1').pluck().get(accountId, uid) as string | undefined;
    return json === undefined ? null : (JSON.parse(json) as CalendarEvent);
  }

  // Address books and cards ------------------------------------------------------------------
  replaceAddressBooks(accountId: string, list: readonly AddressBook[]): void {
    this.db.prepare('DELETE FROM address_book WHERE account_id = ?').run(accountId);
    this.upsertAddressBooks(accountId, list);
  }
  upsertAddressBooks(accountId: string, list: readonly AddressBook[]): void {
    const stmt = this.db.prepare('INSERT OR REPLACE INTO address_book (account_id, id, name, is_default, may_write) VALUES (?, ?, ?, ?, ?)');
    for (const b of list) stmt.run(accountId, b.id, b.name, b.isDefault ? 1 : 0, b.mayWrite ? 1 : 0);
  }
  removeAddressBooks(accountId: string, ids: readonly string[]): void {
    const stmt = this.db.prepare('DELETE FROM address_book WHERE account_id = ? AND id = ?');
    for (const id of ids) stmt.run(accountId, id);
  }

  /** `sourceType` keeps cards from different server types apart (Cyrus: Contact vs ContactGroup). */
  replaceCards(accountId: string, sourceType: string, list: readonly ContactCard[]): void {
    this.db.prepare('DELETE FROM contact_card WHERE account_id = ? AND source_type = ?').run(accountId, sourceType);
    this.upsertCards(accountId, sourceType, list);
  }
  upsertCards(accountId: string, sourceType: string, list: readonly ContactCard[]): void {
    const stmt = this.db.prepare(
      `INSERT OR REPLACE INTO contact_card (account_id, source_type, id, uid, kind, display_name, emails, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const c of list) {
      const emails = Object.values(c.emails ?? {}).map((e) => e.address.toLowerCase()).join(' ');
      stmt.run(accountId, sourceType, c.id, c.uid, c.kind, cardDisplayName(c), emails, JSON.stringify(c));
    }
  }
  removeCards(accountId: string, sourceType: string, ids: readonly string[]): void {
    const stmt = this.db.prepare('DELETE FROM contact_card WHERE account_id = ? AND source_type = ? AND id = ?');
    for (const id of ids) stmt.run(accountId, sourceType, id);
  }
  /** A card with the server type it lives in (Cyrus: Contact or ContactGroup). */
  card(accountId: string, id: string): { card: ContactCard; sourceType: string } | null {
    const row = this.db.prepare('SELECT source_type AS sourceType, json FROM contact_card WHERE account_id = ? AND id = ?').get(accountId, id) as
      | { sourceType: string; json: string }
      | undefined;
    return row ? { card: JSON.parse(row.json) as ContactCard, sourceType: row.sourceType } : null;
  }
  addressBooks(accountId: string): AddressBook[] {
    return (
      this.db.prepare('SELECT id, name, is_default AS isDefault, may_write AS mayWrite FROM address_book WHERE account_id = ? ORDER BY is_default DESC, name').all(accountId) as {
        id: string; name: string; isDefault: number; mayWrite: number;
      }[]
    ).map((r) => ({ ...r, isDefault: r.isDefault === 1, mayWrite: r.mayWrite === 1 }));
  }
  cards(accountId: string): ContactCard[] {
    return (this.db.prepare('SELECT json FROM contact_card WHERE account_id = ? ORDER BY display_name COLLATE NOCASE').pluck().all(accountId) as string[]).map(
      (j) => JSON.parse(j) as ContactCard,
    );
  }
}
