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
