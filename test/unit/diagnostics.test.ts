import { describe, expect, it } from 'vitest';
import type { AccountView, OutboxEntryView } from '../../shared/contract';
import { createCore } from '../../electron/core/core';
import { diagnosticsText, type DiagnosticsInput } from '../../electron/core/diagnostics';
import { MemorySecretStore } from '../../electron/core/secrets/secret-store';

const account = (id: string, over: Partial<AccountView> = {}): AccountView => ({
  id,
  name: 'Alice',
  email: 'alice@mail.example',
  username: 'alice',
  sessionUrl: 'https://alice:hunter2@mail.example:8443/jmap/session?x=1',
  notify: true,
  status: { state: 'online', message: null, lastSyncAt: Date.UTC(2026, 10, 26, 12, 0, 0), initialSync: null },
  ...over,
});
const entry = (accountId: string, status: 'pending' | 'failed'): OutboxEntryView => ({ id: 1, accountId, kind: 'send', status, attempts: 0, error: null, createdAt: 0 });

const input = (over: Partial<DiagnosticsInput> = {}): DiagnosticsInput => ({
  version: '1.2.3',
  platform: 'linux',
  arch: 'x64',
  versions: { node: '24.1.0', electron: '41.7.1', chrome: '146.0.0.0' },
  secretStore: { kind: 'keychain', persistent: true, description: 'Keychain' },
  accounts: [],
  outbox: [],
  databaseBytes: 3 * 1024 * 1024,
  log: null,
  now: new Date(Date.UTC(2026, 10, 26, 13, 0, 0)),
  ...over,
});

describe('diagnosticsText', () => {
  it('names the versions, the platform, the secret store and the database size', () => {
    const text = diagnosticsText(input());
    expect(text).toContain('Meridian Mail 1.2.3 diagnostics, 2026-11-26T13:00:00.000Z');
    expect(text).toContain('Platform: linux x64');
    expect(text).toContain('Node 24.1.0, Electron 41.7.1, Chrome 146.0.0.0');
    expect(text).toContain('Secret store: keychain');
    expect(text).toContain('Database: 3.0 MiB');
    expect(diagnosticsText(input({ versions: { node: '20.1.0' } }))).toContain('Node 20.1.0 (no Electron: headless host)');
  });

  it('lists accounts by id and server origin with their sync state, and never a credential', () => {
    const text = diagnosticsText(
      input({
        accounts: [
          account('acc-1'),
          account('acc-2', {
            sessionUrl: 'https://jmap.other.example/.well-known/jmap',
            status: { state: 'auth-failed', message: 'server said: Authorization: Basic YWxpY2U6aHVudGVyMg==', lastSyncAt: null, initialSync: { fetched: 40, total: 100 } },
          }),
        ],
        outbox: [entry('acc-1', 'pending'), entry('acc-1', 'pending'), entry('acc-1', 'failed')],
      }),
    );
    expect(text).toContain('acc-1  https://mail.example:8443  online, last sync 2026-11-26T12:00:00.000Z');
    expect(text).toContain('acc-2  https://jmap.other.example  auth-failed, last sync never, first sync 40/100 — server said: Authorization: [redacted]');
    expect(text).toContain('acc-1  2 pending, 1 failed');
    for (const secret of ['hunter2', 'YWxpY2U6aHVudGVyMg', 'alice@', '/jmap/session']) expect(text).not.toContain(secret);
  });

  it('appends the log tail, redacted, or says there is no log file', () => {
    expect(diagnosticsText(input())).toContain('Log: this process keeps no log file');
    const text = diagnosticsText(input({ log: ['2026-11-26T12:00:00.000Z WARN fetch https://bob:pw@x.example/ failed', 'line two'] }));
    expect(text).toContain('Log (last 2 lines):\n2026-11-26T12:00:00.000Z WARN fetch https://[redacted]@x.example/ failed\nline two\n');
  });
});

describe('app.diagnostics through the core', () => {
  it('reports this process, and the log tail the shell hands in', async () => {
    const asked: number[] = [];
    const core = await createCore({
      dataDir: ':memory:',
      secrets: new MemorySecretStore(),
      version: '9.9.9',
      logTail: (lines) => {
        asked.push(lines);
        return ['2026-11-26T12:00:00.000Z INFO started', 'token=abc'];
      },
    });
    try {
      const result = await core.dispatch('app.diagnostics', {});
      expect(result.ok).toBe(true);
      const text = result.ok ? (result.value as { text: string }).text : '';
      expect(text).toContain('Meridian Mail 9.9.9 diagnostics');
      expect(text).toContain(`Platform: ${process.platform} ${process.arch}`);
      expect(text).toContain(`Node ${process.versions.node}`);
      expect(text).toContain('Secret store: memory (not persistent)');
      expect(text).toMatch(/Database: \d+\.\d KiB/);
      expect(text).toContain('Accounts (0):');
      expect(text).toContain('Outbox:\n  empty');
      expect(text).toContain('INFO started\ntoken="[redacted]"\n');
      expect(asked).toEqual([200]);
    } finally {
      await core.close();
    }
  });

  it('without a log file (the headless host) says so', async () => {
    const core = await createCore({ dataDir: ':memory:', secrets: new MemorySecretStore(), version: '1.0.0' });
    try {
      const result = await core.dispatch('app.diagnostics', {});
      expect(result.ok && (result.value as { text: string }).text).toContain('Log: this process keeps no log file');
    } finally {
      await core.close();
    }
  });
});
