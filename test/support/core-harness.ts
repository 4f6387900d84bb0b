// Drives a real core (SQLite + sync engine) through its dispatch, as the renderer would.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventName, EventPayload, Params, RequestName, Result } from '../../shared/contract';
import { createCore, type Core } from '../../electron/core/core';
import { MemorySecretStore } from '../../electron/core/secrets/secret-store';

export interface Harness {
  core: Core;
  dataDir: string;
  dbFile: string;
  secrets: MemorySecretStore;
  call<M extends RequestName>(method: M, params: Params<M>): Promise<Result<M>>;
  /** Resolves with the first matching event emitted from now on. */
  next<E extends EventName>(event: E, match?: (p: EventPayload<E>) => boolean, timeoutMs?: number): Promise<EventPayload<E>>;
  /** Adds an account and waits until its first sync, mail included, is complete. */
  addAccount(params: Params<'accounts.add'>): Promise<Result<'accounts.add'>>;
  /** Closes this core and opens a new one on the same data and secrets: a restart. */
  restart(): Promise<Harness>;
}

export async function startHarness(opts: { dataDir?: string; secrets?: MemorySecretStore; pollIntervalMs?: number; pageSize?: number; maxSourceBytes?: number } = {}): Promise<Harness> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'core-'));
  const secrets = opts.secrets ?? new MemorySecretStore();
  const core = await createCore({
    dataDir, secrets, version: 'test', pollIntervalMs: opts.pollIntervalMs ?? 60_000,
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
    ...(opts.maxSourceBytes ? { maxSourceBytes: opts.maxSourceBytes } : {}),
  });
  const h: Harness = {
    core,
    dataDir,
    dbFile: join(dataDir, 'mail.db'),
    secrets,
    async call(method, params) {
      const res = await core.dispatch(method, params);
      if (!res.ok) throw Object.assign(new Error(`${res.error.code}: ${res.error.message}`), { code: res.error.code });
      return res.value as Result<typeof method>;
    },
    next(event, match, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => (off(), reject(new Error(`no ${event} event within ${timeoutMs} ms`))), timeoutMs);
        const off = core.onEvent((e) => {
          if (e.event !== event) return;
          const payload = e.payload as EventPayload<typeof event>;
          if (match && !match(payload)) return;
          clearTimeout(timer);
          off();
          resolve(payload);
        });
      });
    },
    async addAccount(params) {
      const done = new Promise<void>((resolve) => {
        const off = core.onEvent((e) => {
          if (e.event === 'account.status' && e.payload.status.state === 'online' && e.payload.status.initialSync === null && added.has(e.payload.accountId)) {
            off();
            resolve();
          }
        });
      });
      const added = new Set<string>();
      const view = await h.call('accounts.add', params);
      added.add(view.id);
      await done;
      return (await h.call('accounts.list', {})).find((a) => a.id === view.id)!;
    },
    async restart() {
      await core.close();
      return startHarness({ ...opts, dataDir, secrets });
    },
  };
  return h;
}
