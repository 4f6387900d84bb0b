// One sync pass for one account. After the first sync, a pass is one request asking for
// Mailbox and Email changes together; only when something changed does a second request
// fetch exactly that, and both types are written with their states in one transaction.
import { z } from 'zod';
import type { Batch, BatchResult, JmapClient } from '../jmap/client';
import { capabilities } from '../jmap/session';
import { EmailMetaSchema, EmailMutableSchema, ChangesResponse, emailMetaProperties, emailMutableProperties } from '../jmap/mail-schemas';
import type { EmailMeta, EmailStore } from '../store/emails';
import type { MailboxStore } from '../store/mailboxes';
import {
  emailsToFetch,
  fetchEmails,
  fetchMissing,
  initialEmailSync,
  resyncEmails,
  writeEmailChanges,
  type EmailChanges,
  type EmailSyncDeps,
  type FetchedEmails,
} from './email-sync';
import { MailboxSchema, fullMailboxSync, mailboxProperties, stateUnusable, writeMailboxChanges, type ServerMailbox } from './mailbox-sync';

export interface AccountSyncDeps extends EmailSyncDeps {
  mailboxes: MailboxStore;
  emails: EmailStore;
}

export interface SyncOutcome {
  mailboxesChanged: boolean;
  emailsChanged: boolean;
  /** Emails new to this client, unread, in an inbox: candidates for a notification. Never from a first sync. */
  arrived: EmailMeta[];
}

export interface AccountSyncOptions {
  pageSize?: number;
  /** Most changes to take per /changes call; bounds each transaction, so the event loop stays responsive. */
  maxChanges?: number;
  /** Called whenever emails were committed, e.g. per page of the first sync. */
  onEmails?: () => void;
  /** Progress of the first sync, per page. */
  onProgress?: (fetched: number, total: number | null) => void;
  /** More calls for the first poll request (calendars, contacts), so a quiet pass stays one request. */
  extraPoll?: PollExtension | null;
}

/** Calls another module adds to the poll, and what reads their answers once it is sent. */
export interface PollExtension {
  using: string[];
  add(batch: Batch): (result: BatchResult) => Promise<void>;
}

const MailboxGet = z.looseObject({ list: z.array(MailboxSchema), notFound: z.array(z.string()).nullable().optional() });
const EmailGet = z.looseObject({ list: z.array(EmailMetaSchema), notFound: z.array(z.string()).nullable().optional() });
const MutableGet = z.looseObject({ list: z.array(EmailMutableSchema), notFound: z.array(z.string()).nullable().optional() });

export async function syncAccount(client: JmapClient, deps: AccountSyncDeps, localId: string, accountId: string, opts: AccountSyncOptions = {}): Promise<SyncOutcome> {
  const outcome: SyncOutcome = { mailboxesChanged: false, emailsChanged: false, arrived: [] };
  // What a first sync brings (and the catch-up right after it) is the existing mailbox, not news.
  const firstSync = deps.syncState.get(localId, 'Email') === null;
  if (deps.syncState.get(localId, 'Mailbox') === null) {
    await fullMailboxSync(client, deps, localId, accountId);
    outcome.mailboxesChanged = true;
  }
  if (deps.syncState.get(localId, 'Email') === null) {
    await initialEmailSync(client, deps, localId, accountId, { ...(opts.pageSize ? { pageSize: opts.pageSize } : {}), onProgress: (fetched, total) => {
      opts.onProgress?.(fetched, total);
      opts.onEmails?.();
    } });
    outcome.emailsChanged = true;
  }
  const maxChanges = opts.maxChanges ?? 1000;
  let extra = opts.extraPoll ?? null;
  for (;;) {
    const mailboxState = deps.syncState.get(localId, 'Mailbox')!;
    const emailState = deps.syncState.get(localId, 'Email')!;
    const poll = client.batch([capabilities.mail, ...(extra?.using ?? [])]);
    const mc = poll.call('Mailbox/changes', { accountId, sinceState: mailboxState }, ChangesResponse);
    const ec = poll.call('Email/changes', { accountId, sinceState: emailState, maxChanges }, ChangesResponse);
    const applyExtra = extra?.add(poll);
    extra = null; // only the first poll carries them
    const result = await poll.send();
    await applyExtra?.(result);

    const mailboxChanges = readChanges(() => result.get(mc));
    const emailChanges = readChanges(() => result.get(ec));
    if (mailboxChanges === 'unusable') {
      await fullMailboxSync(client, deps, localId, accountId);
      outcome.mailboxesChanged = true;
    }
    if (emailChanges === 'unusable') {
      await resyncEmails(client, deps, localId, accountId);
      outcome.emailsChanged = true;
    }
    const m = mailboxChanges === 'unusable' ? null : mailboxChanges;
    const e = emailChanges === 'unusable' ? null : emailChanges;
    const mailboxIds = m ? [...m.created, ...m.updated].filter((id) => !m.destroyed.includes(id)) : [];
    const emailIds = e ? emailsToFetch(e) : { created: [], updated: [] };
    const nothing = mailboxIds.length + (m?.destroyed.length ?? 0) + emailIds.created.length + emailIds.updated.length + (e?.destroyed.length ?? 0) === 0;

    const fetched = nothing ? { mailboxes: [], mailboxNotFound: [], emails: empty() } : await fetchChanged(client, accountId, mailboxIds, emailIds);
    if (!firstSync) outcome.arrived.push(...newInInbox(deps, localId, fetched.emails.fresh));
    const unknown = deps.db.transaction(() => {
      // Cyrus moves one state for every type, so "new state, nothing changed" is common: store it anyway.
      if (m && (m.newState !== mailboxState || !nothing)) {
        writeMailboxChanges(deps, localId, fetched.mailboxes, [...m.destroyed, ...fetched.mailboxNotFound], m.newState);
      }
      return e && (e.newState !== emailState || !nothing) ? writeEmailChanges(deps, localId, e, fetched.emails) : [];
    })();
    await fetchMissing(client, deps, localId, accountId, unknown);
    if (m && (mailboxIds.length || m.destroyed.length)) outcome.mailboxesChanged = true;
    if (e && (emailIds.created.length || emailIds.updated.length || e.destroyed.length)) {
      outcome.emailsChanged = true;
      opts.onEmails?.();
    }
    if (!m?.hasMoreChanges && !e?.hasMoreChanges) return outcome;
  }
}

/** Read before they are written: an email already stored (e.g. created by this client) is not news. */
function newInInbox(deps: AccountSyncDeps, localId: string, fresh: readonly EmailMeta[]): EmailMeta[] {
  if (!fresh.length) return [];
  const inboxes = new Set(deps.db.prepare("SELECT id FROM mailbox WHERE account_id = ? AND role = 'inbox'").pluck().all(localId) as string[]);
  const stored = deps.db.prepare('SELECT 1 FROM email WHERE account_id = ? AND id = ?').pluck();
  return fresh.filter((e) => !e.keywords.$seen && Object.keys(e.mailboxIds).some((m) => e.mailboxIds[m] && inboxes.has(m)) && stored.get(localId, e.id) === undefined);
}

function readChanges(read: () => z.output<typeof ChangesResponse>): EmailChanges | 'unusable' {
  try {
    return read();
  } catch (err) {
    if (stateUnusable(err)) return 'unusable';
    throw err;
  }
}

function empty(): FetchedEmails {
  return { fresh: [], mutable: [], notFound: [] };
}

/**
 * Fetches changed mailboxes and emails. When everything fits the server's limits this is a
 * single request; bigger change sets are split by the client's getAll.
 */
async function fetchChanged(
  client: JmapClient,
  accountId: string,
  mailboxIds: string[],
  emailIds: { created: string[]; updated: string[] },
): Promise<{ mailboxes: ServerMailbox[]; mailboxNotFound: string[]; emails: FetchedEmails }> {
  const perGet = client.session.limits.maxObjectsInGet || 500;
  const fits = mailboxIds.length <= perGet && emailIds.created.length <= perGet && emailIds.updated.length <= perGet;
  if (!fits) {
    const [mailboxes, emails] = await Promise.all([
      mailboxIds.length ? client.getAll('Mailbox', accountId, mailboxIds, mailboxProperties, MailboxSchema) : null,
      fetchEmails(client, accountId, emailIds),
    ]);
    return { mailboxes: mailboxes?.list ?? [], mailboxNotFound: mailboxes?.notFound ?? [], emails };
  }
  const batch = client.batch();
  const mg = mailboxIds.length ? batch.call('Mailbox/get', { accountId, ids: mailboxIds, properties: mailboxProperties }, MailboxGet) : null;
  const eg = emailIds.created.length ? batch.call('Email/get', { accountId, ids: emailIds.created, properties: emailMetaProperties }, EmailGet) : null;
  const ug = emailIds.updated.length ? batch.call('Email/get', { accountId, ids: emailIds.updated, properties: emailMutableProperties }, MutableGet) : null;
  const result = await batch.send();
  const mailboxes = mg ? result.get(mg) : null;
  const fresh = eg ? result.get(eg) : null;
  const mutable = ug ? result.get(ug) : null;
  return {
    mailboxes: mailboxes?.list ?? [],
    mailboxNotFound: mailboxes?.notFound ?? [],
    emails: { fresh: fresh?.list ?? [], mutable: mutable?.list ?? [], notFound: [...(fresh?.notFound ?? []), ...(mutable?.notFound ?? [])] },
  };
}
