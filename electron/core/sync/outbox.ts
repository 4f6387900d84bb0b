// The outbox: every local change is applied to SQLite at once and recorded in the same
// transaction, then sent when the server is reachable — after a crash or an offline spell too.
// Each action is safe to send twice (keyword and mailbox patches are idempotent, a destroy of a
// missing email is done, and a duplicate mailbox name is adopted), so a crash between the
// server applying an action and the local row being deleted cannot apply anything twice.
// Sending mail is the exception, made exactly-once in mail/compose/send.ts. A send may also be
// held until `not_before` (the undo window): until then it is not replayed and can be taken back.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { OutboxEntryView } from '../../../shared/contract';
import type { JmapClient } from '../jmap/client';
import { JmapMethodError } from '../jmap/errors';
import { emailMutableProperties, EmailMutableSchema } from '../jmap/mail-schemas';
import type { Db } from '../store/db';
import type { EmailStore } from '../store/emails';
import type { MailboxStore } from '../store/mailboxes';
import { markOrigin, sendMessage, type SendAction } from '../mail/compose/send';
import { isSmimeSend, type SmimeSender } from '../smime/app-send';

export type OutboxAction =
  | { kind: 'setKeyword'; emailIds: string[]; keyword: string; value: boolean }
  | { kind: 'move'; emailIds: string[]; toMailboxId: string }
  | { kind: 'destroy'; emailIds: string[] }
  | { kind: 'createMailbox'; localMailboxId: string; name: string; parentId: string | null }
  | { kind: 'renameMailbox'; mailboxId: string; name: string }
  | { kind: 'destroyMailbox'; mailboxId: string; removeEmails: boolean }
  | SendAction
  | ExtensionAction;

export type { SendAction };

/** An action another module owns (calendars and contacts), queued and replayed here in order. */
export interface ExtensionAction {
  kind: `pim.${string}`;
}

/** How the owning module applies, sends, names and undoes its actions. */
export interface OutboxExtension {
  applyLocally(accountId: string, action: ExtensionAction): void;
  /** Returns the server's reasons for refusing (none = done); throws when the server was not reached. */
  send(client: JmapClient, localId: string, entry: { id: number; attempts: number; action: ExtensionAction }): Promise<string[]>;
  describe(action: ExtensionAction): string;
  /** Refused for good: put the server's version back in place of the optimistic change. */
  refused(client: JmapClient, localId: string, action: ExtensionAction): Promise<void>;
}

export const isExtensionAction = (a: OutboxAction): a is ExtensionAction => a.kind.startsWith('pim.');

/** A queued send, as the compose UI lists it. */
export interface QueuedSend {
  actionId: number;
  accountId: string;
  action: SendAction;
  notBefore: number;
  attempts: number;
  status: 'pending' | 'failed';
  error: string | null;
}

export type CancelResult = { undone: true; accountId: string; action: SendAction } | { undone: false; reason: string };

interface Entry {
  id: number;
  accountId: string;
  action: OutboxAction;
  attempts: number;
}

export interface ReplayOutcome {
  /** Entries the server accepted. */
  sent: number;
  /** Entries the server refused for good, with what to tell the user. */
  failed: { actionId: number; message: string }[];
  /** Something failed, so local state must be refreshed from the server (the server wins). */
  resync: { emailIds: string[]; mailboxes: boolean };
}

const SetError = z.looseObject({ type: z.string(), description: z.string().nullable().optional() });
const SetResponse = z.looseObject({
  created: z.record(z.string(), z.looseObject({ id: z.string() })).nullable().optional(),
  notCreated: z.record(z.string(), SetError).nullable().optional(),
  notUpdated: z.record(z.string(), SetError).nullable().optional(),
  notDestroyed: z.record(z.string(), SetError).nullable().optional(),
});
const MailboxList = z.looseObject({ list: z.array(z.looseObject({ id: z.string(), name: z.string().optional(), parentId: z.string().nullable().optional() })) });

export class Outbox {
  private readonly sentListeners = new Set<(accountId: string, actionId: number) => void>();
  private extension: OutboxExtension | null = null;

  constructor(
    private readonly db: Db,
    private readonly emails: EmailStore,
    private readonly mailboxes: MailboxStore,
  ) {}

  /** Applies an action locally and queues it, atomically. Returns the action's id. */
  enqueue(accountId: string, action: OutboxAction, opts: { notBefore?: number } = {}): number {
    return this.db.transaction(() => {
      this.applyLocally(accountId, action);
      const info = this.db
        .prepare('INSERT INTO outbox (account_id, kind, payload, created_at, not_before) VALUES (?, ?, ?, ?, ?)')
        .run(accountId, action.kind, JSON.stringify(action), Date.now(), opts.notBefore ?? null);
      return Number(info.lastInsertRowid);
    })();
  }

  /** Lets the calendars and contacts module queue its actions here. */
  useExtension(extension: OutboxExtension): void {
    this.extension = extension;
  }

  private ext(): OutboxExtension {
    if (!this.extension) throw new Error('no outbox extension for calendar and contacts actions');
    return this.extension;
  }

  /** A fresh id for a mailbox that exists only locally until the server creates it. */
  static localMailboxId(): string {
    return `local-${randomUUID()}`;
  }

  list(): OutboxEntryView[] {
    return this.db
      .prepare('SELECT id, account_id AS accountId, kind, status, attempts, error, created_at AS createdAt FROM outbox ORDER BY id')
      .all() as OutboxEntryView[];
  }

  hasPending(accountId: string): boolean {
    return this.db.prepare(`SELECT 1 FROM outbox WHERE account_id = ? AND status = 'pending' AND ${due} LIMIT 1`).get(accountId, Date.now()) !== undefined;
  }

  /** Signed or encrypted sends go through this instead of sendMessage (see smime/app-send.ts). */
  private smimeSender: SmimeSender | null = null;

  useSmimeSender(send: SmimeSender): void {
    this.smimeSender = send;
  }

  /** Called after each message the server accepted for sending. */
  onSent(listener: (accountId: string, actionId: number) => void): () => void {
    this.sentListeners.add(listener);
    return () => this.sentListeners.delete(listener);
  }

  /** Every send not yet done: held for undo, queued, or refused. */
  sends(): QueuedSend[] {
    const rows = this.db
      .prepare(
        `SELECT id, account_id AS accountId, payload, coalesce(not_before, created_at) AS notBefore, attempts, status, error
           FROM outbox WHERE kind = 'send' ORDER BY id`,
      )
      .all() as { id: number; accountId: string; payload: string; notBefore: number; attempts: number; status: 'pending' | 'failed'; error: string | null }[];
    return rows.map((r) => ({ actionId: r.id, accountId: r.accountId, action: JSON.parse(r.payload) as SendAction, notBefore: r.notBefore, attempts: r.attempts, status: r.status, error: r.error }));
  }

  /**
   * Takes back a send the server has not seen: still held, or queued but never attempted (an
   * attempt may have reached the server), or refused. Its draft reappears in Drafts.
   */
  cancelSend(actionId: number): CancelResult {
    return this.db.transaction((): CancelResult => {
      const row = this.db.prepare("SELECT account_id AS accountId, payload, attempts, status FROM outbox WHERE id = ? AND kind = 'send'").get(actionId) as
        | { accountId: string; payload: string; attempts: number; status: string }
        | undefined;
      if (!row) return { undone: false, reason: 'It has already been sent.' };
      if (row.status === 'pending' && row.attempts > 0) return { undone: false, reason: 'It is being sent and can no longer be stopped.' };
      this.db.prepare('DELETE FROM outbox WHERE id = ?').run(actionId);
      const action = JSON.parse(row.payload) as SendAction;
      if (row.status === 'pending' && action.draftId) {
        this.emails.applyLocal(row.accountId, action.draftId, { mailboxIds: { [action.draftsMailboxId]: true } });
      }
      return { undone: true, accountId: row.accountId, action };
    })();
  }

  /**
   * Sends pending actions in order. A network failure stops the replay (the rest stay queued,
   * and the error propagates so the scheduler backs off); a refusal by the server fails only
   * that action.
   */
  async replay(client: JmapClient, localId: string, accountId: string): Promise<ReplayOutcome> {
    const outcome: ReplayOutcome = { sent: 0, failed: [], resync: { emailIds: [], mailboxes: false } };
    for (;;) {
      const entry = this.next(localId);
      if (!entry) return outcome;
      this.db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?').run(entry.id);
      let problems: string[];
      try {
        problems = await this.send(client, localId, accountId, entry);
      } catch (err) {
        if (!(err instanceof JmapMethodError)) throw err; // offline, 5xx …: retry later, in order
        problems = [err.message];
      }
      if (!problems.length) {
        this.db.prepare('DELETE FROM outbox WHERE id = ?').run(entry.id);
        outcome.sent++;
        if (entry.action.kind === 'send') for (const fn of this.sentListeners) fn(localId, entry.id);
        continue;
      }
      const message = `${isExtensionAction(entry.action) ? this.ext().describe(entry.action) : describe(entry.action)}: ${problems[0]}`;
      this.db.prepare("UPDATE outbox SET status = 'failed', error = ? WHERE id = ?").run(message, entry.id);
      outcome.failed.push({ actionId: entry.id, message });
      if (isExtensionAction(entry.action)) {
        await this.ext().refused(client, localId, entry.action);
        continue;
      }
      if ('emailIds' in entry.action) outcome.resync.emailIds.push(...entry.action.emailIds);
      if (entry.action.kind === 'send' && entry.action.draftId) outcome.resync.emailIds.push(entry.action.draftId);
      outcome.resync.mailboxes = true;
    }
  }

  /** Puts the server's version of these emails back in place of failed optimistic changes. */
  async restoreFromServer(client: JmapClient, localId: string, accountId: string, emailIds: string[]): Promise<void> {
    if (!emailIds.length) return;
    const res = await client.getAll('Email', accountId, [...new Set(emailIds)], emailMutableProperties, EmailMutableSchema);
    this.db.transaction(() => {
      for (const e of res.list) this.emails.updateMutable(localId, e.id, e.keywords, e.mailboxIds);
      this.emails.remove(localId, res.notFound);
    })();
  }

  private next(localId: string): Entry | null {
    const row = this.db
      .prepare(`SELECT id, account_id AS accountId, payload, attempts FROM outbox WHERE account_id = ? AND status = 'pending' AND ${due} ORDER BY id LIMIT 1`)
      .get(localId, Date.now()) as { id: number; accountId: string; payload: string; attempts: number } | undefined;
    return row ? { id: row.id, accountId: row.accountId, action: JSON.parse(row.payload) as OutboxAction, attempts: row.attempts } : null;
  }

  private applyLocally(accountId: string, action: OutboxAction): void {
    if (isExtensionAction(action)) return this.ext().applyLocally(accountId, action);
    switch (action.kind) {
      case 'setKeyword':
        for (const id of action.emailIds) {
          const cur = this.emails.mutable(accountId, id);
          if (!cur) continue;
          const keywords = { ...cur.keywords };
          if (action.value) keywords[action.keyword] = true;
          else delete keywords[action.keyword];
          this.emails.applyLocal(accountId, id, { keywords });
        }
        return;
      case 'move':
        for (const id of action.emailIds) this.emails.applyLocal(accountId, id, { mailboxIds: { [action.toMailboxId]: true } });
        return;
      case 'destroy':
        for (const id of action.emailIds) this.emails.removeLocal(accountId, id);
        return;
      case 'createMailbox':
        this.mailboxes.upsert(accountId, {
          id: action.localMailboxId, name: action.name, parentId: action.parentId, role: null, sortOrder: 0,
          totalEmails: 0, unreadEmails: 0, totalThreads: 0, unreadThreads: 0, isSubscribed: true, myRights: null,
        });
        return;
      case 'renameMailbox':
        this.db.prepare('UPDATE mailbox SET name = ? WHERE account_id = ? AND id = ?').run(action.name, accountId, action.mailboxId);
        return;
      case 'destroyMailbox':
        this.mailboxes.remove(accountId, [action.mailboxId]);
        return;
      case 'send':
        // The draft leaves Drafts while it is being sent; undo puts it back.
        if (action.draftId) this.emails.applyLocal(accountId, action.draftId, { mailboxIds: {} });
        return;
    }
  }

  /** Sends one action; returns the server's reasons for refusing it (none = done). */
  private async send(client: JmapClient, localId: string, accountId: string, entry: Entry): Promise<string[]> {
    const action = entry.action;
    if (isExtensionAction(action)) return this.ext().send(client, localId, { id: entry.id, attempts: entry.attempts, action });
    switch (action.kind) {
      case 'setKeyword': {
        const patch = { [`keywords/${action.keyword}`]: action.value ? true : null };
        return this.setEmails(client, accountId, { update: Object.fromEntries(action.emailIds.map((id) => [id, patch])) });
      }
      case 'move': {
        // Cyrus 3.6 accepts a move into a mailbox deleted meanwhile, and the email is lost.
        // Checking first narrows that to a race of milliseconds.
        const target = await client.call('Mailbox/get', { accountId, ids: [action.toMailboxId], properties: ['id'] }, MailboxList.partial());
        if (!target.list?.length) return ['the target folder no longer exists'];
        return this.setEmails(client, accountId, { update: Object.fromEntries(action.emailIds.map((id) => [id, { mailboxIds: { [action.toMailboxId]: true } }])) });
      }
      case 'destroy':
        return this.setEmails(client, accountId, { destroy: action.emailIds });
      case 'createMailbox': {
        const res = await client.call('Mailbox/set', { accountId, create: { m: { name: action.name, parentId: action.parentId } } }, SetResponse);
        let serverId = res.created?.m?.id ?? null;
        if (!serverId && entry.attempts > 0) serverId = await this.findSibling(client, accountId, action.name, action.parentId);
        if (!serverId) return errors(res.notCreated);
        this.db.transaction(() => this.adoptMailboxId(localId, action.localMailboxId, serverId))();
        return [];
      }
      case 'renameMailbox': {
        const res = await client.call('Mailbox/set', { accountId, update: { [action.mailboxId]: { name: action.name } } }, SetResponse);
        return errors(res.notUpdated);
      }
      case 'destroyMailbox': {
        const res = await client.call('Mailbox/set', { accountId, destroy: [action.mailboxId], onDestroyRemoveEmails: action.removeEmails }, SetResponse);
        return errors(res.notDestroyed, ['notFound']);
      }
      case 'send': {
        const smime = isSmimeSend(action) ? this.smimeSender : null;
        if (isSmimeSend(action) && !smime) return ['S/MIME sending is not available'];
        const res = smime ? await smime(client, accountId, action, entry.attempts > 0) : await sendMessage(client, accountId, action, entry.attempts > 0);
        if (res.createdDraftId) {
          // Refused after the create: that email is the draft now, for "open draft" to replace.
          this.db.prepare('UPDATE outbox SET payload = ? WHERE id = ?').run(JSON.stringify({ ...action, draftId: res.createdDraftId }), entry.id);
        }
        if (!res.problems.length) await markOrigin(client, accountId, action.draft.origin);
        return res.problems;
      }
    }
  }

  private async setEmails(client: JmapClient, accountId: string, args: Record<string, unknown>): Promise<string[]> {
    const res = await client.call('Email/set', { accountId, ...args }, SetResponse);
    // An email someone else deleted meanwhile needs no flag, no move and no second deletion.
    return [...errors(res.notUpdated, ['notFound']), ...errors(res.notDestroyed, ['notFound'])];
  }

  /** After a crash mid-send: the mailbox may already exist, since sibling names are unique (RFC 8621 §2). */
  private async findSibling(client: JmapClient, accountId: string, name: string, parentId: string | null): Promise<string | null> {
    const res = await client.call('Mailbox/get', { accountId, ids: null, properties: ['id', 'name', 'parentId'] }, MailboxList);
    return res.list.find((m) => m.name === name && m.parentId === parentId)?.id ?? null;
  }

  /** The server named a mailbox we had created locally: use its id everywhere, queued actions included. */
  private adoptMailboxId(localId: string, localMailboxId: string, serverId: string): void {
    this.db.prepare('DELETE FROM mailbox WHERE account_id = ? AND id = ?').run(localId, serverId);
    this.db.prepare('UPDATE mailbox SET id = ? WHERE account_id = ? AND id = ?').run(serverId, localId, localMailboxId);
    this.db.prepare('UPDATE mailbox SET parent_id = ? WHERE account_id = ? AND parent_id = ?').run(serverId, localId, localMailboxId);
    this.db.prepare('UPDATE email_mailbox SET mailbox_id = ? WHERE account_id = ? AND mailbox_id = ?').run(serverId, localId, localMailboxId);
    const pending = this.db.prepare("SELECT id, payload FROM outbox WHERE account_id = ? AND status = 'pending'").all(localId) as { id: number; payload: string }[];
    const update = this.db.prepare('UPDATE outbox SET payload = ? WHERE id = ?');
    for (const p of pending) {
      if (p.payload.includes(localMailboxId)) update.run(p.payload.split(JSON.stringify(localMailboxId)).join(JSON.stringify(serverId)), p.id);
    }
  }
}

/** Entries held for undo are not due until their time. */
const due = '(not_before IS NULL OR not_before <= ?)';

function errors(map: Record<string, { type: string; description?: string | null | undefined }> | null | undefined, ignore: string[] = []): string[] {
  return Object.values(map ?? {})
    .filter((e) => !ignore.includes(e.type))
    .map((e) => explain(e.type, e.description ?? null));
}

function explain(type: string, description: string | null): string {
  const known: Record<string, string> = {
    invalidProperties: 'the server refused the change (a folder involved may have been deleted)',
    notFound: 'it no longer exists on the server',
    forbidden: 'you do not have permission',
    mailboxHasChild: 'the folder has subfolders',
    mailboxHasEmail: 'the folder still contains messages',
    overQuota: 'the account is over its quota',
    tooLarge: 'too many at once',
    alreadyExists: 'a folder with that name already exists',
  };
  return known[type] ?? (description || type);
}

function describe(action: Exclude<OutboxAction, ExtensionAction>): string {
  switch (action.kind) {
    case 'setKeyword': return `could not ${action.value ? 'set' : 'clear'} ${action.keyword.replace(/^\$/, '')}`;
    case 'move': return 'could not move';
    case 'destroy': return 'could not delete';
    case 'createMailbox': return `could not create folder "${action.name}"`;
    case 'renameMailbox': return `could not rename folder to "${action.name}"`;
    case 'destroyMailbox': return 'could not delete folder';
    case 'send': return `could not send "${action.draft.subject.trim() || '(no subject)'}"`;
  }
}
