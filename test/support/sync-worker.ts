// A sync process for crash tests: the real core in a child process that the test SIGKILLs.
// Env: DATA_DIR, PASSWORD, SERVER_URL, EMAIL, PAGE_SIZE; ACTIONS (JSON list of [method, params]).
// It adds the account if the database has none, queues ACTIONS if given, then syncs until the
// first sync is complete and the outbox is empty, and prints DONE.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCore } from '../../electron/core/core';
import { MemorySecretStore } from '../../electron/core/secrets/secret-store';

const env = (k: string) => process.env[k] ?? '';
const dbFile = join(env('DATA_DIR'), 'mail.db');
const secrets = new MemorySecretStore();

function existingAccount(): string | null {
  try {
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT id FROM account').pluck().get() as string | undefined) ?? null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

let accountId = existingAccount();
if (accountId) await secrets.set(accountId, env('PASSWORD'));
const core = await createCore({ dataDir: env('DATA_DIR'), secrets, version: 'crash-test', pollIntervalMs: 60_000, pageSize: Number(env('PAGE_SIZE') || 100) });
console.log('READY');
// The scheduler's timer is unref'd (it must not keep an app alive); this process must stay up.
const keepAlive = setInterval(() => {}, 1000);

const done = new Promise<void>((resolve) => {
  core.onEvent(async (e) => {
    if (e.event !== 'account.status' || e.payload.status.state !== 'online' || e.payload.status.initialSync !== null) return;
    const outbox = await core.dispatch('outbox.list', {});
    if (outbox.ok && (outbox.value as { status: string }[]).every((o) => o.status !== 'pending')) resolve();
    else void core.dispatch('sync.now', {});
  });
});

if (!accountId) {
  const res = await core.dispatch('accounts.add', { email: env('EMAIL'), secret: env('PASSWORD'), serverUrl: env('SERVER_URL') });
  if (!res.ok) throw new Error(res.error.message);
  accountId = (res.value as { id: string }).id;
  console.log(`ACCOUNT ${accountId}`);
}
const actions = JSON.parse(env('ACTIONS') || '[]') as [string, Record<string, unknown>][];
for (const [method, params] of actions) {
  const res = await core.dispatch(method, { accountId, ...params });
  if (!res.ok) throw new Error(`${method}: ${res.error.message}`);
}
if (actions.length) console.log('QUEUED');
await core.dispatch('sync.now', {});
await done;
console.log('DONE');
clearInterval(keepAlive);
await core.close();
process.exit(0);
