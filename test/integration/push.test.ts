// Push (RFC 8620 §7) against Cyrus. Cyrus 3.6 has none, so the test-only push proxy adds an
// EventSource and an RFC 8887 WebSocket in front of it; plain Cyrus shows that a server
// without push is asked once and then left alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccountView } from '../../shared/contract';
import { fetchSession } from '../../electron/core/jmap/client';
import type { Credentials, FetchLike } from '../../electron/core/jmap/http';
import { startPush, type PushHandle, type PushOptions, type PushStatus, type StateChanged } from '../../electron/core/jmap/push';
import type { JmapSession } from '../../electron/core/jmap/session';
import { startHarness } from '../support/core-harness';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { jmap1 } from '../support/jmap-raw';
import { startPushProxy, type PushProxy, type PushTransport } from '../support/push-proxy';
import { seedMessages } from '../support/seed';

const creds = (user: string, password = cyrusEnv().password): Credentials => ({ kind: 'basic', username: user, password });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Starts a listener that records what it reports. */
function listen(session: JmapSession, user: string, extra: Partial<PushOptions> = {}) {
  const changes: StateChanged[] = [];
  const statuses: PushStatus[] = [];
  const logs: string[] = [];
  const handle: PushHandle = startPush({
    session,
    credentials: creds(user),
    accountIds: [user],
    onStateChange: (c) => changes.push(c),
    onStatus: (s) => statuses.push(s),
    log: (m) => logs.push(m),
    ...extra,
  });
  listeners.push(handle);
  return {
    handle,
    changes,
    statuses,
    logs,
    /** Waits for `status` to be reported after the first `from` statuses. */
    status: (status: PushStatus, from = 0, timeoutMs = 5000) =>
      until(`push status ${status}`, () => statuses.slice(from).includes(status), timeoutMs),
    /** Waits for a change to `type` of the user's account after the first `from` changes; resolves with the ms waited. */
    async change(type: string, from: number, timeoutMs = 2000): Promise<number> {
      const t0 = Date.now();
      await until(`a ${type} StateChange`, () => changes.slice(from).some((c) => c[user]?.[type] !== undefined), timeoutMs);
      return Date.now() - t0;
    },
  };
}

const listeners: PushHandle[] = [];
let salt = 0;
/** A change on the server made by another client: a new message in the inbox. */
const newMail = (user: string) => seedMessages(user, { count: 1, salt: `push-${Date.now()}-${salt++}` });

afterEach(() => {
  for (const l of listeners.splice(0)) l.stop();
});

describe.each<PushTransport>(['websocket', 'eventsource'])('push over %s', (transport) => {
  let proxy: PushProxy;
  let user: string;
  let session: JmapSession;

  beforeEach(async () => {
    proxy = await startPushProxy({ transports: [transport] });
    user = freshUser('push');
    session = await fetchSession({ sessionUrl: proxy.sessionUrl, credentials: creds(user) });
  });

  afterEach(async () => {
    await proxy.close();
  });

  it('delivers a change made by another client within 2 s', async () => {
    const l = listen(session, user);
    await l.status('connected');
    expect(l.handle.transport).toBe(transport);
    expect(proxy.stats.webSocket > 0).toBe(transport === 'websocket');
    expect(proxy.stats.eventSource > 0).toBe(transport === 'eventsource');

    await newMail(user);
    expect(await l.change('Email', 0)).toBeLessThan(2000);
    expect(l.changes.every((c) => Object.keys(c).every((a) => a === user))).toBe(true);

    await jmap1(user, 'Mailbox/set', { create: { m: { name: 'Pushed' } } });
    await l.change('Mailbox', l.changes.length);
    expect(l.statuses).toEqual(['connecting', 'connected']);
  });

  it('reconnects after the server drops the connection, and still delivers', async () => {
    const l = listen(session, user);
    await l.status('connected');
    const before = l.statuses.length;
    proxy.dropConnections();
    await l.status('reconnecting', before, 2000);
    await l.status('connected', before, 5000);
    expect(proxy.stats.webSocket + proxy.stats.eventSource).toBe(2);

    const seen = l.changes.length;
    await newMail(user);
    expect(await l.change('Email', seen)).toBeLessThan(2000);
  });

  it('treats a missed ping as a dead connection and reconnects', async () => {
    const l = listen(session, user, { pingSeconds: 1 });
    await l.status('connected');
    await sleep(3000); // pings keep a quiet connection alive past 2.5 intervals
    expect(l.statuses).toEqual(['connecting', 'connected']);

    const before = l.statuses.length;
    const silentAt = Date.now();
    proxy.setPings(false);
    await l.status('reconnecting', before, 5000);
    expect(Date.now() - silentAt).toBeGreaterThanOrEqual(1500);
    expect(l.logs.some((m) => m.includes('no sign of life'))).toBe(true);

    proxy.setPings(true);
    await l.status('connected', before, 5000);
    const seen = l.changes.length;
    await newMail(user);
    await l.change('Email', seen);
  });

  it('ignores malformed frames and keeps the connection', async () => {
    const l = listen(session, user);
    await l.status('connected');
    const valid = (account: string, state: string) => JSON.stringify({ '@type': 'StateChange', changed: { [account]: { Email: state } } });
    const frames =
      transport === 'websocket'
        ? ['{not json', '[]', '"StateChange"', '{"@type":"StateChange","changed":"nope"}', '{"@type":"StateChange","changed":{"x":{"Email":5}}}', '{"changed":{}}', '{"@type":"Mystery"}', valid('someone-else', 'x'), valid(user, 'injected')]
        : [
            'event: state\ndata: {not json\n\n',
            'event: state\ndata: [1,2]\n\n',
            'event: state\ndata: {"@type":"StateChange","changed":{"x":{"Email":5}}}\n\n',
            'event: state\ndata: {"@type":"Nope","changed":{}}\n\n',
            'event: ping\ndata: garbage\n\n',
            'event: mystery\ndata: hi\n\n',
            'data: no event type\n\n',
            ': a comment\n\n',
            `event: state\ndata: ${valid('someone-else', 'x')}\n\n`,
            `event: state\ndata: ${valid(user, 'injected')}\n\n`,
          ];
    for (const f of frames) proxy.injectRaw(f);
    await until('the valid frame', () => l.changes.length > 0, 2000);
    await sleep(200);
    expect(l.changes).toEqual([{ [user]: { Email: 'injected' } }]);
    expect(l.logs.filter((m) => m.includes('malformed')).length).toBeGreaterThanOrEqual(4);
    expect(l.statuses).toEqual(['connecting', 'connected']);

    await newMail(user);
    await l.change('Email', 1);
  });

  it('stops for good when the credentials are rejected', async () => {
    const l = listen(session, user, { credentials: creds(user, 'wrong') });
    await l.status('auth-failed');
    const requests = proxy.stats.requests;
    await sleep(3000);
    expect(proxy.stats.requests).toBe(requests);
    expect(l.statuses).toEqual(['connecting', 'auth-failed']);
  });
});

describe('push without a push server', () => {
  it('against plain Cyrus: unavailable after one request, then no more requests', async () => {
    const user = freshUser('push');
    const session = await fetchSession({ sessionUrl: cyrusEnv().sessionUrl, credentials: creds(user) });
    expect(session.eventSourceUrl).not.toBeNull();
    const urls: string[] = [];
    const counting: FetchLike = (input, init) => {
      urls.push(input);
      return fetch(input, init);
    };
    const l = listen(session, user, { fetch: counting });
    await l.status('unavailable');
    expect(urls).toHaveLength(1);
    expect(urls[0]).toContain('closeafter=no');
    await sleep(4000);
    expect(urls).toHaveLength(1);
    expect(l.statuses).toEqual(['connecting', 'unavailable']);
    expect(l.handle.status).toBe('unavailable');
  });

  it('backs off exponentially with jitter while the server fails, honouring Retry-After', async () => {
    const user = freshUser('push');
    const session = await fetchSession({ sessionUrl: cyrusEnv().sessionUrl, credentials: creds(user) });
    const times: number[] = [];
    let answer: 'refuse' | '503' = 'refuse';
    const failing: FetchLike = async () => {
      times.push(Date.now());
      if (answer === 'refuse') throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      return new Response('busy', { status: 503, headers: { 'Retry-After': '1' } });
    };
    const l = listen(session, user, { fetch: failing, backoff: { initialMs: 100, maxMs: 800 } });
    await until('six attempts', () => times.length >= 6, 5000);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Attempt n waits between half and all of min(800, 100·2ⁿ) ms.
    gaps.forEach((gap, n) => {
      const base = Math.min(800, 100 * 2 ** n);
      expect(gap).toBeGreaterThanOrEqual(base / 2 - 5);
      expect(gap).toBeLessThan(base + 100);
    });
    expect(l.statuses.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(5);

    answer = '503';
    const from = times.length;
    await until('two answered attempts', () => times.length >= from + 2, 5000);
    expect(times[from + 1]! - times[from]!).toBeGreaterThanOrEqual(995);
    expect(l.handle.status).toBe('reconnecting');
  });

  it('falls back to EventSource when the advertised WebSocket is refused', async () => {
    const proxy = await startPushProxy({ transports: ['eventsource'] });
    try {
      const user = freshUser('push');
      const session = await fetchSession({ sessionUrl: proxy.sessionUrl, credentials: creds(user) });
      // The proxy answers no WebSocket when only EventSource is on: the upgrade gets a 404.
      session.capabilities['urn:ietf:params:jmap:websocket'] = { url: `${proxy.url.replace('http', 'ws')}/jmap/ws/`, supportsPush: true };
      const l = listen(session, user);
      await l.status('connected');
      expect(l.handle.transport).toBe('eventsource');
      expect(l.statuses).toEqual(['connecting', 'connected']);
      await newMail(user);
      await l.change('Email', 0);
    } finally {
      await proxy.close();
    }
  });
});

describe('push in the core', () => {
  let proxy: PushProxy;
  beforeEach(async () => void (proxy = await startPushProxy()));
  afterEach(async () => proxy.close());

  it('syncs an account as soon as its server pushes a change, and stops push on removal and close', async () => {
    const h = await startHarness({ pollIntervalMs: 60_000 });
    try {
      const user = freshUser('push');
      const account: AccountView = await h.call('accounts.add', { email: user, secret: cyrusEnv().password, serverUrl: proxy.sessionUrl });
      await until('the push connection', () => proxy.openConnections() === 1, 3000);
      expect(proxy.stats.webSocket).toBe(1);

      // The poll interval is a minute: only push can bring this mail in quickly.
      const changed = h.next('emails.changed', (p) => p.accountId === account.id, 3000);
      await newMail(user);
      await changed;
      expect((await h.call('emails.list', { accountId: account.id, role: 'inbox', limit: 10 })).items).toHaveLength(1);

      const other = freshUser('push');
      await h.call('accounts.add', { email: other, secret: cyrusEnv().password, serverUrl: proxy.sessionUrl });
      await until('a second push connection', () => proxy.openConnections() === 2, 3000);
      await h.call('accounts.remove', { accountId: account.id });
      await until('push stopped for the removed account', () => proxy.openConnections() === 1, 2000);
    } finally {
      await h.core.close();
    }
    await until('push stopped on close', () => proxy.openConnections() === 0, 2000);
  });
});
