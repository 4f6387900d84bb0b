// Every request goes through dispatch: malformed calls become typed errors, never crashes.
import { describe, expect, it, vi } from 'vitest';
import { requests } from '../../shared/contract';
import { IpcError } from '../../shared/errors';
import { createDispatch, type Handlers } from '../../electron/core/dispatch';
import { JmapAuthError, JmapDiscoveryError, JmapMethodError, JmapNetworkError } from '../../electron/core/jmap/errors';

/** Every handler throws `err`, except the two the tests call successfully. */
function handlersThatThrow(err: unknown): Handlers {
  const fail = async (): Promise<never> => {
    throw err;
  };
  const all = Object.fromEntries(Object.keys(requests).map((name) => [name, fail])) as unknown as Handlers;
  return {
    ...all,
    'accounts.list': async () => [],
    'sync.now': async ({ accountId }) => ({ started: accountId ? 1 : 0 }),
  };
}

const dispatch = createDispatch(handlersThatThrow(new Error('boom')));

describe('dispatch', () => {
  it('runs a valid request', async () => {
    expect(await dispatch('accounts.list', {})).toEqual({ ok: true, value: [] });
    expect(await dispatch('sync.now', { accountId: 'a' })).toEqual({ ok: true, value: { started: 1 } });
  });

  it('treats missing params as an empty object', async () => {
    expect(await dispatch('accounts.list', undefined)).toEqual({ ok: true, value: [] });
  });

  it.each([42, null, '__proto__', 'constructor', 'toString', 'accounts.list '])('rejects the method name %j as unknown', async (method) => {
    expect(await dispatch(method, {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
  });

  it('names each bad field of invalid params', async () => {
    const res = await dispatch('accounts.add', { email: 42, secret: '' });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.error.code).toBe('invalid-params');
    expect(res.error.issues?.map((i) => i.path).sort()).toEqual(['email', 'secret']);
  });

  it('rejects unexpected keys and wrong shapes', async () => {
    expect(await dispatch('accounts.list', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(await dispatch('mailboxes.list', [1, 2])).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
    expect(await dispatch('mailboxes.list', { accountId: 'x'.repeat(10_000) })).toMatchObject({ ok: false, error: { code: 'invalid-params' } });
  });

  it.each([
    [new JmapAuthError('http://h/', 401), 'auth-failed'],
    [new JmapNetworkError('http://h/', 'connection refused'), 'server-unreachable'],
    [new JmapDiscoveryError('none'), 'discovery-failed'],
    [new JmapMethodError('Mailbox/get', 'serverFail', null), 'jmap-error'],
    [new IpcError({ code: 'not-found', message: 'No such account.' }), 'not-found'],
    [new TypeError('x is undefined'), 'internal'],
  ])('maps %s to %s', async (err, code) => {
    // Unexpected errors are logged for the developer; expected ones are not.
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const d = createDispatch(handlersThatThrow(err));
    const res = await d('mailboxes.list', { accountId: 'a' });
    expect(res).toMatchObject({ ok: false, error: { code } });
    expect(log).toHaveBeenCalledTimes(code === 'internal' ? 1 : 0);
    log.mockRestore();
  });
});
