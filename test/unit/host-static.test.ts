// The host's HTTP and WebSocket edges against a stand-in core: what the host itself
// guarantees, independent of the real core (see test/integration/host-ipc.test.ts).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Core } from '../../electron/core/core';
import type { CoreEventListener } from '../../electron/core/events';
import { startHost, type Host } from '../../electron/host/server';
import { connect, FrameReader, rawGet, upgradeStatus } from '../support/host-client';

const token = 'test-token-' + 'x'.repeat(32);
let dir: string;
let host: Host;
const listeners = new Set<CoreEventListener>();
const calls: { method: unknown; params: unknown }[] = [];

const fakeCore: Pick<Core, 'dispatch' | 'onEvent'> = {
  async dispatch(method, params) {
    calls.push({ method, params });
    if (method === 'boom') throw new Error('dispatch must not throw, but the host survives it');
    return { ok: true, value: { echo: params ?? null } };
  },
  onEvent(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'host-static-'));
  await mkdir(join(dir, 'renderer/assets'), { recursive: true });
  await writeFile(join(dir, 'renderer/index.html'), '<!doctype html><title>t</title>');
  await writeFile(join(dir, 'renderer/assets/app.js'), 'console.log(1)');
  await writeFile(join(dir, 'secret.txt'), 'outside the renderer dir');
  host = await startHost({ core: fakeCore, port: 0, rendererDir: join(dir, 'renderer'), token });
});

afterAll(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

describe('startHost', () => {
  it('listens on loopback and refuses other addresses', async () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
    expect(host.token).toBe(token);
    await expect(startHost({ core: fakeCore, port: 0, host: '0.0.0.0', rendererDir: dir })).rejects.toThrow(/loopback/);
  });

  it('makes a fresh random token per launch', async () => {
    const a = await startHost({ core: fakeCore, port: 0, rendererDir: dir });
    const b = await startHost({ core: fakeCore, port: 0, rendererDir: dir });
    await Promise.all([a.close(), b.close()]);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
  });
});

describe('HTTP', () => {
  it('serves index.html for / with the security headers', async () => {
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('<title>t</title>');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('serves assets with their content type, and HEAD without a body', async () => {
    const res = await fetch(new URL('assets/app.js?v=1', host.url));
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toBe('console.log(1)');
    const head = await rawGet(host.port, '/assets/app.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it.each(['/missing.js', '/assets', '/assets/', '/ipc', '/../secret.txt', '/../../etc/passwd', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/%00', '/%E0%A4%A'])(
    '404s %s',
    async (path) => {
      const res = await rawGet(host.port, path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('outside the renderer dir');
    },
  );

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    for (const hostHeader of ['evil.example', `evil.example:${host.port}`, '127.0.0.1', `127.0.0.1:${host.port + 1}`]) {
      const res = await rawGet(host.port, '/', { Host: hostHeader });
      expect(res.status).toBe(421);
      expect(res.headers['content-security-policy']).toBeUndefined();
    }
    expect((await rawGet(host.port, '/', { Host: `localhost:${host.port}` })).status).toBe(200);
  });

  it('allows only GET and HEAD', async () => {
    expect((await rawGet(host.port, '/', {}, 'POST')).status).toBe(405);
  });
});

describe('WebSocket', () => {
  const own = () => `http://127.0.0.1:${host.port}`;

  it('refuses upgrades without the token, with a wrong token, or from a foreign origin', async () => {
    expect(await upgradeStatus(host.port, { token: null })).toBe(401);
    expect(await upgradeStatus(host.port, { token: '' })).toBe(401);
    expect(await upgradeStatus(host.port, { token: token.slice(0, -1) })).toBe(401);
    expect(await upgradeStatus(host.port, { token: token + 'x' })).toBe(401);
    expect(await upgradeStatus(host.port, { token, origin: null })).toBe(401);
    expect(await upgradeStatus(host.port, { token, origin: 'http://evil.example' })).toBe(401);
    expect(await upgradeStatus(host.port, { token, origin: `https://127.0.0.1:${host.port}` })).toBe(401);
    expect(await upgradeStatus(host.port, { token, origin: `http://127.0.0.1:${host.port + 1}` })).toBe(401);
    expect(await upgradeStatus(host.port, { token, origin: 'null' })).toBe(401);
    expect(await upgradeStatus(host.port, { token, path: '/other' })).toBe(404);
    expect(await upgradeStatus(host.port, { token, headers: { Host: `evil.example:${host.port}` } })).toBe(421);
    expect(await upgradeStatus(host.port, { token, origin: `http://localhost:${host.port}` })).toBe('open');
    expect(await upgradeStatus(host.port, { token, origin: own() })).toBe('open');
  });

  it('answers requests and typed errors for malformed frames, and keeps serving', async () => {
    const ws = await connect(host.port, { token });
    const reader = new FrameReader(ws);
    expect(await reader.send({ id: 1, method: 'm', params: { a: 1 } })).toEqual({ id: 1, ok: true, value: { echo: { a: 1 } } });
    expect(await reader.send({ id: 2, method: 'm' })).toEqual({ id: 2, ok: true, value: { echo: null } });

    const bad = async (frame: string | Buffer | object, id: number | null, code: string) => {
      const res = await reader.send(frame);
      expect(res).toMatchObject({ id, ok: false, error: { code } });
      if (!res.ok) expect(typeof res.error.message).toBe('string');
    };
    await bad('not json', null, 'bad-message');
    await bad('', null, 'bad-message');
    await bad('[1,2]', null, 'bad-message');
    await bad('null', null, 'bad-message');
    await bad('42', null, 'bad-message');
    await bad({ method: 'm' }, null, 'bad-message');
    await bad({ id: -1, method: 'm' }, null, 'bad-message');
    await bad({ id: 1.5, method: 'm' }, null, 'bad-message');
    await bad({ id: '3', method: 'm' }, null, 'bad-message');
    await bad({ id: 2 ** 53, method: 'm' }, null, 'bad-message');
    await bad({ id: 4, method: 7 }, 4, 'bad-message');
    await bad({ id: 5 }, 5, 'bad-message');
    await bad({ id: 6, method: 'm', params: {}, extra: true }, 6, 'bad-message');
    await bad(Buffer.from(JSON.stringify({ id: 7, method: 'm' })), null, 'bad-message');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    await bad({ id: 8, method: 'boom' }, 8, 'internal');
    expect(logged).toHaveBeenCalledOnce();
    logged.mockRestore();

    const big = JSON.stringify({ id: 9, method: 'm', params: { blob: 'a'.repeat(5 * 1024 * 1024) } });
    await bad(big, 9, 'payload-too-large');
    await bad(' ' + big, null, 'payload-too-large');
    await bad('{"id":99999999999999999999,' + big.slice(1), null, 'payload-too-large');

    const before = calls.length;
    expect(await reader.send({ id: 10, method: 'm', params: 'after' })).toEqual({ id: 10, ok: true, value: { echo: 'after' } });
    expect(calls.length).toBe(before + 1);
    ws.close();

    const fresh = new FrameReader(await connect(host.port, { token }));
    expect(await fresh.send({ id: 1, method: 'm' })).toMatchObject({ id: 1, ok: true });
    fresh.ws.close();
  });

  it('drops a frame above the hard cap without going down', async () => {
    const ws = await connect(host.port, { token });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(17 * 1024 * 1024));
    expect(await closed).toBe(1009);
    const again = new FrameReader(await connect(host.port, { token }));
    expect(await again.send({ id: 1, method: 'm' })).toMatchObject({ id: 1, ok: true });
    again.ws.close();
  });

  it('broadcasts core events to every open socket and stops after close', async () => {
    const a = new FrameReader(await connect(host.port, { token }));
    const b = new FrameReader(await connect(host.port, { token }));
    for (const fn of listeners) fn({ event: 'mailboxes.changed', payload: { accountId: 'acc1' } });
    expect(await a.nextEvent()).toEqual({ event: 'mailboxes.changed', payload: { accountId: 'acc1' } });
    expect(await b.nextEvent()).toEqual({ event: 'mailboxes.changed', payload: { accountId: 'acc1' } });

    const closed = new Promise((resolve) => a.ws.once('close', resolve));
    a.ws.close();
    await closed;
    for (const fn of listeners) fn({ event: 'accounts.changed', payload: {} });
    expect(await b.nextEvent()).toEqual({ event: 'accounts.changed', payload: {} });
    expect(a.events).toEqual([]);
    b.ws.close();
  });

  it('closes sockets and unsubscribes from the core on close()', async () => {
    const other = await startHost({ core: fakeCore, port: 0, rendererDir: dir, token });
    const count = listeners.size;
    const ws = await connect(other.port, { token });
    const closed = new Promise((resolve) => ws.once('close', resolve));
    await other.close();
    await closed;
    expect(listeners.size).toBe(count - 1);
    await expect(fetch(other.url)).rejects.toThrow();
  });
});
