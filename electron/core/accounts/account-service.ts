// Adding, removing and connecting accounts; each account's connection status; and the sync
// run the scheduler calls for it.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AccountStatus, AccountView, ValidParams } from '../../../shared/contract';
import { IpcError } from '../../../shared/errors';
import type { EventBus } from '../events';
import { JmapClient } from '../jmap/client';
import { discoverSession, type SrvResolver } from '../jmap/discovery';
import { JmapAuthError, JmapNetworkError } from '../jmap/errors';
import { credentialsFor, type Credentials, type FetchLike } from '../jmap/http';
import { startPush, type PushHandle } from '../jmap/push';
import { capabilities, parseSession, primaryMailAccount } from '../jmap/session';
import { IdentitySchema, type IdentityStore } from '../store/identities';
import type { SecretStore } from '../secrets/secret-store';
import type { AccountRow, AccountStore } from '../store/accounts';
import type { EmailMeta } from '../store/emails';
import { syncAccount, type AccountSyncDeps, type PollExtension } from '../sync/account-sync';
import { fetchBodies } from '../sync/body-sync';
import { fullMailboxSync } from '../sync/mailbox-sync';
import type { Outbox } from '../sync/outbox';
import type { PassResult } from '../sync/scheduler';

export interface AccountServiceDeps extends AccountSyncDeps {
  identities: IdentityStore;
  syncOptions?: { pageSize?: number };
  outbox: Outbox;
  accounts: AccountStore;
  secrets: SecretStore;
  events: EventBus;
  fetch?: FetchLike;
  resolveSrv?: SrvResolver;
  /** The server pushed a change for this account (or push (re)connected): sync it now. */
  onPush?: (accountId: string) => void;
  /** Push connected (true) or not (false), so polling can become a safety net. */
  onPushStatus?: (accountId: string, connected: boolean) => void;
  log?: (message: string) => void;
  /** Calendars and contacts: prepares the calls that join each pass's mail poll. */
  pimPoll?: (client: JmapClient, localId: string) => Promise<PollExtension | null>;
}

interface Runtime {
  client: JmapClient | null;
  status: AccountStatus;
  /** Kept for the push connection, which the client does not expose. */
  credentials: Credentials | null;
  /** Started once, after the first successful sync; null before and for no push at all. */
  push: PushHandle | null;
  /** Identities are read once per run: Cyrus and others have no Identity/changes to poll. */
  identitiesFetched: boolean;
}

export class AccountService {
  private readonly runtimes = new Map<string, Runtime>();
  private closed = false;

  constructor(private readonly deps: AccountServiceDeps) {}

  list(): AccountView[] {
    return this.deps.accounts.list().map((row) => this.view(row));
  }

  ids(): string[] {
    return this.deps.accounts.list().map((r) => r.id);
  }

  async add(params: ValidParams<'accounts.add'>): Promise<AccountView> {
    const username = params.username || params.email;
    const credentials = credentialsFor(params.authKind, username, params.secret);
    const found = await discoverSession({
      email: params.email,
      serverUrl: params.serverUrl || undefined,
      credentials,
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
      ...(this.deps.resolveSrv ? { resolveSrv: this.deps.resolveSrv } : {}),
    });
    const jmapAccountId = primaryMailAccount(found.session);
    if (!jmapAccountId) {
      throw new IpcError({ code: 'discovery-failed', message: 'This JMAP server offers no mail account for this login.' });
    }
    const existing = this.deps.accounts.findByServerAccount(found.sessionUrl, jmapAccountId);
    if (existing) throw new IpcError({ code: 'already-exists', message: `${existing.email} is already added.` });

    const row: AccountRow = {
      id: randomUUID(),
      name: params.name || found.session.accounts[jmapAccountId]?.name || params.email,
      email: params.email,
      username,
      authKind: credentials.kind,
      sessionUrl: found.sessionUrl,
      jmapAccountId,
      sessionJson: JSON.stringify(found.session.raw),
      createdAt: Date.now(),
      notify: true,
    };
    try {
      await this.deps.secrets.set(row.id, params.secret);
    } catch (err) {
      throw new IpcError({ code: 'secret-store', message: `Could not store the password: ${err instanceof Error ? err.message : String(err)}` });
    }
    try {
      this.deps.accounts.insert(row);
    } catch (err) {
      await this.deps.secrets.delete(row.id).catch(() => {});
      throw err;
    }
    this.runtimes.set(row.id, { client: this.makeClient(row, credentials, found.session), status: status('connecting'), credentials, push: null, identitiesFetched: false });
    this.deps.events.emit('accounts.changed', {});
    return this.view(row);
  }

  async remove(id: string): Promise<boolean> {
    const removed = this.deps.accounts.remove(id);
    this.runtimes.get(id)?.push?.stop();
    this.runtimes.delete(id);
    await this.deps.secrets.delete(id).catch(() => {});
    if (removed) this.deps.events.emit('accounts.changed', {});
    return removed;
  }

  /** One sync pass for an account; the scheduler calls this. Throws so the scheduler backs off. */
  async sync(id: string, continuation = false): Promise<PassResult> {
    const row = this.deps.accounts.get(id);
    if (!row) return;
    if (continuation && !this.deps.outbox.hasPending(id)) {
      // Only background body fetching is left: no need to ask the server what changed again.
      const client = await this.client(row);
      return (await fetchBodies(client, this.deps, row.id, row.jmapAccountId, { budgetMs: 1000 })) > 0 ? 'more' : undefined;
    }
    try {
      const client = await this.client(row);
      await this.replayOutbox(client, row);
      const arrivedSince = this.arrivalThreshold(id);
      const extraPoll = (await this.deps.pimPoll?.(client, row.id)) ?? null;
      const outcome = await syncAccount(client, this.deps, row.id, row.jmapAccountId, {
        ...this.deps.syncOptions,
        extraPoll,
        onEmails: () => this.deps.events.emit('emails.changed', { accountId: id }),
        onProgress: (fetched, total) => this.setStatus(id, { ...this.runtime(id).status, initialSync: { fetched, total } }),
      });
      this.setStatus(id, status('online', null, Date.now()));
      this.announceArrivals(id, outcome.arrived.filter((e) => e.receivedAt >= arrivedSince));
      this.startPush(row, client);
      await this.fetchIdentities(row, client);
      if (outcome.mailboxesChanged) this.deps.events.emit('mailboxes.changed', { accountId: id });
      const bodies = await fetchBodies(client, this.deps, row.id, row.jmapAccountId, { budgetMs: 1000 });
      if (bodies > 0) return 'more';
      return outcome.mailboxesChanged || outcome.emailsChanged ? 'changed' : undefined;
    } catch (err) {
      this.setFailure(id, err);
      throw err;
    }
  }

  /**
   * Just the folders, so a new account appears with its mailbox tree at once; its mail then
   * streams in through the scheduler. Failures only set the status: the scheduler retries.
   */
  async firstMailboxSync(id: string): Promise<void> {
    const row = this.deps.accounts.get(id);
    if (!row) return;
    try {
      const client = await this.client(row);
      if (this.deps.syncState.get(row.id, 'Mailbox') === null) await fullMailboxSync(client, this.deps, row.id, row.jmapAccountId);
      this.setStatus(id, { ...status('online', null, Date.now()), initialSync: this.initialSyncProgress(id) });
      this.deps.events.emit('mailboxes.changed', { accountId: id });
    } catch (err) {
      this.setFailure(id, err);
    }
  }

  /**
   * Mail received before the last sync is not news, even if this client first sees it now
   * (an import of old mail, or catching up at start-up). Before the first pass of this run,
   * the newest inbox mail stored stands in for the last sync. The margin absorbs clock skew
   * between the server (receivedAt) and this machine.
   */
  private arrivalThreshold(id: string): number {
    const margin = 10 * 60_000;
    const lastSync = this.runtime(id).status.lastSyncAt;
    if (lastSync !== null) return lastSync - margin;
    const newest = this.deps.db
      .prepare("SELECT max(m.received_at) FROM email_mailbox m JOIN mailbox b ON b.account_id = m.account_id AND b.id = m.mailbox_id WHERE m.account_id = ? AND b.role = 'inbox'")
      .pluck()
      .get(id) as number | null;
    return newest === null ? 0 : Math.min(newest, Date.now()) - margin;
  }

  /** One event per pass, however many arrived: the UI shows one (grouped) notification. */
  private announceArrivals(id: string, arrived: readonly EmailMeta[]): void {
    if (!arrived.length || !this.deps.accounts.get(id)?.notify) return;
    const newestFirst = [...arrived].sort((a, b) => b.receivedAt - a.receivedAt);
    this.deps.events.emit('mail.arrived', {
      accountId: id,
      count: arrived.length,
      items: newestFirst.slice(0, 5).map((e) => ({
        id: e.id,
        from: e.from[0] ? e.from[0].name?.trim() || e.from[0].email : '',
        subject: e.subject,
      })),
    });
  }

  private async fetchIdentities(row: AccountRow, client: JmapClient): Promise<void> {
    const rt = this.runtime(row.id);
    if (rt.identitiesFetched || !client.session.capabilities[capabilities.submission]) return;
    const res = await client.call('Identity/get', { accountId: row.jmapAccountId }, z.looseObject({ list: z.array(IdentitySchema) }), [capabilities.mail, capabilities.submission]);
    this.deps.identities.replaceAll(row.id, res.list);
    rt.identitiesFetched = true;
  }

  /** Null once the first sync of the account's mail is complete. */
  private initialSyncProgress(id: string): AccountStatus['initialSync'] {
    if (this.deps.syncState.get(id, 'Email') !== null) return null;
    const row = this.deps.db.prepare("SELECT fetched, total FROM initial_sync WHERE account_id = ? AND type = 'Email'").get(id) as
      | { fetched: number; total: number | null }
      | undefined;
    return row ?? { fetched: 0, total: null };
  }

  private setFailure(id: string, err: unknown): void {
    if (err instanceof JmapAuthError) this.setStatus(id, status('auth-failed', 'The server rejected the stored password. Remove the account and add it again with the new password.'));
    else if (err instanceof JmapNetworkError) this.setStatus(id, status('offline', err.message));
    else this.setStatus(id, status('error', err instanceof Error ? err.message : String(err)));
  }

  /** Stops every push connection; the core is shutting down. */
  close(): void {
    this.closed = true;
    for (const rt of this.runtimes.values()) rt.push?.stop();
  }

  bodyDeps(): { db: AccountServiceDeps['db']; emails: AccountServiceDeps['emails'] } {
    return { db: this.deps.db, emails: this.deps.emails };
  }

  /** The connected client of an account, for requests the user makes (e.g. server search). */
  async clientFor(id: string): Promise<{ client: JmapClient; jmapAccountId: string }> {
    const row = this.deps.accounts.get(id);
    if (!row) throw new IpcError({ code: 'not-found', message: 'No such account.' });
    return { client: await this.client(row), jmapAccountId: row.jmapAccountId };
  }

  /**
   * Local actions go first, so the changes pulled next already include them and never
   * flicker the optimistic state back. Refused actions are undone by the server's state.
   */
  private async replayOutbox(client: JmapClient, row: AccountRow): Promise<void> {
    if (!this.deps.outbox.hasPending(row.id)) return;
    const outcome = await this.deps.outbox.replay(client, row.id, row.jmapAccountId);
    for (const f of outcome.failed) this.deps.events.emit('outbox.failed', { accountId: row.id, actionId: f.actionId, message: f.message });
    if (outcome.resync.emailIds.length) await this.deps.outbox.restoreFromServer(client, row.id, row.jmapAccountId, outcome.resync.emailIds);
    if (outcome.resync.mailboxes) await fullMailboxSync(client, this.deps, row.id, row.jmapAccountId);
    if (outcome.failed.length) {
      this.deps.events.emit('emails.changed', { accountId: row.id });
      this.deps.events.emit('mailboxes.changed', { accountId: row.id });
    }
    this.deps.events.emit('outbox.changed', { accountId: row.id });
  }

  private async client(row: AccountRow): Promise<JmapClient> {
    const rt = this.runtime(row.id);
    if (rt.client) return rt.client;
    const secret = await this.deps.secrets.get(row.id);
    if (secret === null) {
      const where = { memory: 'memory', 'safe-storage': 'the encrypted password file', keychain: 'the keychain' }[this.deps.secrets.info.kind];
      throw new IpcError({ code: 'secret-store', message: `No password is stored for ${row.email} in ${where}. Remove the account and add it again.` });
    }
    const credentials = credentialsFor(row.authKind, row.username, secret);
    const cached = row.sessionJson ? safeParseSession(row.sessionJson, row.sessionUrl) : null;
    rt.client = cached ? this.makeClient(row, credentials, cached) : await JmapClient.connect(this.clientOptions(row, credentials));
    rt.credentials = credentials;
    return rt.client;
  }

  /**
   * Push only shortens the wait for changes; polling goes on regardless. Servers without push
   * (e.g. Cyrus) cost one request, after which the listener gives up by itself.
   */
  private startPush(row: AccountRow, client: JmapClient): void {
    const rt = this.runtime(row.id);
    if (this.closed || rt.push || !rt.credentials || !this.deps.accounts.get(row.id)) return;
    const log = this.deps.log ?? ((m: string) => console.info(m));
    rt.push = startPush({
      session: client.session,
      credentials: rt.credentials,
      accountIds: [row.jmapAccountId],
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
      onStateChange: () => this.deps.onPush?.(row.id),
      // Changes made while disconnected were never pushed: catch up on every (re)connect.
      onStatus: (s) => {
        this.deps.onPushStatus?.(row.id, s === 'connected');
        if (s === 'connected') this.deps.onPush?.(row.id);
      },
      log: (m) => log(`account ${row.id} (${row.email}): ${m}`),
    });
  }

  private makeClient(row: AccountRow, credentials: Credentials, session: ReturnType<typeof parseSession>): JmapClient {
    return JmapClient.fromSession(this.clientOptions(row, credentials), session);
  }

  private clientOptions(row: AccountRow, credentials: Credentials) {
    return {
      sessionUrl: row.sessionUrl,
      credentials,
      ...(this.deps.fetch ? { fetch: this.deps.fetch } : {}),
      onSession: (s: { raw: unknown }) => this.deps.accounts.saveSession(row.id, JSON.stringify(s.raw)),
    };
  }

  private runtime(id: string): Runtime {
    let rt = this.runtimes.get(id);
    if (!rt) {
      rt = { client: null, status: status('connecting'), credentials: null, push: null, identitiesFetched: false };
      this.runtimes.set(id, rt);
    }
    return rt;
  }

  private setStatus(id: string, next: AccountStatus): void {
    if (!this.deps.accounts.get(id)) return;
    const rt = this.runtime(id);
    rt.status = { ...next, lastSyncAt: next.lastSyncAt ?? rt.status.lastSyncAt, initialSync: next.state === 'online' ? next.initialSync : this.initialSyncProgress(id) };
    // Sent after every pass, not only on a change: it also says when the account last synced.
    this.deps.events.emit('account.status', { accountId: id, status: rt.status });
  }

  /** Turns new-mail notifications for one account on or off. */
  setNotify(id: string, notify: boolean): AccountView | null {
    if (!this.deps.accounts.setNotify(id, notify)) return null;
    this.deps.events.emit('accounts.changed', {});
    const row = this.deps.accounts.get(id);
    return row ? this.view(row) : null;
  }

  private view(row: AccountRow): AccountView {
    return {
      id: row.id,
      name: row.name,
      email: row.email,
      username: row.username,
      sessionUrl: row.sessionUrl,
      notify: row.notify,
      status: this.runtime(row.id).status,
    };
  }
}

function status(state: AccountStatus['state'], message: string | null = null, lastSyncAt: number | null = null): AccountStatus {
  return { state, message, lastSyncAt, initialSync: null };
}

function safeParseSession(json: string, sessionUrl: string) {
  try {
    return parseSession(JSON.parse(json), sessionUrl);
  } catch {
    return null; // a damaged cache only costs one session fetch
  }
}
