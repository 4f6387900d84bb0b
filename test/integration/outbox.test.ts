// Local actions apply at once, survive being offline and restarts, reach the server exactly
// once, and when the server refuses one, its state wins and the user is told why.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/contract';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startHarness, type Harness } from '../support/core-harness';
import { jmap1, serverEmails, serverMailboxes } from '../support/jmap-raw';
import { localEmails } from '../support/local-store';
import { seedMessages } from '../support/seed';

let proxy: FaultProxy;
let h: Harness;
let user: string;
let account: AccountView;
let mailbox: (role: string) => string;

beforeEach(async () => {
  proxy = await startFaultProxy(cyrusEnv().baseUrl);
  user = freshUser('outbox');
  await seedMessages(user, { count: 12 });
  h = await startHarness();
  account = await h.addAccount({ email: user, secret: cyrusEnv().password, serverUrl: `${proxy.url}/jmap/` });
  const boxes = await h.call('mailboxes.list', { accountId: account.id });
  mailbox = (role) => boxes.find((m) => m.role === role)!.id;
});

afterEach(async () => {
  await h.core.close();
  await proxy.close();
});

/** Runs one sync pass now and waits for it to end; rejects if it did not end online. */
async function synced(): Promise<void> {
  const done = h.next('account.status', (p) => p.accountId === account.id);
  await h.call('sync.now', { accountId: account.id });
  const { status } = await done;
  if (status.state !== 'online') throw new Error(`sync ended ${status.state}: ${status.message}`);
}

async function inbox() {
  return (await h.call('emails.list', { accountId: account.id, role: 'inbox', limit: 100 })).items;
}

describe('outbox', () => {
  it('applies a change locally at once, then on the server', async () => {
    const first = (await inbox()).find((e) => e.unread);
    expect(first).toBeDefined();
    const before = (await h.call('mailboxes.list', { accountId: account.id })).find((m) => m.role === 'inbox')!.unreadEmails;
    proxy.set('drop'); // the server is out of reach for now
    await h.call('emails.setKeyword', { accountId: account.id, emailIds: [first!.id], keyword: '$seen', value: true });
    expect((await inbox()).find((e) => e.id === first!.id)!.unread).toBe(false);
    expect((await h.call('mailboxes.list', { accountId: account.id })).find((m) => m.role === 'inbox')!.unreadEmails).toBe(before - 1);
    expect(await h.call('outbox.list', {})).toMatchObject([{ kind: 'setKeyword', status: 'pending' }]);

    proxy.set('pass');
    await synced();
    expect(await h.call('outbox.list', {})).toEqual([]);
    const server = await serverEmails(user);
    expect(server.list.find((e) => e.id === first!.id)!.keywords.$seen).toBe(true);
    expect(localEmails(h.dbFile, account.id)).toEqual(server.list);
  });

  it('keeps queued actions across a restart and sends each exactly once, in order', async () => {
    const items = await inbox();
    proxy.set('drop');
    await h.call('mailboxes.create', { accountId: account.id, name: 'Receipts', parentId: null });
    const receipts = (await h.call('mailboxes.list', { accountId: account.id })).find((m) => m.name === 'Receipts')!;
    expect(receipts.id).toMatch(/^local-/);
    await h.call('emails.move', { accountId: account.id, emailIds: [items[0]!.id, items[1]!.id], to: { mailboxId: receipts.id } });
    await h.call('emails.setKeyword', { accountId: account.id, emailIds: [items[0]!.id], keyword: '$flagged', value: true });
    await h.call('emails.move', { accountId: account.id, emailIds: [items[2]!.id], to: { role: 'archive' } });

    h = await h.restart();
    proxy.set('pass');
    await synced();

    expect(await h.call('outbox.list', {})).toEqual([]);
    const server = await serverMailboxes(user);
    const created = server.list.filter((m) => m.name === 'Receipts');
    expect(created).toHaveLength(1);
    const emails = await serverEmails(user);
    const byId = new Map(emails.list.map((e) => [e.id, e]));
    expect(byId.get(items[0]!.id)!.mailboxIds).toEqual({ [created[0]!.id]: true });
    expect(byId.get(items[0]!.id)!.keywords.$flagged).toBe(true);
    expect(byId.get(items[1]!.id)!.mailboxIds).toEqual({ [created[0]!.id]: true });
    expect(byId.get(items[2]!.id)!.mailboxIds).toEqual({ [mailbox('archive')]: true });
    expect(localEmails(h.dbFile, account.id)).toEqual(emails.list);
  });

  it('does not create a folder twice when the first attempt reached the server but its answer was lost', async () => {
    // The server applies the request, then the connection breaks before the answer arrives.
    let lose = true;
    proxy.setPicker((req) => (lose && req.method === 'POST' ? ((lose = false), 'truncate') : 'pass'));
    await h.call('mailboxes.create', { accountId: account.id, name: 'Once', parentId: null });
    await synced().catch(() => {});
    await synced();
    expect((await serverMailboxes(user)).list.filter((m) => m.name === 'Once')).toHaveLength(1);
    expect((await h.call('mailboxes.list', { accountId: account.id })).filter((m) => m.name === 'Once')).toHaveLength(1);
  });

  it('tells the user when the server refuses an action, and restores the server state', async () => {
    const [first] = await inbox();
    proxy.set('drop');
    const [m] = Object.values((await jmap1(user, 'Mailbox/set', { create: { x: { name: 'Doomed' } } })).created as Record<string, { id: string }>);
    await synced().catch(() => {});
    proxy.set('pass');
    await synced();
    proxy.set('drop');
    await h.call('emails.move', { accountId: account.id, emailIds: [first!.id], to: { mailboxId: m!.id } });
    await jmap1(user, 'Mailbox/set', { destroy: [m!.id] }); // another client deletes the folder meanwhile
    const failed = h.next('outbox.failed', (p) => p.accountId === account.id);
    proxy.set('pass');
    await h.call('sync.now', { accountId: account.id });
    expect((await failed).message).toMatch(/^could not move/);
    await synced();
    const server = await serverEmails(user);
    expect(localEmails(h.dbFile, account.id)).toEqual(server.list);
    expect((await inbox()).some((e) => e.id === first!.id)).toBe(true);
    expect(await h.call('outbox.list', {})).toMatchObject([{ kind: 'move', status: 'failed' }]);
  });

  it('empties the trash of exactly what was in it', async () => {
    const items = await inbox();
    await h.call('emails.move', { accountId: account.id, emailIds: [items[0]!.id, items[1]!.id], to: { role: 'trash' } });
    await synced();
    await h.call('mailboxes.empty', { accountId: account.id, mailboxId: mailbox('trash') });
    expect((await h.call('emails.list', { accountId: account.id, role: 'trash' })).total).toBe(0);
    await synced();
    const server = await serverEmails(user);
    expect(server.list.map((e) => e.id)).not.toContain(items[0]!.id);
    expect(server.list).toHaveLength(10);
    expect(localEmails(h.dbFile, account.id)).toEqual(server.list);
  });
});
