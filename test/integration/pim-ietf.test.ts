// The IETF dialect (draft-ietf-jmap-calendars, RFC 9610), against the spec-faithful fixture in
// test/support/ietf-pim-fixture.ts (Cyrus 3.6 does not speak it).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JmapClient } from '../../electron/core/jmap/client';
import { discoverSession } from '../../electron/core/jmap/discovery';
import { dialectFor } from '../../electron/core/pim/dialects';
import { cardDisplayName } from '../../electron/core/pim/model';
import { PimStore } from '../../electron/core/pim/pim-store';
import { syncPim } from '../../electron/core/pim/pim-sync';
import { applyCardDraft, applyEventDraft, cardToDraft, eventToDraft, newCard, newEvent } from '../../electron/core/pim/pim-drafts';
import { PimOutbox, resolvePimId, type PimAction } from '../../electron/core/pim/pim-outbox';
import type { CalendarEvent, ContactCard } from '../../electron/core/pim/model';
import { EmailStore } from '../../electron/core/store/emails';
import { MailboxStore } from '../../electron/core/store/mailboxes';
import { Outbox, type OutboxAction } from '../../electron/core/sync/outbox';
import { AccountStore } from '../../electron/core/store/accounts';
import { openDatabase } from '../../electron/core/store/db';
import { SyncStateStore } from '../../electron/core/store/sync-state';
import { startIetfPimFixture, type IetfPimFixture } from '../support/ietf-pim-fixture';

const credentials = { kind: 'basic' as const, username: 'user@fixture.example', password: 'secret' };
let fixture: IetfPimFixture;
let client: JmapClient;
const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'pim-ietf-')), 'mail.db'));
const pim = new PimStore(db);
const deps = { db, syncState: new SyncStateStore(db), pim };

async function set(type: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const using = type.startsWith('Calendar') ? ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:calendars'] : ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:contacts'];
  return client.call(`${type}/set`, { accountId: fixture.accountId, ...args }, undefined, using);
}

beforeAll(async () => {
  fixture = await startIetfPimFixture();
  const found = await discoverSession({ email: credentials.username, serverUrl: fixture.url, credentials });
  client = JmapClient.fromSession({ sessionUrl: found.sessionUrl, credentials }, found.session);
  new AccountStore(db).insert({ id: 'local', name: 'u', email: credentials.username, username: credentials.username, authKind: 'basic', sessionUrl: found.sessionUrl, jmapAccountId: 'acc1', sessionJson: null, createdAt: 0 });
  await set('CalendarEvent', {
    create: {
      e: { '@type': 'Event', calendarIds: { cal1: true }, title: 'Board meeting', start: '2026-12-02T10:00:00', timeZone: 'America/New_York', duration: 'PT2H', recurrenceRules: [{ '@type': 'RecurrenceRule', frequency: 'monthly', byMonthDay: [2] }] },
    },
  });
  await set('ContactCard', {
    create: {
      c: { '@type': 'Card', version: '1.0', kind: 'individual', addressBookIds: { ab1: true }, name: { components: [{ kind: 'given', value: 'Ada' }, { kind: 'surname', value: 'Lovelace' }] }, emails: { w: { address: 'ada@engine.example' } } },
    },
  });
});

afterAll(() => fixture.close());

describe('the IETF dialect', () => {
  it('is recognised from the session', () => {
    const d = dialectFor(client.session);
    expect(d.name).toBe('ietf');
    expect([d.calendars?.type, d.events?.type, d.addressBooks?.type, ...d.cards.map((c) => c.type)]).toEqual(['Calendar', 'CalendarEvent', 'AddressBook', 'ContactCard']);
  });

  it('syncs calendars, events, address books and cards as they are', async () => {
    await syncPim(client, deps, 'local');
    expect(pim.calendars('local')).toMatchObject([{ id: 'cal1', name: 'Personal', color: '#3a6ee8' }]);
    expect(pim.events('local')).toMatchObject([{ '@type': 'Event', title: 'Board meeting', calendarIds: { cal1: true }, recurrenceRules: [{ frequency: 'monthly', byMonthDay: [2] }] }]);
    const [ada] = pim.cards('local');
    expect(cardDisplayName(ada!)).toBe('Ada Lovelace');
    expect(ada).toMatchObject({ addressBookIds: { ab1: true }, emails: { w: { address: 'ada@engine.example' } } });
  });

  it('follows creations, updates and deletions through /changes, in one request', async () => {
    const [event] = fixture.objects('CalendarEvent');
    const [card] = fixture.objects('ContactCard');
    await set('CalendarEvent', { update: { [event!.id as string]: { title: 'Board meeting (moved)' } }, create: { n: { '@type': 'Event', calendarIds: { cal1: true }, title: 'Offsite', start: '2027-01-15T09:00:00', duration: 'P2D', showWithoutTime: true } } });
    await set('ContactCard', { destroy: [card!.id] });
    let requests = 0;
    const counting = JmapClient.fromSession({ sessionUrl: client.session.sessionUrl, credentials, fetch: (url, init) => (requests++, fetch(url, init)) }, client.session);
    expect(await syncPim(counting, deps, 'local')).toEqual({ calendarsChanged: true, contactsChanged: true });
    expect(requests).toBe(1);
    expect(pim.events('local').map((e) => e.title).sort()).toEqual(['Board meeting (moved)', 'Offsite']);
    expect(pim.cards('local')).toEqual([]);
  });
});

describe('edits in the IETF dialect', () => {
  const outbox = new Outbox(db, new EmailStore(db), new MailboxStore(db));
  const changes: string[] = [];
  outbox.useExtension(new PimOutbox({ db, pim, syncState: deps.syncState, changed: (_, area) => changes.push(area) }));
  const queue = (a: PimAction) => outbox.enqueue('local', a as OutboxAction);
  const replay = () => outbox.replay(client, 'local', fixture.accountId);

  it('create an event and a card as JSCalendar / JSContact, and adopt the ids the server gives', async () => {
    const event = newEvent({
      calendarId: 'cal1', title: 'Retro', description: '', location: 'Lab', start: '2027-02-03T16:00:00', timeZone: 'Europe/Paris', duration: 'PT45M', allDay: false,
      recurrence: { frequency: 'weekly', interval: 2 }, participants: [], alerts: [{ minutesBefore: 5 }], status: 'confirmed',
    });
    const card = newCard({ addressBookId: 'ab1', kind: 'individual', fullName: '', given: 'Mary', surname: 'Jackson', emails: [{ value: 'mary@nasa.example', label: 'work' }], phones: [], addresses: [], organization: 'NASA', title: '', notes: '', photo: null, members: [] }, (ids) => ids);
    queue({ kind: 'pim.create', type: 'CalendarEvent', localId: event.id, object: event });
    queue({ kind: 'pim.create', type: 'ContactCard', localId: card.id, object: card });
    expect(pim.events('local').some((e) => e.id === event.id)).toBe(true);
    expect(await replay()).toMatchObject({ sent: 2, failed: [] });

    const onServer = fixture.objects('CalendarEvent').find((e) => e.title === 'Retro')!;
    expect(onServer).toMatchObject({ '@type': 'Event', uid: event.uid, calendarIds: { cal1: true }, start: '2027-02-03T16:00:00', timeZone: 'Europe/Paris', recurrenceRules: [{ frequency: 'weekly', interval: 2 }] });
    expect(onServer).not.toHaveProperty('recurrenceRule');
    expect(onServer.id).not.toBe(event.id);
    // The renderer may still hold the local id: it resolves to the server's.
    expect(resolvePimId(db, 'local', event.id)).toBe(onServer.id);
    expect(pim.event('local', onServer.id as string)).toMatchObject({ title: 'Retro', id: onServer.id });
    const cardOnServer = fixture.objects('ContactCard').find((c) => (c.name as { full?: string } | undefined)?.full === 'Mary Jackson')!;
    expect(cardOnServer).toMatchObject({ '@type': 'Card', version: '1.0', kind: 'individual', addressBookIds: { ab1: true }, organizations: { o1: { name: 'NASA' } } });
    expect(Object.values(cardOnServer.emails as object)).toEqual([{ '@type': 'EmailAddress', address: 'mary@nasa.example', contexts: { work: true } }]);
    expect(changes).toContain('calendars');
  });

  it('update by patching only what changed, and keep what the server added', async () => {
    const stored = fixture.objects('CalendarEvent').find((e) => e.title === 'Retro')!;
    await set('CalendarEvent', { update: { [stored.id as string]: { 'keywords/team': true, priority: 1 } } });
    await syncPim(client, deps, 'local');
    const before = pim.event('local', stored.id as string)! as CalendarEvent;
    const after = applyEventDraft(before, { ...eventToDraft(before), title: 'Retrospective' }, eventToDraft(before));
    queue({ kind: 'pim.update', type: 'CalendarEvent', id: before.id, before, after });
    expect(await replay()).toMatchObject({ sent: 1, failed: [] });
    expect(fixture.objects('CalendarEvent').find((e) => e.id === stored.id)).toMatchObject({ title: 'Retrospective', keywords: { team: true }, priority: 1, recurrenceRules: [{ frequency: 'weekly', interval: 2 }] });

    const cardId = fixture.objects('ContactCard').find((c) => (c.name as { full?: string } | undefined)?.full === 'Mary Jackson')!.id as string;
    await syncPim(client, deps, 'local');
    const card = pim.card('local', cardId)!.card as ContactCard;
    const edited = applyCardDraft(card, { ...cardToDraft(card, (u) => u), title: 'Engineer' }, cardToDraft(card, (u) => u), (i) => i);
    queue({ kind: 'pim.update', type: 'ContactCard', id: cardId, before: card, after: edited });
    await replay();
    expect(fixture.objects('ContactCard').find((c) => c.id === cardId)).toMatchObject({ titles: { t1: { name: 'Engineer' } }, organizations: { o1: { name: 'NASA' } } });
  });

  it('send an edit queued before its create was sent to the id the server then gave, uid untouched', async () => {
    const event = newEvent({
      calendarId: 'cal1', title: 'Draft plan', description: '', location: '', start: '2027-04-01T09:00:00', timeZone: null, duration: 'PT1H', allDay: false,
      recurrence: null, participants: [], alerts: [], status: 'confirmed',
    });
    queue({ kind: 'pim.create', type: 'CalendarEvent', localId: event.id, object: event });
    const edited = applyEventDraft(event, { ...eventToDraft(event), title: 'Final plan' }, eventToDraft(event));
    queue({ kind: 'pim.update', type: 'CalendarEvent', id: event.id, before: event, after: edited });
    expect(await replay()).toMatchObject({ sent: 2, failed: [] });
    const onServer = fixture.objects('CalendarEvent').find((e) => e.uid === event.uid)!;
    expect(onServer).toMatchObject({ title: 'Final plan', uid: event.uid });
    expect(pim.event('local', onServer.id as string)).toMatchObject({ title: 'Final plan', uid: event.uid });
    await set('CalendarEvent', { destroy: [onServer.id] });
    await syncPim(client, deps, 'local');
  });

  it('destroy, and a refused edit is rolled back from the server and reported', async () => {
    const stored = fixture.objects('CalendarEvent').find((e) => e.title === 'Retrospective')!;
    await syncPim(client, deps, 'local');
    const before = pim.event('local', stored.id as string)!;
    // The fixture refuses the draft's singular recurrenceRule: the server's copy comes back.
    queue({ kind: 'pim.update', type: 'CalendarEvent', id: before.id, before, after: { ...before, title: 'Broken', recurrenceRule: { frequency: 'daily' } } });
    const refused = await replay();
    expect(refused.failed).toHaveLength(1);
    expect(refused.failed[0]!.message).toMatch(/could not save the event "Broken": the server refused some of its details: recurrenceRule/);
    expect(pim.event('local', before.id)!.title).toBe('Retrospective');

    queue({ kind: 'pim.destroy', type: 'CalendarEvent', id: before.id, title: before.title });
    expect(pim.event('local', before.id)).toBeNull();
    expect(await replay()).toMatchObject({ sent: 1, failed: [] });
    expect(fixture.objects('CalendarEvent').some((e) => e.id === before.id)).toBe(false);
    // Destroying what is already gone is done, not an error (a replay after a crash).
    queue({ kind: 'pim.destroy', type: 'CalendarEvent', id: before.id, title: before.title });
    expect(await replay()).toMatchObject({ sent: 1, failed: [] });
  });
});
