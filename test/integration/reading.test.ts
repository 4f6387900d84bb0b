// Reading in depth: whole conversations, raw source, new-mail events, and server search for
// local mail whose body is not indexed yet.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, EventPayload } from '../../shared/contract';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { startHarness, type Harness } from '../support/core-harness';
import { importMessages, jmap } from '../support/jmap-raw';
import { seedMessages } from '../support/seed';

const seeded = 200;
let h: Harness;
let account: AccountView;
let user: string;
/** Every mail.arrived the core emitted, from before the account was added. */
const arrivals: EventPayload<'mail.arrived'>[] = [];
/** Imported while the first sync was paging: part of the first sync, never news. */
let duringFirstSync: Promise<string[]> | null = null;

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One full sync pass (not a body-only continuation), awaited. */
async function syncPass(): Promise<void> {
  const done = h.next('account.status', (p) => p.accountId === account.id);
  await h.call('sync.now', { accountId: account.id });
  await done;
}

beforeAll(async () => {
  user = freshUser('reading');
  await seedMessages(user, { count: seeded });
  // Small pages and no polling: the first sync takes many requests, and only sync.now syncs after it.
  h = await startHarness({ pageSize: 5, pollIntervalMs: 600_000, maxSourceBytes: 64 * 1024 });
  h.core.onEvent((e) => {
    if (e.event === 'mail.arrived') arrivals.push(e.payload);
    if (e.event === 'account.status' && e.payload.status.initialSync && e.payload.status.initialSync.fetched > 0) {
      duringFirstSync ??= importMessages(user, 'inbox', [{ subject: 'Arrived while paging' }]);
    }
    // With polling off, a failed pass would otherwise wait out a long backoff: retry at once.
    if (e.event === 'account.status' && (e.payload.status.state === 'error' || e.payload.status.state === 'offline')) {
      console.warn(`sync pass failed, retrying: ${e.payload.status.message}`);
      void h.call('sync.now', { accountId: e.payload.accountId });
    }
  });
  account = await h.addAccount({ email: user, secret: cyrusEnv().password, serverUrl: cyrusEnv().baseUrl });
});

afterAll(() => h.core.close());

describe('conversations', () => {
  it('gives every local email of a thread, oldest first, with its mailboxes', async () => {
    const { items: rows } = await h.call('emails.list', { accountId: account.id, role: 'inbox', threads: true, limit: 5 });
    const row = rows.find((r) => r.subject.startsWith('Quarterly report (0)'))!;
    expect(row.threadSize).toBe(4);
    const inbox = (await h.call('mailboxes.list', { accountId: account.id })).find((m) => m.role === 'inbox')!;
    const { items } = await h.call('emails.thread', { accountId: account.id, threadId: row.threadId });
    expect(items).toHaveLength(4);
    expect(items.map((e) => e.receivedAt)).toEqual([...items.map((e) => e.receivedAt)].sort((a, b) => a - b));
    expect(items.at(-1)!.id).toBe(row.id); // the row shows the newest
    expect(items.every((e) => e.threadId === row.threadId && e.mailboxIds.includes(inbox.id) && e.threadSize === 1)).toBe(true);
    expect(items.map((e) => e.subject)).toEqual(['Re: Quarterly report (0)', 'Re: Quarterly report (0)', 'Re: Quarterly report (0)', 'Quarterly report (0)']);
    // Another account's thread id, or one that does not exist, is simply empty.
    expect((await h.call('emails.thread', { accountId: account.id, threadId: 'no-such-thread' })).items).toEqual([]);
  });
});

describe('source', () => {
  it('returns the raw message, headers first', async () => {
    const { items } = await h.call('emails.list', { accountId: account.id, role: 'inbox', limit: 500 });
    const email = items.find((e) => e.subject === 'Quarterly report (0)')!;
    const { base64, size } = await h.call('emails.source', { accountId: account.id, emailId: email.id });
    const raw = Buffer.from(base64, 'base64').toString('utf8');
    expect(size).toBe(Buffer.from(base64, 'base64').length);
    const [head] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^From: /m);
    expect(head).toMatch(/^Subject: /m);
    expect(head).toMatch(/^Message-ID: <seed1-0-0@example.com>/m);
    expect(raw).toContain('seed message 0 token-0');
  });

  it('refuses a message above the size cap, and ids this account does not have', async () => {
    const big = 'x'.repeat(76) + '\r\n';
    const raw = ['From: Big <big@example.com>', `To: ${user}`, 'Subject: Too big to show', 'Message-ID: <big-1@example.com>', 'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8', '', big.repeat(1200)].join('\r\n');
    const inbox = ((await jmap(user, [['Mailbox/get', { accountId: user }, '0']]))[0]![1].list as { id: string; role: string | null }[]).find((m) => m.role === 'inbox')!.id;
    const res = await jmap(
      user,
      [
        ['Blob/set', { accountId: user, create: { b: { 'data:asText': raw, type: 'message/rfc822' } } }, 'b'],
        ['Email/import', { accountId: user, emails: { e: { blobId: '#b', mailboxIds: { [inbox]: true }, keywords: { $seen: true } } } }, 'i'],
      ],
      ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail', 'https://cyrusimap.org/ns/jmap/blob'],
    );
    const id = (res[1]![1].created as Record<string, { id: string }>).e!.id;
    await syncPass();
    const refused = await h.core.dispatch('emails.source', { accountId: account.id, emailId: id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'payload-too-large' } });
    expect(await h.core.dispatch('emails.source', { accountId: account.id, emailId: 'Mnot-here' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

describe('new mail', () => {
  it('says nothing about the first sync, even mail that arrived while it ran', async () => {
    expect(duringFirstSync).not.toBeNull();
    const [id] = await duringFirstSync!;
    // It was picked up by the first sync (paging or its catch-up), not by a later pass.
    expect((await h.call('emails.get', { accountId: account.id, emailId: id! })).subject).toBe('Arrived while paging');
    expect(arrivals).toEqual([]);
  });

  it('announces unread inbox mail after the first sync once, grouped, newest first', async () => {
    arrivals.length = 0;
    const ids = await importMessages(user, 'inbox', [{ subject: 'New one' }, { subject: 'New two' }, { subject: 'New three' }, { subject: 'Already read', seen: true }]);
    await importMessages(user, 'archive', [{ subject: 'Not in the inbox' }]);
    await syncPass();
    expect(arrivals).toHaveLength(1);
    expect(arrivals[0]).toEqual({
      accountId: account.id,
      count: 3,
      // importMessages dates message i i minutes back: the first is the newest.
      items: [
        { id: ids[0], from: 'Bob Example', subject: 'New one' },
        { id: ids[1], from: 'Bob Example', subject: 'New two' },
        { id: ids[2], from: 'Bob Example', subject: 'New three' },
      ],
    });
    // Nothing new: nothing said.
    await syncPass();
    expect(arrivals).toHaveLength(1);
  });

  it('stays quiet about mail that is already read', async () => {
    arrivals.length = 0;
    await importMessages(user, 'inbox', [{ subject: 'Read elsewhere', seen: true }]);
    await syncPass();
    expect(arrivals).toEqual([]);
  });

  it('caps the items at five but counts them all', async () => {
    arrivals.length = 0;
    await importMessages(user, 'inbox', Array.from({ length: 7 }, (_, i) => ({ subject: `Burst ${i}` })));
    await syncPass();
    expect(arrivals).toHaveLength(1);
    expect(arrivals[0]!.count).toBe(7);
    expect(arrivals[0]!.items.map((i) => i.subject)).toEqual(['Burst 0', 'Burst 1', 'Burst 2', 'Burst 3', 'Burst 4']);
  });

  it('stays quiet for an account whose notifications are off, and the switch is remembered', async () => {
    arrivals.length = 0;
    const off = await h.call('accounts.setNotify', { accountId: account.id, notify: false });
    expect(off.notify).toBe(false);
    expect((await h.call('accounts.list', {})).find((a) => a.id === account.id)!.notify).toBe(false);
    await importMessages(user, 'inbox', [{ subject: 'While muted' }]);
    await syncPass();
    expect(arrivals).toEqual([]);
    // The mail itself still arrives; only the notice is muted.
    expect((await h.call('emails.search', { query: 'subject:"While muted"', accountId: account.id })).items).toHaveLength(1);

    await h.call('accounts.setNotify', { accountId: account.id, notify: true });
    await importMessages(user, 'inbox', [{ subject: 'After unmuting' }]);
    await syncPass();
    expect(arrivals.map((a) => a.items.map((i) => i.subject))).toEqual([['After unmuting']]);
    await expect(h.call('accounts.setNotify', { accountId: 'no-such-account', notify: false })).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('server search while bodies are missing', () => {
  it('finds a body-only match of a local email whose body is not indexed, as the local row', async () => {
    const [id] = await importMessages(user, 'inbox', [{ subject: 'Platypus paperwork', seen: true }]);
    await syncPass();
    // The body ("Body of Platypus paperwork") gets indexed by the pass; wait for it, then undo
    // that, which is exactly the state of an email the first sync stored but whose body is to come.
    await until(() => h.call('emails.search', { query: '"Body of Platypus"', accountId: account.id }), (r) => r.items.length > 0);
    const db = new Database(h.dbFile);
    try {
      const status = () => (db.prepare('SELECT body_status FROM email WHERE account_id = ? AND id = ?').pluck().get(account.id, id) as number);
      // The scheduler's body fetch may still be running and would fetch it again: repeat until it stays.
      for (let attempt = 0; attempt < 10 && status() !== 0; attempt++) {
        db.transaction(() => {
          const row = db.prepare('SELECT pk, fts_rowid AS ftsRowid FROM email WHERE account_id = ? AND id = ?').get(account.id, id) as { pk: number; ftsRowid: number | null };
          if (row.ftsRowid !== null) db.prepare('DELETE FROM email_fts WHERE rowid = ?').run(row.ftsRowid);
          db.prepare('DELETE FROM email_body WHERE email_pk = ?').run(row.pk);
          db.prepare('UPDATE email SET body_status = 0, fts_rowid = NULL WHERE pk = ?').run(row.pk);
        })();
        await new Promise((r) => setTimeout(r, 1500));
      }
      expect(status()).toBe(0);
    } finally {
      db.close();
    }
    // "Body" only occurs in the body: the local index cannot see it now.
    expect((await h.call('emails.search', { query: 'body platypus', accountId: account.id })).items).toEqual([]);
    const server = await until(() => h.call('emails.searchServer', { query: 'body platypus', accountId: account.id }), (r) => r.items.length > 0, 10_000);
    expect(server.items).toMatchObject([{ id, subject: 'Platypus paperwork', source: 'local' }]);
    // Mail whose body is indexed is still left to local search.
    const indexed = await h.call('emails.searchServer', { query: 'New one', accountId: account.id });
    expect(indexed.items.map((e) => e.subject)).not.toContain('New one');
  });
});
