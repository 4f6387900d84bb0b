// Shared set-up for the benchmarks: their own Cyrus on tmpfs (fast seeding, no clash with the
// test server), a user holding exactly N seeded messages (re-used across runs), and figures.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const benchDir = process.env.BENCH_CYRUS_DIR ?? (existsSync('/dev/shm') ? '/dev/shm/cyrus-bench' : '/tmp/cyrus-bench');
// The support modules read these when first imported, so they are set before importing them.
process.env.CYRUS_JMAP_DIR = benchDir;
process.env.CYRUS_JMAP_HTTP_PORT ??= '8091';
process.env.CYRUS_JMAP_IMAP_PORT ??= '1191';

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** Starts the bench Cyrus if needed and returns a user with exactly `count` messages. */
export async function benchUser(count: number): Promise<string> {
  const { repoRoot } = await import('../support/cyrus');
  execFileSync('bash', [join(repoRoot, 'test/server/start-cyrus.sh'), benchDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const { jmap1 } = await import('../support/jmap-raw');
  const { seedMessages } = await import('../support/seed');
  const name = `bench-${count}`;
  const user = `${name}@example.com`;
  const known = await jmap1(user, 'Email/query', { limit: 0, calculateTotal: true }).catch(() => null);
  if (known && known.total === count) return user;
  if (known && (known.total as number) > 0) throw new Error(`${user} holds ${String(known.total)} messages, not ${count}: remove ${benchDir} and retry`);
  execFileSync('bash', [join(repoRoot, 'test/server/add-user.sh'), name, benchDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const t0 = performance.now();
  for (let done = 0; done < count; done += 5000) {
    await seedMessages(user, { count: Math.min(5000, count - done), start: done, seed: 7, batch: 500 });
    process.stderr.write(`\rseeding ${Math.min(count, done + 5000)}/${count}`);
  }
  process.stderr.write(`\rseeded ${count} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return user;
}

export { mb, ms, print } from './bench-env-light';

/** A fresh store on disk with the bench account's row, as the sync engine expects it. */
export async function benchStore(user: string, sessionUrl: string) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { openAppDatabase } = await import('../../electron/core/store/db');
  const { AccountStore } = await import('../../electron/core/store/accounts');
  const { EmailStore } = await import('../../electron/core/store/emails');
  const { MailboxStore } = await import('../../electron/core/store/mailboxes');
  const { SyncStateStore } = await import('../../electron/core/store/sync-state');
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const store = openAppDatabase(join(dir, 'mail.db')); // as the app opens it
  const db = store.db;
  new AccountStore(db).insert({ id: 'bench', name: user, email: user, username: user, authKind: 'basic', sessionUrl, jmapAccountId: user, sessionJson: null, createdAt: 0 });
  const deps = { db, emails: new EmailStore(db), mailboxes: new MailboxStore(db), syncState: new SyncStateStore(db) };
  return {
    db,
    deps,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
