// Two clients on one account change the same messages at the same time. The server decides;
// both clients end with exactly its state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/contract';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { startHarness, type Harness } from '../support/core-harness';
import { serverEmails, serverMailboxes } from '../support/jmap-raw';
import { localEmails } from '../support/local-store';
import { seedMessages } from '../support/seed';

let user: string;
const clients: { h: Harness; account: AccountView }[] = [];

beforeAll(async () => {
  user = freshUser('two');
  await seedMessages(user, { count: 40 });
  for (let i = 0; i < 2; i++) {
    const h = await startHarness();
    clients.push({ h, account: await h.addAccount({ email: user, secret: cyrusEnv().password, serverUrl: cyrusEnv().baseUrl }) });
  }
});

afterAll(async () => {
  for (const c of clients) await c.h.core.close();
});

async function pass(c: (typeof clients)[number]): Promise<void> {
  const done = c.h.next('account.status', (p) => p.accountId === c.account.id);
  await c.h.call('sync.now', { accountId: c.account.id });
  await done;
}

describe('two clients at once', () => {
  it('converge on the same messages changed differently by each', async () => {
    const [a, b] = clients as [(typeof clients)[number], (typeof clients)[number]];
    const ids = (await a.h.call('emails.list', { accountId: a.account.id, role: 'inbox', limit: 10 })).items.map((e) => e.id);
    // Contradicting changes, made offline-style (queued before either syncs) on both sides.
    await Promise.all([
      a.h.call('emails.setKeyword', { accountId: a.account.id, emailIds: ids.slice(0, 6), keyword: '$flagged', value: true }),
      b.h.call('emails.setKeyword', { accountId: b.account.id, emailIds: ids.slice(3, 9), keyword: '$flagged', value: false }),
      a.h.call('emails.move', { accountId: a.account.id, emailIds: [ids[9]!], to: { role: 'archive' } }),
      b.h.call('emails.move', { accountId: b.account.id, emailIds: [ids[9]!], to: { role: 'trash' } }),
      b.h.call('emails.setKeyword', { accountId: b.account.id, emailIds: ids.slice(0, 3), keyword: '$seen', value: true }),
    ]);
    await Promise.all([pass(a), pass(b)]);
    // Each now pulls what the other sent.
    await Promise.all([pass(a), pass(b)]);

    const server = await serverEmails(user);
    expect(localEmails(a.h.dbFile, a.account.id)).toEqual(server.list);
    expect(localEmails(b.h.dbFile, b.account.id)).toEqual(server.list);
    const boxes = (await serverMailboxes(user)).list.map(({ id, unreadEmails, totalEmails }) => ({ id, unreadEmails, totalEmails })).sort((x, y) => x.id.localeCompare(y.id));
    for (const c of [a, b]) {
      const local = (await c.h.call('mailboxes.list', { accountId: c.account.id })).map(({ id, unreadEmails, totalEmails }) => ({ id, unreadEmails, totalEmails })).sort((x, y) => x.id.localeCompare(y.id));
      expect(local).toEqual(boxes);
    }
    // Whatever the order the server applied them in, the overlap is consistent everywhere.
    const flagged = new Map(server.list.map((e) => [e.id, !!e.keywords.$flagged]));
    expect(ids.slice(0, 3).every((id) => flagged.get(id))).toBe(true);
    expect(ids.slice(6, 9).every((id) => !flagged.get(id))).toBe(true);
  });
});
