// The mail part of the contract: list views, search, and the actions that go through the outbox.
import type { Handlers } from './dispatch';
import { z } from 'zod';
import { AttachmentView } from '../../shared/contract';
import { IpcError } from '../../shared/errors';
import { fetchBodiesOf } from './sync/body-sync';
import type { AccountService } from './accounts/account-service';
import type { EventBus } from './events';
import { isEmptySearch, parseSearch } from './mail/search-query';
import { searchServer, serverFilter } from './mail/server-search';
import type { Db } from './store/db';
import type { BlobCache } from './mail/blob-cache';
import type { EmailQueries } from './store/email-queries';
import { Outbox, type OutboxAction } from './sync/outbox';
import type { SyncScheduler } from './sync/scheduler';

type MailHandlers = Pick<
  Handlers,
  | 'emails.list' | 'emails.get' | 'emails.search' | 'emails.searchServer' | 'emails.setKeyword' | 'emails.move' | 'emails.destroy'
  | 'mailboxes.create' | 'mailboxes.rename' | 'mailboxes.destroy' | 'mailboxes.empty' | 'outbox.list' | 'attachments.get'
>;

const AttachmentList = z.array(AttachmentView);

/** Largest attachment handed to the renderer in one piece. */
export const maxAttachmentBytes = 50 * 1024 * 1024;

export interface MailHandlerDeps {
  blobs: BlobCache;
  db: Db;
  accounts: AccountService;
  queries: EmailQueries;
  outbox: Outbox;
  scheduler: SyncScheduler;
  events: EventBus;
}

export function mailHandlers(deps: MailHandlerDeps): MailHandlers {
  const { db, accounts, queries, outbox, scheduler, events, blobs } = deps;

  const requireAccount = (accountId: string) => {
    if (!accounts.ids().includes(accountId)) throw new IpcError({ code: 'not-found', message: 'No such account.' });
  };
  const mailboxByRole = (accountId: string, role: string): string => {
    const id = db.prepare('SELECT id FROM mailbox WHERE account_id = ? AND role = ?').pluck().get(accountId, role) as string | undefined;
    if (!id) throw new IpcError({ code: 'not-found', message: `This account has no ${role} folder.` });
    return id;
  };
  const requireMailbox = (accountId: string, mailboxId: string) => {
    if (!db.prepare('SELECT 1 FROM mailbox WHERE account_id = ? AND id = ?').get(accountId, mailboxId)) {
      throw new IpcError({ code: 'not-found', message: 'No such folder.' });
    }
  };
  /** Applies locally, tells the views, and gets the server told as soon as possible. */
  const queue = (accountId: string, action: OutboxAction) => {
    const actionId = outbox.enqueue(accountId, action);
    if (action.kind.endsWith('Mailbox')) events.emit('mailboxes.changed', { accountId });
    else {
      events.emit('emails.changed', { accountId });
      events.emit('mailboxes.changed', { accountId });
    }
    events.emit('outbox.changed', { accountId });
    scheduler.syncNow(accountId);
    return { actionId };
  };
  const searchAccounts = (accountId: string | undefined) => {
    if (accountId) requireAccount(accountId);
    return accountId ? [accountId] : accounts.ids();
  };

  return {
    'emails.list': async (p) => {
      if (p.accountId) requireAccount(p.accountId);
      return queries.list(p);
    },
    'emails.get': async ({ accountId, emailId }) => {
      requireAccount(accountId);
      let d = queries.detail(accountId, emailId);
      if (!d) throw new IpcError({ code: 'not-found', message: 'This message is no longer here.' });
      if (d.bodyStatus === 0) {
        // The user opened it before the background fetch got there: fetch it now.
        const { client, jmapAccountId } = await accounts.clientFor(accountId);
        await fetchBodiesOf(client, accounts.bodyDeps(), accountId, jmapAccountId, [emailId]);
        d = queries.detail(accountId, emailId) ?? d;
      }
      return {
        ...d.item,
        cc: d.cc,
        sentAt: d.sentAt,
        size: d.size,
        body: { text: d.text, html: d.html },
        attachments: AttachmentList.catch([]).parse(JSON.parse(d.attachments)),
        bodyStatus: d.bodyStatus === 1 ? ('fetched' as const) : ('unavailable' as const),
      };
    },
    'emails.search': async ({ query, accountId, limit }) => {
      searchAccounts(accountId);
      const q = parseSearch(query);
      return { items: isEmptySearch(q) ? [] : queries.search(q, accountId, limit) };
    },
    'emails.searchServer': async ({ query, accountId, limit }) => {
      const q = parseSearch(query);
      if (isEmptySearch(q)) return { items: [] };
      const perAccount = await Promise.all(
        searchAccounts(accountId).map(async (localId) => {
          const filter = serverFilter(q, (name) =>
            (db.prepare('SELECT id FROM mailbox WHERE account_id = ? AND (role = lower(?) OR name = ? COLLATE NOCASE)').pluck().get(localId, name, name) as string | undefined) ?? null,
          );
          if (!filter) return [];
          const { client, jmapAccountId } = await accounts.clientFor(localId);
          // Skip only what local search already covered: a stored email whose body is not indexed
          // yet can match on body text here alone. It comes back as its local row, so it can be acted on.
          const found = await searchServer(client, localId, jmapAccountId, filter, limit, (ids) => queries.indexed(localId, ids));
          const local = new Map(queries.items(localId, found.map((e) => e.id)).map((e) => [e.id, e]));
          return found.map((e) => local.get(e.id) ?? e);
        }),
      );
      return { items: perAccount.flat().sort((a, b) => b.receivedAt - a.receivedAt).slice(0, limit) };
    },
    'emails.setKeyword': async ({ accountId, emailIds, keyword, value }) => {
      requireAccount(accountId);
      return queue(accountId, { kind: 'setKeyword', emailIds, keyword, value });
    },
    'emails.move': async ({ accountId, emailIds, to }) => {
      requireAccount(accountId);
      const toMailboxId = 'role' in to ? mailboxByRole(accountId, to.role) : to.mailboxId;
      if ('mailboxId' in to) requireMailbox(accountId, to.mailboxId);
      return queue(accountId, { kind: 'move', emailIds, toMailboxId });
    },
    'emails.destroy': async ({ accountId, emailIds }) => {
      requireAccount(accountId);
      return queue(accountId, { kind: 'destroy', emailIds });
    },
    'mailboxes.create': async ({ accountId, name, parentId }) => {
      requireAccount(accountId);
      if (parentId) requireMailbox(accountId, parentId);
      return queue(accountId, { kind: 'createMailbox', localMailboxId: Outbox.localMailboxId(), name, parentId });
    },
    'mailboxes.rename': async ({ accountId, mailboxId, name }) => {
      requireAccount(accountId);
      requireMailbox(accountId, mailboxId);
      return queue(accountId, { kind: 'renameMailbox', mailboxId, name });
    },
    'mailboxes.destroy': async ({ accountId, mailboxId }) => {
      requireAccount(accountId);
      requireMailbox(accountId, mailboxId);
      return queue(accountId, { kind: 'destroyMailbox', mailboxId, removeEmails: false });
    },
    'mailboxes.empty': async ({ accountId, mailboxId }) => {
      requireAccount(accountId);
      requireMailbox(accountId, mailboxId);
      // Exactly what the user saw in the folder: mail arriving meanwhile is not swept away.
      const emailIds = db
        .prepare('SELECT e.id FROM email_mailbox m JOIN email e ON e.pk = m.email_pk WHERE m.account_id = ? AND m.mailbox_id = ?')
        .pluck()
        .all(accountId, mailboxId) as string[];
      if (!emailIds.length) return { actionId: 0 };
      return queue(accountId, { kind: 'destroy', emailIds });
    },
    'outbox.list': async () => outbox.list(),
    'attachments.get': async ({ accountId, emailId, blobId }) => {
      requireAccount(accountId);
      // Only a blob this email lists as an attachment: the renderer cannot name arbitrary blobs.
      const part = db
        .prepare(
          `SELECT a.value ->> 'name' AS name, a.value ->> 'type' AS type FROM email e JOIN email_body b ON b.email_pk = e.pk, json_each(b.attachments) a
            WHERE e.account_id = ? AND e.id = ? AND a.value ->> 'blobId' = ?`,
        )
        .get(accountId, emailId, blobId) as { name: string | null; type: string | null } | undefined;
      if (!part) throw new IpcError({ code: 'not-found', message: 'That attachment is not part of this message.' });
      const name = part.name || 'attachment';
      const type = part.type || 'application/octet-stream';
      let data = await blobs.get(accountId, blobId);
      if (!data) {
        const { client, jmapAccountId } = await accounts.clientFor(accountId);
        data = await client.download(jmapAccountId, blobId, name, type, maxAttachmentBytes);
        await blobs.put(accountId, blobId, data);
      }
      return { name, type, size: data.length, base64: data.toString('base64') };
    },
  };
}
