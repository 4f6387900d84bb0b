// bench:sync — the client's full first sync of N messages against a bare fetch of the same
// properties by a minimal script that stores nothing, in the same run. Also the longest
// event-loop stall during the client's sync and its peak RSS.
//   npm run bench:sync [-- --count 100000] [-- --page 500]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { arg, benchStore, benchUser, mb, ms, print } from './bench-env';

const count = Number(arg('count', '20000'));
const page = Number(arg('page', '500'));
const user = await benchUser(count);

const { cyrusEnv } = await import('../support/cyrus');
const { JmapClient } = await import('../../electron/core/jmap/client');
const { emailMetaProperties } = await import('../../electron/core/jmap/mail-schemas');
const { syncAccount } = await import('../../electron/core/sync/account-sync');

const env = cyrusEnv();
const auth = 'Basic ' + Buffer.from(`${user}:${env.password}`).toString('base64');

/** The floor: page the same query with the same properties, parse the JSON, keep nothing. */
async function bareFetch(): Promise<{ seconds: number; requests: number; bytes: number; emails: number }> {
  const t0 = performance.now();
  let requests = 0;
  let bytes = 0;
  let emails = 0;
  for (let position = 0; ; position += page) {
    const res = await fetch(new URL('/jmap/', env.baseUrl), {
      method: 'POST',
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'],
        methodCalls: [
          ['Email/query', { accountId: user, sort: [{ property: 'receivedAt', isAscending: false }], position, limit: page }, 'q'],
          ['Email/get', { accountId: user, '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: emailMetaProperties }, 'g'],
        ],
      }),
    });
    const text = await res.text();
    requests++;
    bytes += text.length;
    const body = JSON.parse(text) as { methodResponses: [string, { ids?: string[]; list?: unknown[] }, string][] };
    const ids = body.methodResponses[0]![1].ids ?? [];
    emails += body.methodResponses[1]![1].list?.length ?? 0;
    if (ids.length < page) break;
  }
  return { seconds: (performance.now() - t0) / 1000, requests, bytes, emails };
}

async function clientSync() {
  const { db, deps, dispose } = await benchStore(user, env.sessionUrl);
  let requests = 0;
  let bytes = 0;
  const client = await JmapClient.connect({
    sessionUrl: env.sessionUrl,
    credentials: { kind: 'basic', username: user, password: env.password },
    onTraffic: (sent, received) => {
      requests++;
      bytes += received;
    },
  });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  let firstPageMs = 0;
  loop.enable();
  const t0 = performance.now();
  await syncAccount(client, deps, 'bench', user, { pageSize: page, onEmails: () => (firstPageMs ||= performance.now() - t0) });
  const seconds = (performance.now() - t0) / 1000;
  loop.disable();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const stored = db.prepare('SELECT count(*) FROM email').pluck().get() as number;
  await dispose();
  return { seconds, requests, bytes, stored, maxStallMs: loop.max / 1e6, p99StallMs: loop.percentile(99) / 1e6, peakRss, firstPageMs };
}

// Warm Cyrus' caches once so neither side pays for a cold start.
await bareFetch();
const bare = await bareFetch();
const ours = await clientSync();
const bare2 = await bareFetch();
const floor = Math.min(bare.seconds, bare2.seconds);

print(`bench:sync — ${count} messages, pages of ${page}`, [
  ['bare fetch (best of 2)', `${floor.toFixed(2)} s, ${bare.requests} requests, ${mb(bare.bytes)}, ${bare.emails} emails`],
  ['client first sync', `${ours.seconds.toFixed(2)} s, ${ours.requests} requests, ${mb(ours.bytes)}, ${ours.stored} stored`],
  ['ratio (goal ≤ 1.15×)', `${(ours.seconds / floor).toFixed(2)}×`],
  ['first page usable after', ms(ours.firstPageMs)],
  ['max event-loop stall (goal < 50 ms)', `${ms(ours.maxStallMs)} (p99 ${ms(ours.p99StallMs)})`],
  ['peak RSS (goal < 250 MB at 100k)', mb(ours.peakRss)],
]);
if (ours.stored !== count) {
  console.error(`stored ${ours.stored}, expected ${count}`);
  process.exitCode = 1;
}
