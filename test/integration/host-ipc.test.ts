// The headless host with the real core behind it: the browser transport end to end,
// including everything a hostile or buggy client can throw at it.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../electron/core/core';
import { MemorySecretStore } from '../../electron/core/secrets/secret-store';
import { startHost, type Host } from '../../electron/host/server';
import { connect, FrameReader, rawGet, upgradeStatus } from '../support/host-client';

let dir: string;
let core: Core;
let host: Host;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'host-ipc-'));
  const rendererDir = join(dir, 'renderer');
  await mkdir(rendererDir);
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Meridian</title>');
  await mkdir(join(dir, 'data'));
  core = await createCore({ dataDir: join(dir, 'data'), secrets: new MemorySecretStore(), version: '0.0.0-test' });
  host = await startHost({ core, port: 0, rendererDir });
});

afterAll(async () => {
  await host?.close();
  await core?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('host over HTTP', () => {
  it('serves index.html at / with the CSP', async () => {
    const res = await fetch(host.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Meridian</title>');
    expect(res.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('does not let a path escape the renderer dir', async () => {
    for (const path of ['/../../etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const res = await rawGet(host.port, path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('root:');
    }
  });

  it('refuses a foreign Host header', async () => {
    expect((await rawGet(host.port, '/', { Host: `attacker.example:${host.port}` })).status).toBe(421);
  });
});

describe('host over WebSocket', () => {
  it('refuses connections without the token, with a wrong one, or from a foreign origin', async () => {
    expect(await upgradeStatus(host.port, { token: null })).toBe(401);
    expect(await upgradeStatus(host.port, { token: 'wrong' })).toBe(401);
    expect(await upgradeStatus(host.port, { token: host.token.toUpperCase() })).toBe(401);
    expect(await upgradeStatus(host.port, { token: host.token, origin: 'https://attacker.example' })).toBe(401);
    expect(await upgradeStatus(host.port, { token: host.token, origin: null })).toBe(401);
  });

  it('runs requests and survives malformed input', async () => {
    const ws = await connect(host.port, { token: host.token });
    const reader = new FrameReader(ws);

    expect(await reader.send({ id: 1, method: 'accounts.list', params: {} })).toEqual({ id: 1, ok: true, value: [] });
    expect(await reader.send({ id: 2, method: 'app.info' })).toMatchObject({
      id: 2,
      ok: true,
      value: { version: '0.0.0-test', secretStore: { kind: 'memory', persistent: false } },
    });

    expect(await reader.send('this is not json')).toMatchObject({ id: null, ok: false, error: { code: 'bad-message' } });
    expect(await reader.send('[{"id":3,"method":"accounts.list"}]')).toMatchObject({
      id: null,
      ok: false,
      error: { code: 'bad-message' },
    });
    expect(await reader.send({ id: 4, method: 'accounts.explode', params: {} })).toMatchObject({
      id: 4,
      ok: false,
      error: { code: 'unknown-method' },
    });

    const wrongType = await reader.send({ id: 5, method: 'accounts.add', params: { email: 42, secret: 'pw' } });
    expect(wrongType).toMatchObject({ id: 5, ok: false, error: { code: 'invalid-params' } });
    if (wrongType.ok) throw new Error('expected an error');
    expect(wrongType.error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'email' })]));

    const extraKeys = await reader.send({ id: 6, method: 'accounts.list', params: { everything: true } });
    expect(extraKeys).toMatchObject({ id: 6, ok: false, error: { code: 'invalid-params' } });
    expect(await reader.send({ id: 7, method: 'mailboxes.list', params: { accountId: 'nope', admin: true } })).toMatchObject({
      id: 7,
      ok: false,
      error: { code: 'invalid-params' },
    });
    expect(await reader.send({ id: 8, method: 'mailboxes.list', params: { accountId: 'nope' } })).toMatchObject({
      id: 8,
      ok: false,
      error: { code: 'not-found' },
    });

    const huge = JSON.stringify({ id: 9, method: 'accounts.add', params: { email: 'a@b.c', secret: 's'.repeat(5 * 1024 * 1024) } });
    expect(await reader.send(huge)).toMatchObject({ id: 9, ok: false, error: { code: 'payload-too-large' } });

    // Still serving, on this socket and on a new one.
    expect(await reader.send({ id: 10, method: 'accounts.list', params: {} })).toEqual({ id: 10, ok: true, value: [] });
    ws.close();
    const fresh = new FrameReader(await connect(host.port, { token: host.token }));
    expect(await fresh.send({ id: 1, method: 'accounts.list', params: {} })).toEqual({ id: 1, ok: true, value: [] });
    fresh.ws.close();
  });
});
