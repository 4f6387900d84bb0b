// The JMAP client against the real Cyrus: discovery, auth, batching, limits, errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JmapClient } from '../../electron/core/jmap/client';
import { discoverSession } from '../../electron/core/jmap/discovery';
import { JmapAuthError, JmapLimitError, JmapMethodError, JmapNetworkError } from '../../electron/core/jmap/errors';
import type { FetchLike } from '../../electron/core/jmap/http';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { importMessages } from '../support/jmap-raw';

/** A fetch that records the most requests it ever had in flight (each held 20 ms). */
function concurrencyProbe() {
  let inFlight = 0;
  const probe = {
    peak: 0,
    fetch: (async (url, init) => {
      inFlight++;
      probe.peak = Math.max(probe.peak, inFlight);
      try {
        const res = await fetch(url, init);
        await new Promise((r) => setTimeout(r, 20));
        return res;
      } finally {
        inFlight--;
      }
    }) as FetchLike,
  };
  return probe;
}

let user: string;
let env: ReturnType<typeof cyrusEnv>;
const creds = () => ({ kind: 'basic' as const, username: user, password: env.password });

beforeAll(async () => {
  env = cyrusEnv();
  user = freshUser('client');
  await importMessages(user, 'inbox', [{ subject: 'alpha' }, { subject: 'beta', seen: true }, { subject: 'gamma' }]);
});

describe('discovery', () => {
  it('finds the session from the server root through /.well-known/jmap and its redirect', async () => {
    const found = await discoverSession({ email: user, serverUrl: `${env.baseUrl}/`, credentials: creds() });
    expect(found.sessionUrl).toBe(`${env.baseUrl}/jmap`);
    expect(found.session.username).toBe(user);
  });

  it('accepts the session URL itself, and resolves its relative URLs against it', async () => {
    const found = await discoverSession({ email: user, serverUrl: env.sessionUrl, credentials: creds() });
    expect(found.sessionUrl).toBe(env.sessionUrl);
    expect(found.session.apiUrl).toBe(`${env.baseUrl}/jmap/`);
    expect(found.session.downloadUrl).toBe(`${env.baseUrl}/jmap/download/{accountId}/{blobId}/{name}?accept={type}`);
    expect(found.session.uploadUrl).toBe(`${env.baseUrl}/jmap/upload/{accountId}/`);
  });

  it('reports a wrong password as an auth error, without trying further URLs', async () => {
    const seen: string[] = [];
    const spy: FetchLike = (url, init) => (seen.push(url), fetch(url, init));
    const err = await discoverSession({ email: user, serverUrl: env.sessionUrl, credentials: { ...creds(), password: 'wrong' }, fetch: spy }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JmapAuthError);
    expect(seen).toEqual([env.sessionUrl]);
  });

  it('reports a closed port as unreachable', async () => {
    const err = await discoverSession({ email: user, serverUrl: 'http://127.0.0.1:1/', credentials: creds() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JmapNetworkError);
  });
});

describe('requests', () => {
  it('sends several calls in one request, with back-references between them', async () => {
    const requests: string[] = [];
    const spy: FetchLike = (url, init) => (requests.push(url), fetch(url, init));
    const client = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials: creds(), fetch: spy });
    requests.length = 0;
    const batch = client.batch();
    const query = batch.call('Email/query', { accountId: user, sort: [{ property: 'receivedAt', isAscending: false }] }, z.looseObject({ ids: z.array(z.string()) }));
    const get = batch.call(
      'Email/get',
      { accountId: user, '#ids': query.ref('/ids'), properties: ['subject'] },
      z.looseObject({ list: z.array(z.object({ id: z.string(), subject: z.string() })) }),
    );
    const result = await batch.send();
    expect(requests).toHaveLength(1);
    expect(result.get(query).ids).toHaveLength(3);
    expect(result.get(get).list.map((e) => e.subject)).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('turns a method error into a typed error naming the method', async () => {
    const client = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials: creds() });
    const err = await client.call('Mailbox/changes', { accountId: user, sinceState: 'not-a-state' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JmapMethodError);
    expect((err as JmapMethodError).method).toBe('Mailbox/changes');
    const unknown = await client.call('Nope/get', { accountId: user }).catch((e: unknown) => e);
    expect((unknown as JmapMethodError).type).toBe('unknownMethod');
  });

  it('splits a large /get by maxObjectsInGet and packs calls up to maxCallsInRequest', async () => {
    const bodies: { calls: number; ids: number[] }[] = [];
    const spy: FetchLike = (url, init) => {
      if (init.method === 'POST') {
        const body = JSON.parse(String(init.body)) as { methodCalls: [string, { ids?: string[] }, string][] };
        bodies.push({ calls: body.methodCalls.length, ids: body.methodCalls.map((c) => (c[1].ids ?? []).length) });
      }
      return fetch(url, init);
    };
    const client = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials: creds(), fetch: spy });
    const ids = (await client.call('Email/query', { accountId: user }, z.looseObject({ ids: z.array(z.string()) }))).ids;
    bodies.length = 0;
    // Pretend the server advertised tiny limits; the client must honour whatever it reads.
    Object.assign(client.session.limits, { maxObjectsInGet: 1, maxCallsInRequest: 2 });
    const all = await client.getAll('Email', user, ids, ['subject'], z.looseObject({ id: z.string() }));
    expect(all.list.map((e) => e.id).sort()).toEqual([...ids].sort());
    expect(bodies).toEqual([{ calls: 2, ids: [1, 1] }, { calls: 1, ids: [1] }]);
  });

  it('refuses, without sending, a request over maxCallsInRequest', async () => {
    let posts = 0;
    const spy: FetchLike = (url, init) => (init.method === 'POST' && posts++, fetch(url, init));
    const client = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials: creds(), fetch: spy });
    const batch = client.batch();
    for (let i = 0; i <= client.session.limits.maxCallsInRequest; i++) batch.call('Mailbox/get', { accountId: user, ids: [] });
    await expect(batch.send()).rejects.toBeInstanceOf(JmapLimitError);
    expect(posts).toBe(0);
  });

  it('never has more requests in flight than maxConcurrentRequests', async () => {
    const probe = concurrencyProbe();
    const client = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials: creds(), fetch: probe.fetch });
    // Cyrus advertises 5; a smaller advertised limit must be honoured just the same.
    Object.assign(client.session.limits, { maxConcurrentRequests: 2 });
    probe.peak = 0;
    await Promise.all(Array.from({ length: 8 }, () => client.call('Mailbox/get', { accountId: user, ids: [] })));
    expect(probe.peak).toBe(2);
  });

  it('shares that limit between accounts on the same server', async () => {
    const probe = concurrencyProbe();
    const other = freshUser('client2');
    const a = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials: creds(), fetch: probe.fetch });
    const b = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials: { kind: 'basic', username: other, password: env.password }, fetch: probe.fetch });
    Object.assign(a.session.limits, { maxConcurrentRequests: 3 });
    Object.assign(b.session.limits, { maxConcurrentRequests: 3 });
    probe.peak = 0;
    await Promise.all([
      ...Array.from({ length: 6 }, () => a.call('Mailbox/get', { accountId: user, ids: [] })),
      ...Array.from({ length: 6 }, () => b.call('Mailbox/get', { accountId: other, ids: [] })),
    ]);
    expect(probe.peak).toBe(3);
  });

  it('refetches the session when a response carries a new sessionState', async () => {
    let sessionGets = 0;
    let rewrite = false;
    const spy: FetchLike = async (url, init) => {
      if ((init.method ?? 'GET') === 'GET') sessionGets++;
      const res = await fetch(url, init);
      if (!rewrite || init.method !== 'POST') return res;
      const body = (await res.json()) as { sessionState: string };
      return new Response(JSON.stringify({ ...body, sessionState: 'moved-on' }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const client = await JmapClient.connect({ sessionUrl: env.sessionUrl, credentials: creds(), fetch: spy });
    expect(sessionGets).toBe(1);
    await client.call('Mailbox/get', { accountId: user, ids: [] });
    expect(sessionGets).toBe(1);
    rewrite = true;
    await client.call('Mailbox/get', { accountId: user, ids: [] });
    rewrite = false;
    await client.call('Mailbox/get', { accountId: user, ids: [] }); // waits for the refetch first
    expect(sessionGets).toBe(2);
  });
});
