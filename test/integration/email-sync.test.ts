// The email sync against real Cyrus: the local copy ends equal to the server, every time.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { JmapClient } from '../../electron/core/jmap/client';
import type { FetchLike } from '../../electron/core/jmap/http';
import { AccountStore } from '../../electron/core/store/accounts';
import { openDatabase, type Db } from '../../electron/core/store/db';
import { EmailStore } from '../../electron/core/store/emails';
import { MailboxStore } from '../../electron/core/store/mailboxes';
import { SyncStateStore } from '../../electron/core/store/sync-state';
import { syncAccount, type AccountSyncDeps } from '../../electron/core/sync/account-sync';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { jmap1, serverEmails, serverMailboxes } from '../support/jmap-raw';
import { localEmails } from '../support/local-store';
import { seedMessages } from '../support/seed';

interface Traffic {
  requests: number;
  bytes: number;
}

/** A client over a counting fetch, and a fresh store with the account row in place. */
async function setup(user: string, failOnPost?: (n: number) => boolean) {
  const dbFile = join(mkdtempSync(join(tmpdir(), 'email-sync-')), 'mail.db');
  const db = openDatabase(dbFile);
  new AccountStore(db).insert({
    id: 'local', name: user, email: user, username: user, authKind: 'basic', sessionUrl: cyrusEnv().sessionUrl, jmapAccountId: user, sessionJson: null, createdAt: 0,
  });
  const traffic: Traffic = { requests: 0, bytes: 0 };
  let posts = 0;
  const counting: FetchLike = async (url, init) => {
    if (init.method === 'POST' && failOnPost?.(++posts)) throw new TypeError('fetch failed (injected)');
    traffic.requests++;
    const res = await fetch(url, init);
    const body = await res.text();
    traffic.bytes += Buffer.byteLength(String(init.body ?? '')) + Buffer.byteLength(body) + 300; // + headers, roughly
    return new Response(body, { status: res.status, headers: res.headers });
  };
  const client = await JmapClient.connect({ sessionUrl: cyrusEnv().sessionUrl, credentials: { kind: 'basic', username: user, password: cyrusEnv().password }, fetch: counting });
  const deps: AccountSyncDeps = { db, emails: new EmailStore(db), mailboxes: new MailboxStore(db), syncState: new SyncStateStore(db) };
  return { db, dbFile, client, deps, traffic, sync: (opts = {}) => syncAccount(client, deps, 'local', user, opts) };
}

async function expectEqualToServer(dbFile: string, user: string) {
  const server = await serverEmails(user);
  const local = localEmails(dbFile, 'local');
  expect(local.length).toBe(server.list.length);
  expect(local).toEqual(server.list);
}

function count(db: Db): number {
  return db.prepare('SELECT count(*) FROM email').pluck().get() as number;
}

let user: string;
let archive: string;

beforeAll(async () => {
  user = freshUser('emails');
  await seedMessages(user, { count: 1050 });
  archive = (await serverMailboxes(user)).list.find((m) => m.role === 'archive')!.id;
});

describe('first sync', () => {
  it('stores every email, newest page first, equal to the server', async () => {
    const { db, dbFile, sync } = await setup(user);
    const newestAfterFirstPage: number[] = [];
    await sync({
      pageSize: 200,
      onEmails: () => newestAfterFirstPage.length === 0 && newestAfterFirstPage.push(count(db)),
    });
    expect(newestAfterFirstPage).toEqual([200]);
    await expectEqualToServer(dbFile, user);
    // The first page held the newest mail: nothing stored later is newer than its oldest.
    const maxReceived = db.prepare('SELECT max(received_at) FROM email').pluck().get() as number;
    expect(maxReceived).toBe(Date.UTC(2026, 10, 1, 12, 0, 0));
  });

  it('resumes after an interruption where it stopped, with nothing lost or stored twice', async () => {
    let failing = true;
    const { db, dbFile, sync, traffic } = await setup(user, (n) => failing && n === 4);
    await expect(sync({ pageSize: 200 })).rejects.toThrow();
    const stored = count(db);
    expect(stored).toBe(400); // request 1 was Mailbox/get, then two pages
    expect(db.prepare('SELECT anchor IS NOT NULL FROM initial_sync').pluck().get()).toBe(1);
    failing = false;
    traffic.requests = 0;
    await sync({ pageSize: 200 });
    expect(traffic.requests).toBe(4 + 1); // the 650 left in four pages, then one /changes poll
    expect(db.prepare('SELECT count(*) FROM initial_sync').pluck().get()).toBe(0);
    await expectEqualToServer(dbFile, user);
  });
});

describe('later syncs', () => {
  it('apply flags, moves, deletions and new mail from another client', async () => {
    const { dbFile, sync } = await setup(user);
    await sync();
    const { list } = await serverEmails(user);
    const ids = list.map((e) => e.id);
    await jmap1(user, 'Email/set', {
      update: {
        [ids[0]!]: { 'keywords/$flagged': true },
        [ids[1]!]: { 'keywords/$seen': true },
        [ids[2]!]: { mailboxIds: { [archive]: true } },
      },
      destroy: [ids[3]!, ids[4]!],
    });
    await seedMessages(user, { count: 3, salt: 'later' });
    await sync();
    await expectEqualToServer(dbFile, user);
  });

  it('cost one small request when nothing changed, and at most two when one message did', async () => {
    const { client, sync, traffic } = await setup(user);
    await sync();
    traffic.requests = 0;
    traffic.bytes = 0;
    await sync();
    expect(traffic.requests).toBe(1);
    expect(traffic.bytes).toBeLessThan(2048);
    const [one] = (await client.call('Email/query', { accountId: user, limit: 1 })).ids as string[];
    await jmap1(user, 'Email/set', { update: { [one!]: { 'keywords/$answered': true } } });
    traffic.requests = 0;
    await sync();
    expect(traffic.requests).toBeLessThanOrEqual(2);
  });

  it('take many changes in several rounds when the server has more than one round holds', async () => {
    const { dbFile, sync, traffic } = await setup(user);
    await sync();
    const { list } = await serverEmails(user);
    const update = Object.fromEntries(list.slice(0, 30).map((e) => [e.id, { 'keywords/$flagged': !e.keywords.$flagged }]));
    await jmap1(user, 'Email/set', { update });
    traffic.requests = 0;
    await sync({ maxChanges: 7 });
    expect(traffic.requests).toBeGreaterThanOrEqual(8); // at least 5 rounds of /changes + /get
    await expectEqualToServer(dbFile, user);
  });

  it('start over, correctly, when the server cannot use the stored state', async () => {
    const { db, dbFile, sync } = await setup(user);
    await sync();
    db.prepare("UPDATE sync_state SET state = 'from-another-server'").run();
    db.prepare("UPDATE email SET keywords = '{\"$bogus\":true}' WHERE pk IN (SELECT pk FROM email LIMIT 5)").run();
    db.prepare("INSERT INTO email (account_id, id, thread_id, received_at) VALUES ('local', 'Mghost', 'Tghost', 0)").run();
    const { list } = await serverEmails(user);
    await jmap1(user, 'Email/set', { destroy: [list[10]!.id] });
    await sync();
    await expectEqualToServer(dbFile, user);
  });
});
