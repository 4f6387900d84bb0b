// Through a proxy that drops connections, answers 5xx and 429, stalls, and truncates JSON,
// while another client and this one both change mail: once the faults stop, the local copy
// is exactly the server's, id for id, keyword for keyword, mailbox for mailbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/contract';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { startFaultProxy, type Fault, type FaultProxy } from '../support/fault-proxy';
import { startHarness, type Harness } from '../support/core-harness';
import { jmap1, serverEmails, serverMailboxes } from '../support/jmap-raw';
import { localEmails } from '../support/local-store';
import { seedMessages } from '../support/seed';

let proxy: FaultProxy;
let h: Harness;
let user: string;
let account: AccountView;

/** A small deterministic PRNG, so a failing run can be replayed. */
function rng(seed: number) {
  let a = seed;
  return () => ((a = (a * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

beforeAll(async () => {
  proxy = await startFaultProxy(cyrusEnv().baseUrl);
  proxy.slowMs = 300;
  user = freshUser('faults');
  await seedMessages(user, { count: 400 });
  h = await startHarness({ pageSize: 50 });
  account = await h.call('accounts.add', { email: user, secret: cyrusEnv().password, serverUrl: `${proxy.url}/jmap/` });
});

afterAll(async () => {
  await h.core.close();
  await proxy.close();
});

/** Runs one sync pass and waits for it to end, however it ends. */
async function pass(): Promise<string> {
  const done = h.next('account.status', (p) => p.accountId === account.id, 20_000);
  await h.call('sync.now', { accountId: account.id });
  return (await done).status.state;
}

describe('under network and server faults', () => {
  it('converges to exactly the server state once the faults stop', async () => {
    const random = rng(42);
    const faults: Fault[] = ['drop', '500', '503', '429', 'slow', 'truncate'];
    proxy.setPicker(() => (random() < 0.35 ? faults[Math.floor(random() * faults.length)]! : 'pass'));
    const archive = (await serverMailboxes(user)).list.find((m) => m.role === 'archive')!.id;

    for (let round = 0; round < 25; round++) {
      // Another client changes things on the server directly (not through the faults)…
      const { list } = await serverEmails(user);
      const pick = () => list[Math.floor(random() * list.length)]!.id;
      if (round % 5 === 0) await seedMessages(user, { count: 5, salt: `r${round}`, start: 1000 + round * 5 });
      await jmap1(user, 'Email/set', {
        update: { [pick()]: { 'keywords/$flagged': random() < 0.5 ? true : null }, [pick()]: { mailboxIds: { [archive]: true } } },
        ...(round % 7 === 3 ? { destroy: [pick()] } : {}),
      });
      // …while this client acts locally, through the outbox.
      const local = await h.call('emails.list', { accountId: account.id, role: 'inbox', limit: 20, offset: Math.floor(random() * 50) }).catch(() => null);
      const target = local?.items[0];
      if (target) await h.call('emails.setKeyword', { accountId: account.id, emailIds: [target.id], keyword: '$seen', value: random() < 0.5 });
      await pass();
    }
    expect(proxy.stats.faulted).toBeGreaterThan(10);

    proxy.set('pass');
    for (let i = 0; i < 10 && ((await pass()) !== 'online' || (await h.call('outbox.list', {})).some((e) => e.status === 'pending')); i++);
    await pass(); // one clean pass after the outbox drained
    expect((await h.call('outbox.list', {})).filter((e) => e.status === 'pending')).toEqual([]);

    const server = await serverEmails(user);
    expect(localEmails(h.dbFile, account.id)).toEqual(server.list);
    const localBoxes = await h.call('mailboxes.list', { accountId: account.id });
    const serverBoxes = (await serverMailboxes(user)).list;
    const counts = (l: { id: string; totalEmails: number; unreadEmails: number }[]) =>
      l.map(({ id, totalEmails, unreadEmails }) => ({ id, totalEmails, unreadEmails })).sort((a, b) => a.id.localeCompare(b.id));
    expect(counts(localBoxes)).toEqual(counts(serverBoxes));
  });
});
