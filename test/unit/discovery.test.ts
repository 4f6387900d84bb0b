// RFC 8620 §2.2 discovery: which URLs are tried, in what order, and where credentials may go.
import { describe, expect, it } from 'vitest';
import { candidatesFromEmail, candidatesFromUrl, discoverSession } from '../../electron/core/jmap/discovery';
import { JmapDiscoveryError } from '../../electron/core/jmap/errors';
import type { FetchLike } from '../../electron/core/jmap/http';

describe('candidates', () => {
  it('tries a typed URL, then its /.well-known/jmap', () => {
    expect(candidatesFromUrl('https://mail.example.com/jmap/session')).toEqual([
      'https://mail.example.com/jmap/session',
      'https://mail.example.com/.well-known/jmap',
    ]);
    expect(candidatesFromUrl('mail.example.com')).toEqual(['https://mail.example.com/.well-known/jmap']);
    expect(candidatesFromUrl('http://127.0.0.1:8080/')).toEqual(['http://127.0.0.1:8080/.well-known/jmap']);
  });

  it('refuses non-http URLs', () => {
    expect(() => candidatesFromUrl('ftp://example.com/')).toThrow(JmapDiscoveryError);
  });

  it('puts SRV targets first, by priority then weight, then the domain itself', async () => {
    const srv = async (name: string) => {
      expect(name).toBe('_jmap._tcp.example.com');
      return [
        { name: 'backup.example.net', port: 443, priority: 20, weight: 0 },
        { name: 'jmap.example.net.', port: 8443, priority: 10, weight: 5 },
        { name: 'light.example.net', port: 443, priority: 10, weight: 1 },
      ];
    };
    expect(await candidatesFromEmail('Joe@Example.com', srv)).toEqual([
      'https://jmap.example.net:8443/.well-known/jmap',
      'https://light.example.net/.well-known/jmap',
      'https://backup.example.net/.well-known/jmap',
      'https://example.com/.well-known/jmap',
    ]);
  });

  it('falls back to the domain when there is no SRV record, and skips a "." target', async () => {
    expect(await candidatesFromEmail('a@example.org', async () => Promise.reject(new Error('ENODATA')))).toEqual(['https://example.org/.well-known/jmap']);
    expect(await candidatesFromEmail('a@example.org', async () => [{ name: '.', port: 0, priority: 0, weight: 0 }])).toEqual(['https://example.org/.well-known/jmap']);
  });
});

describe('redirects', () => {
  const session = {
    capabilities: { 'urn:ietf:params:jmap:core': { maxSizeUpload: 1, maxConcurrentUpload: 1, maxSizeRequest: 1, maxConcurrentRequests: 1, maxCallsInRequest: 1, maxObjectsInGet: 1, maxObjectsInSet: 1 } },
    accounts: {}, primaryAccounts: {}, username: 'u', apiUrl: '/api/', downloadUrl: '/d', uploadUrl: '/u', state: '1',
  };
  function server(routes: Record<string, { status: number; location?: string }>, seen: { url: string; auth: boolean }[]): FetchLike {
    return async (url, init) => {
      seen.push({ url, auth: new Headers(init.headers).has('authorization') });
      const route = routes[url];
      if (!route) return new Response('not found', { status: 404 });
      if (route.location) return new Response(null, { status: route.status, headers: { location: route.location } });
      return Response.json(session);
    };
  }

  it('follows a cross-origin redirect to https with the credentials', async () => {
    const seen: { url: string; auth: boolean }[] = [];
    const fetch = server({
      'https://example.com/.well-known/jmap': { status: 301, location: 'https://api.example.com/jmap/session' },
      'https://api.example.com/jmap/session': { status: 200 },
    }, seen);
    const found = await discoverSession({ email: 'a@example.com', credentials: { kind: 'bearer', token: 't' }, fetch, resolveSrv: async () => [] });
    expect(found.sessionUrl).toBe('https://api.example.com/jmap/session');
    expect(found.session.apiUrl).toBe('https://api.example.com/api/');
    expect(seen.every((s) => s.auth)).toBe(true);
  });

  it('will not send credentials through a redirect to plain http on another host', async () => {
    const seen: { url: string; auth: boolean }[] = [];
    const fetch = server({ 'https://example.com/.well-known/jmap': { status: 302, location: 'http://evil.example.net/jmap' } }, seen);
    const err = await discoverSession({ email: 'a@example.com', credentials: { kind: 'bearer', token: 't' }, fetch, resolveSrv: async () => [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JmapDiscoveryError);
    expect(seen.map((s) => s.url)).toEqual(['https://example.com/.well-known/jmap']);
  });

  it('gives up on a redirect loop', async () => {
    const fetch = server({
      'https://example.com/.well-known/jmap': { status: 302, location: '/a' },
      'https://example.com/a': { status: 302, location: '/.well-known/jmap' },
    }, []);
    await expect(discoverSession({ email: 'a@example.com', credentials: { kind: 'bearer', token: 't' }, fetch, resolveSrv: async () => [] })).rejects.toThrow(/Too many redirects|No JMAP server/);
  });
});
