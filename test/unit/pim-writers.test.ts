// The client's model written back in each dialect, editors' drafts applied onto stored objects,
// and contacts among recipient suggestions.
import { describe, expect, it } from 'vitest';
import { cardToDialect, eventToDialect, patchBetween } from '../../electron/core/pim/dialect-writers';
import type { CalendarEvent, ContactCard } from '../../electron/core/pim/model';
import { applyCardDraft, applyEventDraft, cardToDraft, eventToDraft, occurrenceOverride } from '../../electron/core/pim/pim-drafts';
import { PimStore } from '../../electron/core/pim/pim-store';
import { suggestRecipients } from '../../electron/core/mail/compose/correspondents';
import { openDatabase } from '../../electron/core/store/db';

const event: CalendarEvent = {
  '@type': 'Event', id: 'e1', uid: 'u1', calendarIds: { Default: true }, title: 'Stand-up', description: '', start: '2026-12-01T09:30:00', timeZone: 'Europe/Berlin',
  duration: 'PT15M', showWithoutTime: false, status: 'confirmed', recurrenceRules: [{ frequency: 'weekly', byDay: [{ day: 'tu' }] }], recurrenceOverrides: null,
  locations: { l: { '@type': 'Location', name: 'Room 1', coordinates: 'geo:1,2' } }, participants: null, alerts: null,
  keywords: { team: true }, priority: 5, sequence: 3,
};

describe('events written back', () => {
  it('in the IETF dialect are JSCalendar, without the local-only properties', () => {
    const raw = eventToDialect('ietf', { ...event, recurrenceId: '2026-12-01T09:30:00' });
    expect(raw).toMatchObject({ '@type': 'Event', calendarIds: { Default: true }, recurrenceRules: [{ frequency: 'weekly' }], keywords: { team: true } });
    expect(raw).not.toHaveProperty('id');
    expect(raw).not.toHaveProperty('recurrenceId');
  });

  it('in the Cyrus dialect carry one calendarId and one recurrenceRule', () => {
    const raw = eventToDialect('cyrus', event);
    expect(raw).toMatchObject({ '@type': 'jsevent', calendarId: 'Default', recurrenceRule: { frequency: 'weekly' }, priority: 5 });
    expect(raw).not.toHaveProperty('calendarIds');
    expect(raw).not.toHaveProperty('recurrenceRules');
  });

  it('as an update send only what changed', () => {
    const after = applyEventDraft(event, { ...eventToDraft(event), title: 'Daily' }, eventToDraft(event));
    expect(patchBetween(eventToDialect('cyrus', event), eventToDialect('cyrus', after))).toEqual({ title: 'Daily' });
  });
});

describe('the event editor', () => {
  it('keeps what it does not edit, down to a location’s other properties', () => {
    const was = eventToDraft(event);
    expect(was).toMatchObject({ calendarId: 'Default', location: 'Room 1', recurrence: { frequency: 'weekly', interval: 1, byDay: [{ day: 'tu' }] }, alerts: [] });
    const after = applyEventDraft(event, { ...was, location: 'Room 2', alerts: [{ minutesBefore: 10 }] }, was);
    expect(after.locations).toEqual({ l: { '@type': 'Location', name: 'Room 2', coordinates: 'geo:1,2' } });
    expect(after.recurrenceRules).toEqual(event.recurrenceRules);
    expect(Object.values(after.alerts ?? {})).toEqual([{ '@type': 'Alert', trigger: { '@type': 'OffsetTrigger', offset: '-PT10M', relativeTo: 'start' }, action: 'display' }]);
    expect(after).toMatchObject({ keywords: { team: true }, priority: 5, sequence: 3 });
    expect(eventToDraft(after).alerts).toEqual([{ minutesBefore: 10 }]);
  });

  it('makes an all-day event last whole days, without a zone', () => {
    const after = applyEventDraft(event, { ...eventToDraft(event), allDay: true, start: '2026-12-24T15:00:00', duration: 'PT2H' }, eventToDraft(event));
    expect(after).toMatchObject({ showWithoutTime: true, start: '2026-12-24T00:00:00', timeZone: null, duration: 'P1D' });
  });

  it('writes one occurrence as an override holding only what differs from the series', () => {
    const occurrence = { ...event, start: '2026-12-08T09:30:00' };
    const edited = applyEventDraft(occurrence, { ...eventToDraft(occurrence), title: 'Stand-up (demo)', start: '2026-12-08T11:00:00' }, eventToDraft(occurrence));
    expect(occurrenceOverride(event, '2026-12-08T09:30:00', edited, {})).toEqual({ title: 'Stand-up (demo)', start: '2026-12-08T11:00:00' });
  });
});

describe('contacts', () => {
  const card: ContactCard = {
    '@type': 'Card', version: '1.0', id: 'c1', uid: 'c1', kind: 'individual', addressBookIds: { Default: true },
    name: { components: [{ kind: 'title', value: 'Dr' }, { kind: 'given', value: 'Ada' }, { kind: 'surname', value: 'Lovelace' }], full: 'Ada Lovelace' },
    emails: { e1: { address: 'ada@engine.example', contexts: { work: true }, pref: 1 } },
    nicknames: { n: { name: 'Enchantress of Numbers' } },
  };

  it('keep what the editor does not show', () => {
    const was = cardToDraft(card, (u) => u);
    const after = applyCardDraft(card, { ...was, emails: [...was.emails, { value: 'ada@home.example', label: 'home' }] }, was, (i) => i);
    expect(after.nicknames).toEqual(card.nicknames);
    expect(after.name?.components).toContainEqual({ kind: 'title', value: 'Dr' });
    expect(Object.values(after.emails ?? {}).map((e) => e.address)).toEqual(['ada@engine.example', 'ada@home.example']);
  });

  it('are Cyrus flat Contacts with its own words for labels', () => {
    const raw = cardToDialect('cyrus', { ...card, emails: { a: { address: 'a@w.example', contexts: { work: true } }, b: { address: 'b@h.example', contexts: { private: true } } } });
    expect(raw).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', addressbookId: 'Default', emails: [{ type: 'work', value: 'a@w.example', isDefault: true }, { type: 'personal', value: 'b@h.example', isDefault: false }] });
    expect(cardToDialect('cyrus', { ...card, kind: 'group', name: { full: 'Team' }, members: { c1: true, c2: true } })).toEqual({ uid: 'c1', addressbookId: 'Default', name: 'Team', contactIds: ['c1', 'c2'] });
  });
});

describe('recipient suggestions', () => {
  it('put contacts whose name matches first, then recent correspondents, each address once', () => {
    const db = openDatabase(':memory:');
    db.prepare("INSERT INTO account (id, name, email, username, auth_kind, session_url, jmap_account_id, created_at) VALUES ('a', 'A', 'me@example.com', 'me', 'basic', 's', 'j', 0)").run();
    const insert = db.prepare("INSERT INTO email (account_id, id, thread_id, received_at, from_json, to_json, cc_json) VALUES ('a', ?, 't', ?, ?, ?, '[]')");
    const now = Date.now();
    insert.run('m1', now, JSON.stringify([{ name: 'Sam Writer', email: 'sam@example.com' }]), JSON.stringify([{ name: null, email: 'me@example.com' }]));
    insert.run('m2', now, JSON.stringify([{ name: 'Sal', email: 'sally@example.com' }]), JSON.stringify([{ name: null, email: 'me@example.com' }]));
    const pim = new PimStore(db);
    const person = (id: string, full: string, address: string): ContactCard => ({ '@type': 'Card', version: '1.0', id, uid: id, kind: 'individual', addressBookIds: {}, name: { full }, emails: { e: { address } } });
    pim.upsertCards('a', 'Contact', [person('1', 'Sally Friend', 'sally@example.com'), person('2', 'Sandra Oh', 'sandra@example.org'), person('3', 'Bob', 'bob@sa.example'), person('4', 'Me Myself', 'me@example.com')]);
    expect(suggestRecipients(db, 'a', 'sa', 10)).toEqual([
      { name: 'Sally Friend', email: 'sally@example.com' },
      { name: 'Sandra Oh', email: 'sandra@example.org' },
      { name: 'Sam Writer', email: 'sam@example.com' },
      { name: 'Bob', email: 'bob@sa.example' },
    ]);
    db.close();
  });
});
