// bench:resync — what a restart costs once the local copy is complete: with nothing changed,
// and with one message changed, in an N-message account.
//   npm run bench:resync [-- --count 100000]
import { arg, benchStore, benchUser, ms, print } from './bench-env';

const count = Number(arg('count', '20000'));
const user = await benchUser(count);

const { cyrusEnv } = await import('../support/cyrus');
const { jmap1 } = await import('../support/jmap-raw');
const { JmapClient } = await import('../../electron/core/jmap/client');
const { syncAccount } = await import('../../electron/core/sync/account-sync');
type FetchLike = import('../../electron/core/jmap/http').FetchLike;

const env = cyrusEnv();
const credentials = { kind: 'basic' as const, username: user, password: env.password };
const traffic = { requests: 0, bytes: 0 };
const headerBytes = (h: Headers) => [...h].reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
/** Counts what crosses the wire: request line, headers and bodies, both ways. */
const counting: FetchLike = async (url, init) => {
  const res = await fetch(url, init);
  const body = Buffer.from(await res.arrayBuffer());
  traffic.requests++;
  traffic.bytes += url.length + 16 + headerBytes(new Headers(init.headers)) + Buffer.byteLength(String(init.body ?? '')) + 20 + headerBytes(res.headers) + body.length;
  return new Response(body, { status: res.status, headers: res.headers });
};

const { db, deps, dispose } = await benchStore(user, env.sessionUrl);
const first = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials });
const t0 = performance.now();
await syncAccount(first, deps, 'bench', user);
const initialSeconds = (performance.now() - t0) / 1000;

// A restart: the session comes from the local cache, as the app does, so nothing is fetched up front.
const restarted = JmapClient.fromSession({ sessionUrl: env.sessionUrl, credentials, fetch: counting }, first.session);
traffic.requests = traffic.bytes = 0;
let t = performance.now();
await syncAccount(restarted, deps, 'bench', user);
const unchanged = { ...traffic, ms: performance.now() - t };

const [oneId] = (await jmap1(user, 'Email/query', { limit: 1 })).ids as string[];
const before = (await jmap1(user, 'Email/get', { ids: [oneId], properties: ['keywords'] })).list as { keywords: Record<string, boolean> }[];
await jmap1(user, 'Email/set', { update: { [oneId!]: { 'keywords/$flagged': before[0]!.keywords.$flagged ? null : true } } });
traffic.requests = traffic.bytes = 0;
t = performance.now();
await syncAccount(restarted, deps, 'bench', user);
const oneChanged = { ...traffic, ms: performance.now() - t };
const flagged = db.prepare('SELECT flagged FROM email WHERE id = ?').pluck().get(oneId) as number;

await dispose();
print(`bench:resync — ${count} messages (first sync ${initialSeconds.toFixed(1)} s)`, [
  ['nothing changed (goal: 1 request, < 2 KB)', `${unchanged.requests} request, ${unchanged.bytes} bytes, ${ms(unchanged.ms)}`],
  ['one message changed (goal: ≤ 2 requests, < 50 ms)', `${oneChanged.requests} requests, ${oneChanged.bytes} bytes, ${ms(oneChanged.ms)}`],
]);
if (flagged !== (before[0]!.keywords.$flagged ? 0 : 1)) {
  console.error('the changed flag did not arrive');
  process.exitCode = 1;
}
