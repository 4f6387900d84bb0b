// The compose part of the contract: starting a message (new, reply, forward, a saved draft),
// saving drafts, attachments, recipient suggestions, and sending through the outbox with an
// undo window.
//
// Undo send holds the message here, not on the server. Cyrus 3.6 advertises maxDelayedSend and
// accepts a delayed submission (HOLDFOR: undoStatus "pending"), but without its calalarmd
// daemon the message is never released: a client cannot tell a server that will send later
// from one that never will, and trusting it would lose mail silently. A local hold works with
// every server; its cost is that the app must be running (or start again) when the window ends,
// which the outbox guarantees: a held send is replayed at the next sync after `not_before`.
import { z } from 'zod';
import type { ComposeDraft, QueuedSendView } from '../../shared/contract';
import { IpcError } from '../../shared/errors';
import type { AccountService } from './accounts/account-service';
import type { Handlers } from './dispatch';
import type { EventBus } from './events';
import { JmapNetworkError } from './jmap/errors';
import { capabilities } from './jmap/session';
import { suggestRecipients } from './mail/compose/correspondents';
import { sanitizeHtml } from './mail/compose/html';
import { buildEmail, newMessageId } from './mail/compose/message';
import {
  dedupe, forwardedBlock, forwardSubject, quotedReply, replyRecipients, replySubject, startBody, threadingHeaders,
  type Addr, type Original,
} from './mail/compose/quote';
import { chunkBytes, Uploads } from './mail/compose/uploads';
import type { Db } from './store/db';
import type { EmailQueries } from './store/email-queries';
import type { EmailStore } from './store/emails';
import { IdentitySchema, type IdentityRow, type IdentityStore } from './store/identities';
import { fetchBodiesOf } from './sync/body-sync';
import type { Outbox, SendAction } from './sync/outbox';
import type { SyncScheduler } from './sync/scheduler';

type ComposeHandlers = Pick<
  Handlers,
  | 'compose.prepare' | 'compose.saveDraft' | 'compose.discardDraft' | 'compose.send' | 'compose.undoSend' | 'compose.queued'
  | 'compose.uploadBegin' | 'compose.uploadChunk' | 'compose.uploadFinish' | 'compose.uploadCancel' | 'compose.suggestRecipients'
>;

export interface ComposeHandlerDeps {
  db: Db;
  accounts: AccountService;
  identities: IdentityStore;
  emails: EmailStore;
  queries: EmailQueries;
  outbox: Outbox;
  scheduler: SyncScheduler;
  events: EventBus;
  /** Refuses an S/MIME send up front when a key or a recipient's certificate is missing. */
  smime?: { checkSend(draft: ComposeDraft, from: Addr): void };
}

/** The most an attachment may be when the server names no smaller limit (it is held in memory). */
const maxAttachmentBytes = 100 * 1024 * 1024;

const SetResponse = z.looseObject({
  created: z.record(z.string(), z.looseObject({ id: z.string() })).nullable().optional(),
  notCreated: z.record(z.string(), z.looseObject({ type: z.string(), description: z.string().nullable().optional() })).nullable().optional(),
});
const AddressList = z
  .array(z.looseObject({ name: z.string().nullable().optional().catch(null), email: z.string().nullable().optional().catch(null) }))
  .nullable()
  .optional()
  .catch(null)
  .transform((l): Addr[] => (l ?? []).flatMap((a) => (a.email ? [{ name: a.name ?? null, email: a.email }] : [])));
const Ids = z.array(z.string()).nullable().optional().catch(null).transform((l) => l ?? []);
const HeaderGet = z.looseObject({
  list: z.array(
    z.looseObject({ id: z.string(), messageId: Ids, inReplyTo: Ids, references: Ids, replyTo: AddressList, bcc: AddressList, blobId: z.string().nullable().optional(), size: z.number().catch(0) }),
  ),
});
const StoredAttachments = z
  .array(z.looseObject({ blobId: z.string().nullable().catch(null), name: z.string().nullable().catch(null), type: z.string().catch('application/octet-stream'), size: z.number().catch(0) }))
  .catch([]);

export function composeHandlers(deps: ComposeHandlerDeps): ComposeHandlers {
  const { db, accounts, identities, emails, queries, outbox, scheduler, events } = deps;
  const uploads = new Uploads();

  const requireAccount = (accountId: string) => {
    if (!accounts.ids().includes(accountId)) throw new IpcError({ code: 'not-found', message: 'No such account.' });
  };
  const mailboxByRole = (accountId: string, role: string): string | null =>
    (db.prepare('SELECT id FROM mailbox WHERE account_id = ? AND role = ?').pluck().get(accountId, role) as string | undefined) ?? null;
  const changed = (accountId: string) => {
    events.emit('emails.changed', { accountId });
    events.emit('mailboxes.changed', { accountId });
    events.emit('outbox.changed', { accountId });
  };

  /** Identities are fetched on the first sync; a compose window opened before that asks now. */
  async function identitiesOf(accountId: string): Promise<IdentityRow[]> {
    const known = identities.list(accountId);
    if (known.length) return known;
    const { client, jmapAccountId } = await accounts.clientFor(accountId);
    const res = await client.call('Identity/get', { accountId: jmapAccountId }, z.looseObject({ list: z.array(IdentitySchema) }), [capabilities.mail, capabilities.submission]);
    identities.replaceAll(accountId, res.list);
    const list = identities.list(accountId);
    if (!list.length) throw new IpcError({ code: 'not-found', message: 'This account has no identity to send from.' });
    return list;
  }
  const accountEmail = (accountId: string) => accounts.list().find((a) => a.id === accountId)?.email.toLowerCase() ?? '';
  const defaultIdentity = (accountId: string, list: IdentityRow[]) => list.find((i) => i.email.toLowerCase() === accountEmail(accountId)) ?? list[0]!;
  const ownAddresses = (accountId: string, list: IdentityRow[]) => new Set([accountEmail(accountId), ...list.map((i) => i.email.toLowerCase())]);
  const sender = (i: IdentityRow): Addr => ({ name: i.name.trim() || null, email: i.email });

  /** The email to answer or forward: the local copy, and the headers it lacks from the server. */
  async function original(accountId: string, emailId: string, serverNeeded: boolean) {
    let d = queries.detail(accountId, emailId);
    if (!d) throw new IpcError({ code: 'not-found', message: 'This message is no longer here.' });
    const { client, jmapAccountId } = await accounts.clientFor(accountId);
    const headers = { messageId: [] as string[], inReplyTo: [] as string[], references: [] as string[], replyTo: [] as Addr[], bcc: [] as Addr[], blobId: null as string | null };
    try {
      if (d.bodyStatus === 0) {
        await fetchBodiesOf(client, accounts.bodyDeps(), accountId, jmapAccountId, [emailId]);
        d = queries.detail(accountId, emailId) ?? d;
      }
      const res = await client.call(
        'Email/get',
        { accountId: jmapAccountId, ids: [emailId], properties: ['id', 'messageId', 'inReplyTo', 'references', 'replyTo', 'bcc', 'blobId', 'size'] },
        HeaderGet,
      );
      const e = res.list[0];
      if (!e) throw new IpcError({ code: 'not-found', message: 'This message is no longer on the server.' });
      Object.assign(headers, { messageId: e.messageId, inReplyTo: e.inReplyTo, references: e.references, replyTo: e.replyTo, bcc: e.bcc, blobId: e.blobId ?? null });
    } catch (err) {
      // Offline, a reply can still be written and queued; it only lacks its threading headers.
      if (serverNeeded || !(err instanceof JmapNetworkError)) throw err;
    }
    const o: Original = {
      from: d.item.from, to: d.item.to, cc: d.cc, replyTo: headers.replyTo, subject: d.item.subject,
      sentAt: d.sentAt ?? d.item.receivedAt, messageId: headers.messageId, inReplyTo: headers.inReplyTo, references: headers.references,
      text: d.text, html: d.html,
    };
    const attachments = StoredAttachments.parse(JSON.parse(d.attachments))
      .filter((a): a is typeof a & { blobId: string } => !!a.blobId)
      .map((a) => ({ blobId: a.blobId, name: a.name || 'attachment', type: a.type, size: a.size }));
    return { o, headers, attachments, size: d.size };
  }

  /** Wakes the sync once a held send is due, so it goes without waiting for the next poll. */
  function wakeAt(accountId: string, at: number): void {
    const timer = setTimeout(() => scheduler.syncNow(accountId), Math.max(0, at - Date.now()) + 20);
    timer.unref?.();
  }
  for (const s of outbox.sends()) if (s.status === 'pending') wakeAt(s.accountId, s.notBefore);
  outbox.onSent((accountId, actionId) => events.emit('compose.sent', { accountId, actionId }));

  async function serverLimits(accountId: string): Promise<{ upload: number; attachments: number }> {
    const { client, jmapAccountId } = await accounts.clientFor(accountId);
    const mail = client.session.accounts[jmapAccountId]?.accountCapabilities[capabilities.mail] as { maxSizeAttachmentsPerEmail?: unknown } | undefined;
    const perEmail = typeof mail?.maxSizeAttachmentsPerEmail === 'number' && mail.maxSizeAttachmentsPerEmail > 0 ? mail.maxSizeAttachmentsPerEmail : Infinity;
    const upload = client.session.limits.maxSizeUpload > 0 ? client.session.limits.maxSizeUpload : Infinity;
    return { upload: Math.min(upload, perEmail, maxAttachmentBytes), attachments: perEmail };
  }

  return {
    'compose.prepare': async ({ accountId, mode, emailId }) => {
      requireAccount(accountId);
      const list = await identitiesOf(accountId);
      const own = ownAddresses(accountId, list);
      const base: ComposeDraft = {
        identityId: defaultIdentity(accountId, list).id, to: [], cc: [], bcc: [], subject: '', html: null, text: '',
        inReplyTo: [], references: [], attachments: [], origin: null, smime: { sign: false, encrypt: false },
      };
      const signed = (identity: IdentityRow, block: { text: string; html: string } | null) => {
        const body = startBody({ text: identity.textSignature, html: identity.htmlSignature }, block);
        return { html: body.html, text: body.text };
      };
      if (mode === 'new' || !emailId) {
        return { accountId, draftId: null, draft: { ...base, ...signed(defaultIdentity(accountId, list), null) } };
      }
      const { o, headers, attachments, size } = await original(accountId, emailId, mode === 'forwardAsAttachment' || mode === 'draft');
      // Answer as the identity the message was sent to.
      const addressed = new Set([...o.to, ...o.cc, ...headers.bcc, ...o.from].map((a) => a.email.toLowerCase()));
      const identity = list.find((i) => addressed.has(i.email.toLowerCase())) ?? defaultIdentity(accountId, list);
      const identityId = identity.id;
      switch (mode) {
        case 'reply':
        case 'replyAll': {
          const { to, cc } = replyRecipients(o, mode === 'replyAll', own);
          return {
            accountId, draftId: null,
            draft: { ...base, identityId, to, cc, subject: replySubject(o.subject), ...threadingHeaders(o), ...signed(identity, quotedReply(o)), origin: { emailId, kind: 'reply' } },
          };
        }
        case 'forward':
          return {
            accountId, draftId: null,
            draft: { ...base, identityId, subject: forwardSubject(o.subject), attachments, ...signed(identity, forwardedBlock(o)), origin: { emailId, kind: 'forward' } },
          };
        case 'forwardAsAttachment': {
          if (!headers.blobId) throw new IpcError({ code: 'not-found', message: 'The server did not provide this message to attach.' });
          const name = `${(o.subject.trim() || 'message').replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ').slice(0, 120)}.eml`;
          return {
            accountId, draftId: null,
            draft: { ...base, identityId, subject: forwardSubject(o.subject), attachments: [{ blobId: headers.blobId, name, type: 'message/rfc822', size }], ...signed(identity, null), origin: { emailId, kind: 'forward' } },
          };
        }
        case 'draft': {
          const fromIdentity = list.find((i) => o.from.some((f) => f.email.toLowerCase() === i.email.toLowerCase())) ?? identity;
          return {
            accountId, draftId: emailId,
            draft: {
              ...base, identityId: fromIdentity.id, to: dedupe(o.to), cc: dedupe(o.cc), bcc: dedupe(headers.bcc), subject: o.subject,
              html: o.html === null ? null : sanitizeHtml(o.html), text: o.text ?? '', inReplyTo: headers.inReplyTo, references: headers.references, attachments,
            },
          };
        }
      }
    },

    'compose.saveDraft': async ({ accountId, draft, replaceId }) => {
      requireAccount(accountId);
      const list = await identitiesOf(accountId);
      const identity = list.find((i) => i.id === draft.identityId) ?? defaultIdentity(accountId, list);
      const drafts = mailboxByRole(accountId, 'drafts');
      if (!drafts) throw new IpcError({ code: 'not-found', message: 'This account has no Drafts folder.' });
      const { client, jmapAccountId } = await accounts.clientFor(accountId);
      const email = buildEmail(draft, sender(identity), { mailboxId: drafts, messageId: newMessageId(identity.email), includeBcc: true });
      // One request: the new version exists before the old one goes, and never both for long.
      const res = await client.call('Email/set', { accountId: jmapAccountId, create: { draft: email }, ...(replaceId ? { destroy: [replaceId] } : {}) }, SetResponse);
      const draftId = res.created?.draft?.id;
      if (!draftId) {
        const why = Object.values(res.notCreated ?? {})[0];
        throw new IpcError({ code: 'jmap-error', message: `The server did not save the draft: ${why?.description || why?.type || 'no reason given'}` });
      }
      if (replaceId) db.transaction(() => emails.removeLocal(accountId, replaceId))();
      events.emit('emails.changed', { accountId });
      scheduler.syncNow(accountId);
      return { draftId };
    },

    'compose.discardDraft': async ({ accountId, draftId }) => {
      requireAccount(accountId);
      const actionId = outbox.enqueue(accountId, { kind: 'destroy', emailIds: [draftId] });
      changed(accountId);
      scheduler.syncNow(accountId);
      return { actionId };
    },

    'compose.send': async ({ accountId, draft, draftId, undoMs }) => {
      requireAccount(accountId);
      if (!draft.to.length && !draft.cc.length && !draft.bcc.length) throw new IpcError({ code: 'invalid-params', message: 'Add at least one recipient.' });
      const identity = identities.list(accountId).find((i) => i.id === draft.identityId);
      if (!identity) throw new IpcError({ code: 'not-found', message: 'The identity to send from is not known for this account.' });
      const draftsMailboxId = mailboxByRole(accountId, 'drafts');
      if (!draftsMailboxId) throw new IpcError({ code: 'not-found', message: 'This account has no Drafts folder.' });
      const total = draft.attachments.reduce((n, a) => n + a.size, 0);
      const limits = await serverLimits(accountId).catch(() => null);
      if (limits && total > limits.attachments) {
        throw new IpcError({ code: 'payload-too-large', message: `The attachments total ${Math.ceil(total / 1048576)} MB; this server sends at most ${Math.floor(limits.attachments / 1048576)} MB per message.` });
      }
      const from = sender(identity);
      if (draft.smime.sign || draft.smime.encrypt) deps.smime?.checkSend(draft, from);
      const action: SendAction = {
        kind: 'send', draft, from, identityId: identity.id, messageId: newMessageId(from.email), draftId,
        draftsMailboxId, sentMailboxId: mailboxByRole(accountId, 'sent'),
      };
      const sendAt = Date.now() + undoMs;
      const actionId = outbox.enqueue(accountId, action, { notBefore: sendAt });
      changed(accountId);
      if (undoMs === 0) scheduler.syncNow(accountId);
      else wakeAt(accountId, sendAt);
      return { actionId, sendAt };
    },

    'compose.undoSend': async ({ actionId }) => {
      const res = outbox.cancelSend(actionId);
      if (!res.undone) return { undone: false, reason: res.reason, accountId: null, draftId: null, draft: null };
      changed(res.accountId);
      return { undone: true, reason: null, accountId: res.accountId, draftId: res.action.draftId, draft: res.action.draft };
    },

    'compose.queued': async () =>
      outbox.sends().map((s): QueuedSendView => ({
        actionId: s.actionId,
        accountId: s.accountId,
        subject: s.action.draft.subject,
        to: [...s.action.draft.to, ...s.action.draft.cc, ...s.action.draft.bcc].map((a) => a.name || a.email),
        sendAt: s.notBefore,
        attempts: s.attempts,
        status: s.status,
        error: s.error,
      })),

    'compose.uploadBegin': async ({ accountId, name, type, size }) => {
      requireAccount(accountId);
      const { upload } = await serverLimits(accountId);
      return { uploadId: uploads.begin(accountId, name, type, size, upload), chunkBytes };
    },

    'compose.uploadChunk': async ({ uploadId, offset, base64 }) => ({ received: uploads.chunk(uploadId, offset, base64) }),

    'compose.uploadFinish': async ({ uploadId }) => {
      const u = uploads.take(uploadId);
      // Only a plain media type goes into the Content-Type header.
      const type = /^[\w.+-]+\/[\w.+-]+$/.test(u.type.trim()) ? u.type.trim().toLowerCase() : 'application/octet-stream';
      try {
        const { client, jmapAccountId } = await accounts.clientFor(u.accountId);
        events.emit('compose.uploadProgress', { uploadId, phase: 'uploading', sent: 0, total: u.size });
        const blob = await client.upload(jmapAccountId, u.data, type, (sent, total) => events.emit('compose.uploadProgress', { uploadId, phase: 'uploading', sent, total }));
        events.emit('compose.uploadProgress', { uploadId, phase: 'done', sent: u.size, total: u.size });
        return { blobId: blob.blobId, name: u.name || 'attachment', type, size: blob.size };
      } catch (err) {
        events.emit('compose.uploadProgress', { uploadId, phase: 'failed', sent: 0, total: u.size });
        throw err;
      }
    },

    'compose.uploadCancel': async ({ uploadId }) => ({ canceled: uploads.cancel(uploadId) }),

    'compose.suggestRecipients': async ({ accountId, query, limit }) => {
      requireAccount(accountId);
      return suggestRecipients(db, accountId, query, limit);
    },
  };
}
