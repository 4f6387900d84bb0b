// An account added through the core mirrors the server's mailboxes, and keeps mirroring them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, MailboxView } from '../../shared/contract';
import { createCore, type Core } from '../../electron/core/core';
import { MemorySecretStore } from '../../electron/core/secrets/secret-store';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { importMessages, jmap1, serverMailboxes } from '../support/jmap-raw';

let dataDir: string;
const secrets = new MemorySecretStore();
const cores: Core[] = [];

async function startCore(): Promise<Core> {
  const core = await createCore({ dataDir, secrets, version: 'test', pollIntervalMs: 60_000 });
  cores.push(core);
  return core;
}

async function call<T>(core: Core, method: string, params: unknown): Promise<T> {
  const res = await core.dispatch(method, params);
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}

/** Waits for the next mailboxes.changed event after `action`. */
async function afterChange(core: Core, action: () => Promise<unknown>): Promise<void> {
  const changed = new Promise<void>((resolve) => {
    const off = core.onEvent((e) => {
      if (e.event === 'mailboxes.changed') {
        off();
        resolve();
      }
    });
  });
  await action();
  await call(core, 'sync.now', {});
  await changed;
}

function comparable(list: { id: string; name: string; parentId: string | null; role: string | null; totalEmails: number; unreadEmails: number }[]) {
  return list
    .map(({ id, name, parentId, role, totalEmails, unreadEmails }) => ({ id, name, parentId, role, totalEmails, unreadEmails }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

let user: string;
let core: Core;
let account: AccountView;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mailbox-sync-'));
  user = freshUser('sync');
  await importMessages(user, 'inbox', [{ subject: 'one' }, { subject: 'two' }, { subject: 'three', seen: true }]);
  core = await startCore();
  account = await call<AccountView>(core, 'accounts.add', { email: user, secret: cyrusEnv().password, serverUrl: cyrusEnv().baseUrl });
});

afterAll(async () => {
  for (const c of cores) await c.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('mailbox sync', () => {
  it('shows every server mailbox with its role and counts as soon as the account is added', async () => {
    expect(account.status.state).toBe('online');
    const local = await call<MailboxView[]>(core, 'mailboxes.list', { accountId: account.id });
    const server = await serverMailboxes(user);
    expect(comparable(local)).toEqual(comparable(server.list));
    expect(local.find((m) => m.role === 'inbox')).toMatchObject({ name: 'Inbox', totalEmails: 3, unreadEmails: 2 });
    expect(local.map((m) => m.role)).toEqual(expect.arrayContaining(['inbox', 'drafts', 'sent', 'trash', 'junk', 'archive']));
  });

  it('stores the server state string with the mailboxes it describes', async () => {
    const server = await serverMailboxes(user);
    const db = new Database(join(dataDir, 'mail.db'), { readonly: true });
    const state = db.prepare("SELECT state FROM sync_state WHERE account_id = ? AND type = 'Mailbox'").pluck().get(account.id);
    db.close();
    expect(state).toBe(server.state);
  });

  it('picks up created, renamed, nested and destroyed mailboxes and new counts', async () => {
    let created = '';
    await afterChange(core, async () => {
      const res = await jmap1(user, 'Mailbox/set', { create: { p: { name: 'Projects' } } });
      created = (res.created as Record<string, { id: string }>).p!.id;
    });
    await afterChange(core, () =>
      jmap1(user, 'Mailbox/set', { update: { [created]: { name: 'Work' } }, create: { c: { name: 'Acme', parentId: created } } }),
    );
    await afterChange(core, () => importMessages(user, 'inbox', [{ subject: 'four' }]));
    let local = await call<MailboxView[]>(core, 'mailboxes.list', { accountId: account.id });
    expect(comparable(local)).toEqual(comparable((await serverMailboxes(user)).list));
    expect(local.find((m) => m.name === 'Acme')?.parentId).toBe(created);
    expect(local.find((m) => m.id === created)?.name).toBe('Work');
    expect(local.find((m) => m.role === 'inbox')?.unreadEmails).toBe(3);

    const acme = local.find((m) => m.name === 'Acme')!.id;
    await afterChange(core, () => jmap1(user, 'Mailbox/set', { destroy: [acme, created] }));
    local = await call<MailboxView[]>(core, 'mailboxes.list', { accountId: account.id });
    expect(local.some((m) => m.id === created || m.id === acme)).toBe(false);
    expect(comparable(local)).toEqual(comparable((await serverMailboxes(user)).list));
  });

  it('recovers with a full resync when the server cannot use the stored state', async () => {
    const db = new Database(join(dataDir, 'mail.db'));
    db.prepare("UPDATE sync_state SET state = 'from-another-server' WHERE account_id = ? AND type = 'Mailbox'").run(account.id);
    db.prepare("UPDATE mailbox SET name = 'stale' WHERE account_id = ?").run(account.id);
    db.prepare("INSERT INTO mailbox (account_id, id, name) VALUES (?, 'ghost', 'Ghost')").run(account.id);
    db.close();
    await afterChange(core, async () => {});
    const local = await call<MailboxView[]>(core, 'mailboxes.list', { accountId: account.id });
    expect(comparable(local)).toEqual(comparable((await serverMailboxes(user)).list));
  });

  it('starts from the local copy, without the network, after a restart', async () => {
    await core.close();
    cores.splice(cores.indexOf(core), 1);
    core = await startCore();
    const accounts = await call<AccountView[]>(core, 'accounts.list', {});
    expect(accounts.map((a) => a.email)).toEqual([user]);
    const local = await call<MailboxView[]>(core, 'mailboxes.list', { accountId: account.id });
    expect(local.find((m) => m.role === 'inbox')?.totalEmails).toBe(4);
  });

  it('refuses to add the same server account twice', async () => {
    const res = await core.dispatch('accounts.add', { email: user, secret: cyrusEnv().password, serverUrl: cyrusEnv().baseUrl });
    expect(res).toMatchObject({ ok: false, error: { code: 'already-exists' } });
  });

  it('removes an account with its mailboxes and its stored password', async () => {
    await call(core, 'accounts.remove', { accountId: account.id });
    expect(await call<AccountView[]>(core, 'accounts.list', {})).toEqual([]);
    expect(await secrets.get(account.id)).toBeNull();
    const db = new Database(join(dataDir, 'mail.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM mailbox WHERE account_id = ?').pluck().get(account.id)).toBe(0);
    db.close();
    expect(await core.dispatch('mailboxes.list', { accountId: account.id })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

describe('adding an account that cannot work', () => {
  it('says the password was rejected, and adds nothing', async () => {
    const res = await core.dispatch('accounts.add', { email: user, secret: 'wrong', serverUrl: cyrusEnv().baseUrl });
    expect(res).toMatchObject({ ok: false, error: { code: 'auth-failed' } });
    expect(await call<AccountView[]>(core, 'accounts.list', {})).toEqual([]);
  });

  it('says the server is unreachable', async () => {
    const res = await core.dispatch('accounts.add', { email: user, secret: 'x', serverUrl: 'http://127.0.0.1:1/' });
    expect(res).toMatchObject({ ok: false, error: { code: 'server-unreachable' } });
  });

  it('says when a server answers but is not JMAP', async () => {
    const res = await core.dispatch('accounts.add', { email: user, secret: 'x', serverUrl: `${cyrusEnv().baseUrl}/dav/nothing-here` });
    expect(res.ok).toBe(false);
    expect(['discovery-failed', 'auth-failed']).toContain(res.ok ? '' : res.error.code);
  });
});
