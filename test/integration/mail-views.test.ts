// What the message list and the search bar read: paged lists, conversations, the unified
// inbox, message bodies, and search that covers body text, locally and on the server.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/contract';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { startHarness, type Harness } from '../support/core-harness';
import { importMessages } from '../support/jmap-raw';
import { seedMessages } from '../support/seed';

let h: Harness;
let a: AccountView;
let b: AccountView;
let userA: string;

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  userA = freshUser('views');
  const userB = freshUser('views');
  await seedMessages(userA, { count: 60 });
  await seedMessages(userB, { count: 8, seed: 2 });
  // No polling: the server-search test needs mail the client has not synced. Bodies still
  // arrive, since background body fetching runs until none are left.
  h = await startHarness({ pollIntervalMs: 600_000 });
  a = await h.addAccount({ email: userA, secret: cyrusEnv().password, serverUrl: cyrusEnv().baseUrl });
  b = await h.addAccount({ email: userB, secret: cyrusEnv().password, serverUrl: cyrusEnv().baseUrl });
});

afterAll(() => h.core.close());

describe('message lists', () => {
  it('pages an inbox newest first', async () => {
    const first = await h.call('emails.list', { accountId: a.id, role: 'inbox', limit: 25 });
    const second = await h.call('emails.list', { accountId: a.id, role: 'inbox', offset: 25, limit: 25 });
    expect(first.total).toBe(60);
    const dates = [...first.items, ...second.items].map((e) => e.receivedAt);
    expect(dates).toEqual([...dates].sort((x, y) => y - x));
    expect(new Set([...first.items, ...second.items].map((e) => e.id)).size).toBe(50);
    expect(first.items[0]!.subject).toBe('Quarterly report (0)');
  });

  it('shows one row per conversation when asked', async () => {
    const threads = await h.call('emails.list', { accountId: a.id, role: 'inbox', threads: true, limit: 100 });
    expect(threads.total).toBe(15); // the seed threads four messages at a time
    expect(threads.items.every((t) => t.threadSize === 4)).toBe(true);
    expect(threads.items[0]!.subject).toBe('Quarterly report (0)');
  });

  it('merges every account in the unified inbox', async () => {
    const all = await h.call('emails.list', { role: 'inbox', limit: 500 });
    expect(all.total).toBe(68);
    expect(new Set(all.items.map((e) => e.accountId))).toEqual(new Set([a.id, b.id]));
  });
});

describe('reading', () => {
  it('gives a message with its text, HTML and attachments', async () => {
    const list = await h.call('emails.list', { accountId: a.id, role: 'inbox', limit: 100 });
    // Seed message i is received i × 37 minutes before the epoch; 1 is multipart/alternative, 3 has a PDF.
    const seeded = (i: number) => list.items.find((e) => e.receivedAt === Date.UTC(2026, 10, 1, 12) - i * 37 * 60_000)!;
    const alt = seeded(1);
    const withPdf = seeded(3);
    const detail = await h.call('emails.get', { accountId: a.id, emailId: alt.id });
    expect(detail.bodyStatus).toBe('fetched');
    expect(detail.body.text).toContain('seed message 1 token-1');
    expect(detail.body.html).toContain('<p>');
    const pdf = await h.call('emails.get', { accountId: a.id, emailId: withPdf.id });
    expect(pdf.attachments).toMatchObject([{ type: 'application/pdf', name: 'report-3.pdf' }]);
  });

  it('downloads an attachment on demand, then serves it from the cache', async () => {
    const withPdf = (await h.call('emails.list', { accountId: a.id, role: 'inbox', limit: 100 })).items.find((e) => e.receivedAt === Date.UTC(2026, 10, 1, 12) - 3 * 37 * 60_000)!;
    const { attachments } = await h.call('emails.get', { accountId: a.id, emailId: withPdf.id });
    const file = await h.call('attachments.get', { accountId: a.id, emailId: withPdf.id, blobId: attachments[0]!.blobId! });
    expect(file).toMatchObject({ name: 'report-3.pdf', type: 'application/pdf' });
    expect(Buffer.from(file.base64, 'base64').toString()).toBe('%PDF-1.4 fake report 3');
    expect(readdirSync(join(h.dataDir, 'blobs'))).toHaveLength(1);
    // A blob id that is not this message's attachment is refused, whatever it names.
    const other = await h.core.dispatch('attachments.get', { accountId: a.id, emailId: withPdf.id, blobId: 'G0000000000000000000000000000000000000000' });
    expect(other).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

describe('identities', () => {
  it('lists the identities the account may send as', async () => {
    expect(await h.call('identities.list', { accountId: a.id })).toMatchObject([{ email: userA, mayDelete: false }]);
  });
});

describe('search', () => {
  it('finds words that occur only in bodies, once the background fetch has them', async () => {
    const found = await until(() => h.call('emails.search', { query: '"token-17"', accountId: a.id }), (r) => r.items.length > 0);
    expect(found.items.map((e) => e.receivedAt)).toContain(Date.UTC(2026, 10, 1, 12) - 17 * 37 * 60_000);
  });

  it('understands operators and matches prefixes as you type', async () => {
    const unread = await h.call('emails.search', { query: 'is:unread', accountId: a.id, limit: 500 });
    const inbox = (await h.call('mailboxes.list', { accountId: a.id })).find((m) => m.role === 'inbox')!;
    expect(unread.items).toHaveLength(inbox.unreadEmails);
    const fromGrace = await h.call('emails.search', { query: 'from:grace', limit: 500 });
    expect(fromGrace.items.length).toBeGreaterThan(0);
    expect(fromGrace.items.every((e) => e.from[0]!.email === 'grace@navy.example')).toBe(true);
    const prefix = await h.call('emails.search', { query: 'Quart', accountId: a.id, limit: 500 });
    expect(prefix.items.every((e) => e.subject.includes('Quarterly'))).toBe(true);
    expect(prefix.items.length).toBeGreaterThan(0);
    expect((await h.call('emails.search', { query: 'has:attachment', accountId: a.id, limit: 500 })).items).toHaveLength(6);
  });

  it('asks the server for what is not local yet, and labels it so', async () => {
    // Arrives on the server without this client syncing it: only the server can find it.
    await h.call('accounts.remove', { accountId: b.id });
    await importMessages(userA, 'archive', [{ subject: 'Zebra migration plan' }]);
    expect((await h.call('emails.search', { query: 'zebra', accountId: a.id })).items).toEqual([]);
    // Cyrus indexes new mail for search within about a second.
    const server = await until(() => h.call('emails.searchServer', { query: 'zebra', accountId: a.id }), (r) => r.items.length > 0, 10_000);
    expect(server.items).toMatchObject([{ subject: 'Zebra migration plan', source: 'server' }]);
    const known = await until(() => h.call('emails.searchServer', { query: 'Quarterly', accountId: a.id }), () => true);
    expect(known.items).toEqual([]); // already local: not repeated
  });
});
