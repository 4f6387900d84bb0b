// Assembles the core: store, secrets, JMAP clients, sync, and the request handlers.
// Both the Electron shell and the headless host create exactly one of these.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobCache } from './mail/blob-cache';
import { IpcError } from '../../shared/errors';
import { AccountService } from './accounts/account-service';
import { createDispatch, type Dispatch, type Handlers } from './dispatch';
import { diagnosticsText } from './diagnostics';
import { EventBus, type CoreEventListener } from './events';
import type { SecretStore } from './secrets/secret-store';
import { AccountStore } from './store/accounts';
import { openAppDatabase } from './store/db';
import { EmailQueries } from './store/email-queries';
import { EmailStore } from './store/emails';
import { IdentityStore } from './store/identities';
import { mailHandlers } from './mail-handlers';
import { composeHandlers } from './compose-handlers';
import { readingHandlers } from './reading-handlers';
import { pimHandlers } from './pim-handlers';
import { ownAddresses } from './pim/pim-context';
import { createPimCore } from './pim/pim-core';
import { smimeHandlers } from './smime-handlers';
import { SmimeService } from './smime-service';
import { smimeSender } from './smime/app-send';
import { Outbox } from './sync/outbox';
import { MailboxStore } from './store/mailboxes';
import { SyncStateStore } from './store/sync-state';
import { RemoteSenderStore } from './store/remote-senders';
import { SyncScheduler } from './sync/scheduler';

export interface CoreOptions {
  /** Directory for the SQLite database. */
  dataDir: string;
  secrets: SecretStore;
  version: string;
  /** How often each account polls for changes when the server offers no push. */
  pollIntervalMs?: number;
  /** Size cap of the attachment cache on disk. */
  blobCacheBytes?: number;
  /** Emails per page of a first sync (tests use small pages to interrupt it mid-way). */
  pageSize?: number;
  /** Largest raw message emails.source returns (tests lower it). */
  maxSourceBytes?: number;
  /** The newest lines of the app's log file, for app.diagnostics; absent where there is none. */
  logTail?: (lines: number) => string[];
}

export interface Core {
  /** Validates and runs one request; never throws. */
  dispatch: Dispatch;
  onEvent(listener: CoreEventListener): () => void;
  /**
   * After the computer slept: timers did not run meanwhile (and may run late), so reminders are
   * re-armed against the clock and every account syncs at once.
   */
  wake(): void;
  close(): Promise<void>;
}

export async function createCore(options: CoreOptions): Promise<Core> {
  const store = openAppDatabase(options.dataDir === ':memory:' ? ':memory:' : join(options.dataDir, 'mail.db'));
  const db = store.db;
  const events = new EventBus();
  const mailboxes = new MailboxStore(db);
  const emails = new EmailStore(db);
  const outbox = new Outbox(db, emails, mailboxes);
  const identities = new IdentityStore(db);
  const remoteSenders = new RemoteSenderStore(db);
  const pim = createPimCore({
    db, syncState: new SyncStateStore(db), outbox, events,
    myAddresses: (accountId) => ownAddresses(accounts, identities, accountId),
  });
  const accounts = new AccountService({
    db,
    accounts: new AccountStore(db),
    mailboxes,
    syncState: new SyncStateStore(db),
    pimPoll: (client, localId) => pim.poll(client, localId),
    emails,
    outbox,
    identities,
    secrets: options.secrets,
    events,
    onPush: (id) => void scheduler.syncNow(id),
    onPushStatus: (id, connected) => scheduler.setPushed(id, connected),
    ...(options.pageSize ? { syncOptions: { pageSize: options.pageSize } } : {}),
  });
  const scheduler = new SyncScheduler((id, continuation) => accounts.sync(id, continuation), { intervalMs: options.pollIntervalMs ?? 60_000 });
  const smime = new SmimeService({ db, secrets: options.secrets, accounts, queries: new EmailQueries(db), ...(options.maxSourceBytes ? { maxRawBytes: options.maxSourceBytes } : {}) });
  outbox.useSmimeSender(smimeSender(smime.keystore));
  for (const id of accounts.ids()) scheduler.add(id);
  pim.reminders.start();

  const handlers: Handlers = {
    'app.info': async () => ({ version: options.version, secretStore: options.secrets.info }),
    'app.diagnostics': async () => ({
      text: diagnosticsText({
        version: options.version,
        platform: process.platform,
        arch: process.arch,
        versions: process.versions,
        secretStore: options.secrets.info,
        accounts: accounts.list(),
        outbox: outbox.list(),
        databaseBytes: Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true })),
        log: options.logTail ? options.logTail(200) : null,
        now: new Date(),
      }),
    }),
    'accounts.list': async () => accounts.list(),
    'accounts.add': async (params) => {
      const view = await accounts.add(params);
      await accounts.firstMailboxSync(view.id);
      scheduler.add(view.id);
      return accounts.list().find((a) => a.id === view.id) ?? view;
    },
    'accounts.remove': async ({ accountId }) => {
      scheduler.remove(accountId);
      const removed = await accounts.remove(accountId);
      if (!removed) throw new IpcError({ code: 'not-found', message: 'No such account.' });
      return { removed };
    },
    'mailboxes.list': async ({ accountId }) => {
      if (!accounts.ids().includes(accountId)) throw new IpcError({ code: 'not-found', message: 'No such account.' });
      return mailboxes.list(accountId);
    },
    'accounts.setNotify': async ({ accountId, notify }) => {
      const view = accounts.setNotify(accountId, notify);
      if (!view) throw new IpcError({ code: 'not-found', message: 'No such account.' });
      return view;
    },
    'remoteContent.senders': async () => remoteSenders.list(),
    'remoteContent.setTrusted': async ({ email, trusted }) => {
      remoteSenders.set(email, trusted);
      return remoteSenders.list();
    },
    'sync.now': async ({ accountId }) => ({ started: scheduler.syncNow(accountId) }),
    'identities.list': async ({ accountId }) => {
      if (!accounts.ids().includes(accountId)) throw new IpcError({ code: 'not-found', message: 'No such account.' });
      return identities.list(accountId);
    },
    ...pimHandlers({ db, accounts, outbox, scheduler, events, pim: pim.store, identities }),
    ...smimeHandlers({ smime, hasIdentity: (accountId, identityId) => identities.list(accountId).some((i) => i.id === identityId) }),
    ...readingHandlers({ accounts, queries: new EmailQueries(db), ...(options.maxSourceBytes ? { maxSourceBytes: options.maxSourceBytes } : {}) }),
    ...composeHandlers({ db, accounts, identities, emails, queries: new EmailQueries(db), outbox, scheduler, events, smime }),
    ...mailHandlers({
      db, accounts, queries: new EmailQueries(db), outbox, scheduler, events,
      blobs: new BlobCache(options.dataDir === ':memory:' ? join(tmpdir(), `jmap-blobs-${process.pid}`) : join(options.dataDir, 'blobs'), options.blobCacheBytes ?? 512 * 1024 * 1024),
    }),
  };

  return {
    dispatch: createDispatch(handlers),
    onEvent: (listener) => events.on(listener),
    wake() {
      pim.reminders.reschedule();
      for (const id of accounts.ids()) scheduler.syncNow(id);
    },
    async close() {
      scheduler.stop();
      pim.close();
      accounts.close();
      await store.close();
    },
  };
}
