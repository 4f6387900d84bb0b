// Calendars and contacts from Cyrus' own dialect land in the client's JSCalendar / JSContact
// model, and follow the server's changes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { JmapClient } from '../../electron/core/jmap/client';
import { cardDisplayName } from '../../electron/core/pim/model';
import { PimStore } from '../../electron/core/pim/pim-store';
import { dialectFor } from '../../electron/core/pim/dialects';
import { syncPim } from '../../electron/core/pim/pim-sync';
import { AccountStore } from '../../electron/core/store/accounts';
import { openDatabase } from '../../electron/core/store/db';
import { SyncStateStore } from '../../electron/core/store/sync-state';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { basic } from '../support/jmap-raw';

const calendars = ['urn:ietf:params:jmap:core', 'https://cyrusimap.org/ns/jmap/calendars'];
const contacts = ['urn:ietf:params:jmap:core', 'https://cyrusimap.org/ns/jmap/contacts'];

async function cyrus(user: string, using: string[], method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(cyrusEnv().sessionUrl, {
    method: 'POST',
    headers: { Authorization: basic(user, cyrusEnv().password), 'Content-Type': 'application/json' },
    body: JSON.stringify({ using, methodCalls: [[method, { accountId: user, ...args }, '0']] }),
  });
  const [[name, result]] = ((await res.json()) as { methodResponses: [string, Record<string, unknown>][] }).methodResponses as [[string, Record<string, unknown>]];
  if (name === 'error') throw new Error(JSON.stringify(result));
  return result;
}

let user: string;
let client: JmapClient;
const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'pim-')), 'mail.db'));
const pim = new PimStore(db);
const deps = { db, syncState: new SyncStateStore(db), pim };

beforeAll(async () => {
  user = freshUser('pim');
  new AccountStore(db).insert({ id: 'local', name: user, email: user, username: user, authKind: 'basic', sessionUrl: cyrusEnv().sessionUrl, jmapAccountId: user, sessionJson: null, createdAt: 0 });
  client = await JmapClient.connect({ sessionUrl: cyrusEnv().sessionUrl, credentials: { kind: 'basic', username: user, password: cyrusEnv().password } });
  const createdEvents = await cyrus(user, calendars, 'CalendarEvent/set', {
    create: {
      standup: { '@type': 'jsevent', calendarId: 'Default', title: 'Stand-up', start: '2026-12-01T09:30:00', timeZone: 'Europe/Berlin', duration: 'PT15M', recurrenceRule: { frequency: 'weekly', byDay: [{ day: 'tu' }], count: 10 } },
      trip: { '@type': 'jsevent', calendarId: 'Default', title: 'Lisbon', start: '2026-12-10T00:00:00', duration: 'P3D', showWithoutTime: true },
    },
  });
  expect(Object.keys((createdEvents.created ?? {}) as object), JSON.stringify(createdEvents.notCreated)).toHaveLength(2);
  const made = await cyrus(user, contacts, 'Contact/set', {
    create: { c: { firstName: 'Grace', lastName: 'Hopper', company: 'US Navy', emails: [{ type: 'work', value: 'grace@navy.example', isDefault: true }], phones: [{ type: 'mobile', value: '+1 555 0101' }] } },
  });
  const graceId = (made.created as Record<string, { id: string }>).c!.id;
  await cyrus(user, contacts, 'ContactGroup/set', { create: { g: { name: 'Admirals', contactIds: [graceId] } } });
});

describe('Cyrus calendars and contacts', () => {
  it('are recognised as the Cyrus dialect', () => {
    const d = dialectFor(client.session);
    expect(d.name).toBe('cyrus');
    expect(d.cards.map((c) => c.type)).toEqual(['Contact', 'ContactGroup']);
  });

  it('arrive as JSCalendar events and JSContact cards', async () => {
    expect(await syncPim(client, deps, 'local')).toEqual({ calendarsChanged: true, contactsChanged: true });
    expect(pim.calendars('local')).toMatchObject([{ id: 'Default' }]);
    const events = pim.events('local');
    expect(events.map((e) => e.title).sort()).toEqual(['Lisbon', 'Stand-up']);
    const standup = events.find((e) => e.title === 'Stand-up')!;
    expect(standup).toMatchObject({
      '@type': 'Event', calendarIds: { Default: true }, start: '2026-12-01T09:30:00', timeZone: 'Europe/Berlin', duration: 'PT15M',
      recurrenceRules: [{ frequency: 'weekly', byDay: [{ day: 'tu' }], count: 10 }],
    });
    expect(standup).not.toHaveProperty('recurrenceRule');
    expect(events.find((e) => e.title === 'Lisbon')).toMatchObject({ showWithoutTime: true, duration: 'P3D' });

    const cards = pim.cards('local');
    const grace = cards.find((c) => c.kind === 'individual')!;
    expect(cardDisplayName(grace)).toBe('Grace Hopper');
    expect(grace).toMatchObject({
      '@type': 'Card',
      name: { components: [{ kind: 'given', value: 'Grace' }, { kind: 'surname', value: 'Hopper' }] },
      emails: { e1: { address: 'grace@navy.example', contexts: { work: true }, pref: 1 } },
      phones: { p1: { number: '+1 555 0101', features: { mobile: true } } },
      organizations: { o1: { name: 'US Navy' } },
    });
    const group = cards.find((c) => c.kind === 'group')!;
    expect(group).toMatchObject({ name: { full: 'Admirals' }, members: { [grace.uid]: true } });
  });

  it('follow changes made by another client, and cost nothing when there are none', async () => {
    expect(await syncPim(client, deps, 'local')).toEqual({ calendarsChanged: false, contactsChanged: false });
    const trip = pim.events('local').find((e) => e.title === 'Lisbon')!;
    await cyrus(user, calendars, 'CalendarEvent/set', { update: { [trip.id]: { title: 'Lisbon and Porto' } } });
    const grace = pim.cards('local').find((c) => c.kind === 'individual')!;
    await cyrus(user, contacts, 'Contact/set', { destroy: [grace.id] });
    expect(await syncPim(client, deps, 'local')).toEqual({ calendarsChanged: true, contactsChanged: true });
    expect(pim.events('local').map((e) => e.title).sort()).toEqual(['Lisbon and Porto', 'Stand-up']);
    expect(pim.cards('local').map((c) => c.kind)).toEqual(['group']);
  });

  it('ask for the changes of every type in one request', async () => {
    let requests = 0;
    const counting = await JmapClient.connect({
      sessionUrl: cyrusEnv().sessionUrl,
      credentials: { kind: 'basic', username: user, password: cyrusEnv().password },
      fetch: (url, init) => (init.method === 'POST' && requests++, fetch(url, init)),
    });
    await syncPim(counting, deps, 'local');
    expect(requests).toBe(1);
  });

  it('start over when the server cannot use the stored state', async () => {
    db.prepare("UPDATE sync_state SET state = 'bogus' WHERE type = 'CalendarEvent'").run();
    db.prepare("DELETE FROM calendar_event").run();
    await syncPim(client, deps, 'local');
    expect(pim.events('local')).toHaveLength(2);
  });
});
