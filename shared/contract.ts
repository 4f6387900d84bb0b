// The one declaration of everything the renderer may ask of the core, and everything the
// core may tell the renderer. Both transports (Electron IPC, the headless host's WebSocket)
// carry exactly this contract; params are validated against these schemas at runtime.
import { z } from 'zod';
import { actions } from './keymap';
import { pimEvents, pimRequests } from './pim-contract';
import { SmimeDefaults, smimeRequests } from './smime-contract';

const id = z.string().min(1).max(256);

export const AccountStatus = z.object({
  state: z.enum(['connecting', 'online', 'offline', 'auth-failed', 'error']),
  message: z.string().nullable(),
  lastSyncAt: z.number().nullable(),
  /** While the first sync of the account's mail runs: how far it got. Null once complete. */
  initialSync: z.object({ fetched: z.number(), total: z.number().nullable() }).nullable(),
});

export const AccountView = z.object({
  id,
  name: z.string(),
  email: z.string(),
  username: z.string(),
  sessionUrl: z.string(),
  /** Whether new mail here raises notifications. */
  notify: z.boolean(),
  status: AccountStatus,
});

export const MailboxView = z.object({
  accountId: id,
  id,
  name: z.string(),
  parentId: z.string().nullable(),
  role: z.string().nullable(),
  sortOrder: z.number(),
  totalEmails: z.number(),
  unreadEmails: z.number(),
  totalThreads: z.number(),
  unreadThreads: z.number(),
  isSubscribed: z.boolean(),
});

export const SecretStoreInfo = z.object({
  kind: z.enum(['keychain', 'safe-storage', 'memory']),
  persistent: z.boolean(),
  description: z.string(),
});

export const AddAccountParams = z.object({
  email: z.string().trim().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address'),
  // Basic auth password, or a Bearer token when authKind is "bearer".
  secret: z.string().min(1).max(8192),
  authKind: z.enum(['basic', 'bearer']).default('basic'),
  // Login name when it differs from the email address.
  username: z.string().trim().max(320).optional(),
  // A session URL or any URL on the server; empty means discover from the email domain.
  serverUrl: z.string().trim().max(2048).optional(),
  name: z.string().trim().max(200).optional(),
});

export const EmailAddressView = z.object({ name: z.string().nullable(), email: z.string() });

export const EmailListItem = z.object({
  accountId: id,
  id,
  threadId: z.string(),
  receivedAt: z.number(),
  subject: z.string(),
  from: z.array(EmailAddressView),
  to: z.array(EmailAddressView),
  preview: z.string(),
  unread: z.boolean(),
  flagged: z.boolean(),
  hasAttachment: z.boolean(),
  mailboxIds: z.array(z.string()),
  /** Emails of this thread in the listed mailbox (conversation view), else 1. */
  threadSize: z.number(),
  /** Where a search result came from: the local copy, or the server (not yet local). */
  source: z.enum(['local', 'server']),
});

export const AttachmentView = z.object({
  partId: z.string().nullable(),
  blobId: z.string().nullable(),
  name: z.string().nullable(),
  type: z.string(),
  size: z.number(),
  disposition: z.string().nullable(),
  /** Content-ID, for inline images referenced as cid: in the HTML. */
  cid: z.string().nullable(),
});

export const EmailDetail = EmailListItem.extend({
  cc: z.array(EmailAddressView),
  sentAt: z.number().nullable(),
  size: z.number(),
  /** Untrusted: the renderer must sanitize html before showing it. */
  body: z.object({ text: z.string().nullable(), html: z.string().nullable() }),
  attachments: z.array(AttachmentView),
  /** 'unavailable' when the server could not give the body (e.g. the email was deleted). */
  bodyStatus: z.enum(['fetched', 'unavailable']),
});

export const IdentityView = z.object({
  id,
  name: z.string(),
  email: z.string(),
  replyTo: z.array(EmailAddressView).nullable(),
  bcc: z.array(EmailAddressView).nullable(),
  textSignature: z.string(),
  htmlSignature: z.string(),
  mayDelete: z.boolean(),
});

export const OutboxEntryView = z.object({
  id: z.number(),
  accountId: id,
  kind: z.string(),
  status: z.enum(['pending', 'failed']),
  attempts: z.number(),
  error: z.string().nullable(),
  createdAt: z.number(),
});

/** A recipient or sender as the composer edits it. */
const ComposeAddress = z.object({
  name: z.string().trim().max(300).nullable(),
  email: z.string().trim().min(3).max(320).regex(/^[^\s@<>,;]+@[^\s@<>,;]+$/, 'must be an email address'),
});
/** An uploaded file (or an existing blob, e.g. a forwarded message) attached by blobId. */
export const ComposeAttachment = z.object({
  blobId: id,
  name: z.string().max(255),
  type: z.string().min(1).max(255),
  size: z.number().int().nonnegative(),
});
/** What a compose window holds. Every request carrying one is a single frame, hence the caps. */
export const ComposeDraft = z.object({
  identityId: id,
  to: z.array(ComposeAddress).max(500).default([]),
  cc: z.array(ComposeAddress).max(500).default([]),
  bcc: z.array(ComposeAddress).max(500).default([]),
  subject: z.string().max(998).default(''),
  /** Rich text (sanitized again by the core, which derives the text/plain part), or null for plain text. */
  html: z.string().max(800_000).nullable().default(null),
  /** The body when html is null. */
  text: z.string().max(800_000).default(''),
  /** Message-IDs without angle brackets. */
  inReplyTo: z.array(z.string().min(1).max(998)).max(50).default([]),
  references: z.array(z.string().min(1).max(998)).max(500).default([]),
  attachments: z.array(ComposeAttachment).max(100).default([]),
  /** The message this replies to or forwards: marked $answered / $forwarded once sent. */
  origin: z.object({ emailId: id, kind: z.enum(['reply', 'forward']) }).nullable().default(null),
  /** S/MIME: sign and/or encrypt when sending (drafts are saved unprotected on the user's own server). */
  smime: SmimeDefaults.default({ sign: false, encrypt: false }),
});
export const ComposeMode = z.enum(['new', 'reply', 'replyAll', 'forward', 'forwardAsAttachment', 'draft']);
export const QueuedSendView = z.object({
  actionId: z.number(),
  accountId: id,
  subject: z.string(),
  to: z.array(z.string()),
  /** When it goes (the undo window's end); it may wait longer for the server to be reachable. */
  sendAt: z.number(),
  attempts: z.number(),
  status: z.enum(['pending', 'failed']),
  error: z.string().nullable(),
});

const emailIds = z.array(id).min(1).max(5000);
const mailboxTarget = z.union([z.object({ mailboxId: id }).strict(), z.object({ role: z.enum(['inbox', 'archive', 'trash', 'junk']) }).strict()]);
const keyword = z.enum(['$seen', '$flagged', '$answered', '$junk', '$notjunk']);
const queued = z.object({ actionId: z.number() });

const empty = z.object({}).strict();
const byAccount = z.object({ accountId: id }).strict();

/** Every request: name → params schema → result schema. */
export const requests = {
  'app.info': {
    params: empty,
    result: z.object({ version: z.string(), secretStore: SecretStoreInfo }),
  },
  /** A plain-text report for bug reports: versions, accounts (id, server), sync, outbox, log tail; no secrets. */
  'app.diagnostics': { params: empty, result: z.object({ text: z.string() }) },
  'accounts.list': { params: empty, result: z.array(AccountView) },
  'accounts.add': { params: AddAccountParams.strict(), result: AccountView },
  'accounts.remove': { params: byAccount, result: z.object({ removed: z.boolean() }) },
  'mailboxes.list': { params: byAccount, result: z.array(MailboxView) },
  'emails.list': {
    params: z
      .object({
        /** Omitted: every account (the unified view), which needs `role`. */
        accountId: id.optional(),
        mailboxId: id.optional(),
        role: z.string().max(64).optional(),
        threads: z.boolean().default(false),
        offset: z.number().int().min(0).max(10_000_000).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict()
      .refine((p) => (p.accountId && (p.mailboxId || p.role)) || (!p.accountId && p.role && !p.mailboxId), {
        message: 'give accountId with mailboxId or role, or role alone for every account',
      }),
    result: z.object({ total: z.number(), items: z.array(EmailListItem) }),
  },
  'emails.get': {
    params: z.object({ accountId: id, emailId: id }).strict(),
    result: EmailDetail,
  },
  'emails.search': {
    params: z
      .object({ query: z.string().max(1000), accountId: id.optional(), limit: z.number().int().min(1).max(500).default(50) })
      .strict(),
    result: z.object({ items: z.array(EmailListItem) }),
  },
  'emails.searchServer': {
    params: z
      .object({ query: z.string().max(1000), accountId: id.optional(), limit: z.number().int().min(1).max(200).default(50) })
      .strict(),
    result: z.object({ items: z.array(EmailListItem) }),
  },
  'emails.setKeyword': {
    params: z.object({ accountId: id, emailIds, keyword, value: z.boolean() }).strict(),
    result: queued,
  },
  'emails.move': {
    params: z.object({ accountId: id, emailIds, to: mailboxTarget }).strict(),
    result: queued,
  },
  'emails.destroy': { params: z.object({ accountId: id, emailIds }).strict(), result: queued },
  'mailboxes.create': {
    params: z.object({ accountId: id, name: z.string().trim().min(1).max(255), parentId: id.nullable().default(null) }).strict(),
    result: queued,
  },
  'mailboxes.rename': {
    params: z.object({ accountId: id, mailboxId: id, name: z.string().trim().min(1).max(255) }).strict(),
    result: queued,
  },
  'mailboxes.destroy': { params: z.object({ accountId: id, mailboxId: id }).strict(), result: queued },
  'mailboxes.empty': { params: z.object({ accountId: id, mailboxId: id }).strict(), result: queued },
  'outbox.list': { params: empty, result: z.array(OutboxEntryView) },
  /** An attachment's bytes (base64), from the local cache or downloaded now. */
  'attachments.get': {
    params: z.object({ accountId: id, emailId: id, blobId: id }).strict(),
    result: z.object({ name: z.string(), type: z.string(), size: z.number(), base64: z.string() }),
  },
  'identities.list': { params: byAccount, result: z.array(IdentityView) },
  /** A compose window's starting point: empty, a reply, a forward, or a saved draft to edit. */
  'compose.prepare': {
    params: z
      .object({ accountId: id, mode: ComposeMode, emailId: id.optional() })
      .strict()
      .refine((p) => p.mode === 'new' || !!p.emailId, { message: 'this mode needs emailId' }),
    result: z.object({ accountId: id, draftId: id.nullable(), draft: ComposeDraft }),
  },
  /** Saves to Drafts; replaceId (the previous version) is destroyed in the same request. */
  'compose.saveDraft': {
    params: z.object({ accountId: id, draft: ComposeDraft, replaceId: id.nullable().default(null) }).strict(),
    result: z.object({ draftId: id }),
  },
  'compose.discardDraft': { params: z.object({ accountId: id, draftId: id }).strict(), result: queued },
  /** Queues the message in the outbox; it goes after undoMs (the undo window), or once online. */
  'compose.send': {
    params: z
      .object({ accountId: id, draft: ComposeDraft, draftId: id.nullable().default(null), undoMs: z.number().int().min(0).max(120_000).default(10_000) })
      .strict(),
    result: z.object({ actionId: z.number(), sendAt: z.number() }),
  },
  /** Takes a send back while the server has not seen it; returns it to edit again. */
  'compose.undoSend': {
    params: z.object({ actionId: z.number().int() }).strict(),
    result: z.object({
      undone: z.boolean(),
      reason: z.string().nullable(),
      accountId: id.nullable(),
      draftId: id.nullable(),
      draft: ComposeDraft.nullable(),
    }),
  },
  /** Sends waiting in the outbox: in their undo window, offline, or refused. */
  'compose.queued': { params: empty, result: z.array(QueuedSendView) },
  /** Attachments travel in chunks (every request is one frame of at most 1 MiB). */
  'compose.uploadBegin': {
    params: z.object({ accountId: id, name: z.string().max(255), type: z.string().max(255), size: z.number().int().min(0) }).strict(),
    result: z.object({ uploadId: id, chunkBytes: z.number() }),
  },
  'compose.uploadChunk': {
    params: z.object({ uploadId: id, offset: z.number().int().min(0), base64: z.string().max(700_000) }).strict(),
    result: z.object({ received: z.number() }),
  },
  /** Sends the collected bytes to the server; progress comes as compose.uploadProgress. */
  'compose.uploadFinish': { params: z.object({ uploadId: id }).strict(), result: ComposeAttachment },
  'compose.uploadCancel': { params: z.object({ uploadId: id }).strict(), result: z.object({ canceled: z.boolean() }) },
  /** People the user exchanged mail with, best match first. */
  'compose.suggestRecipients': {
    params: z.object({ accountId: id, query: z.string().max(200), limit: z.number().int().min(1).max(50).default(8) }).strict(),
    result: z.array(EmailAddressView),
  },
  'sync.now': {
    params: z.object({ accountId: id.optional() }).strict(),
    result: z.object({ started: z.number() }),
  },
  /** Every local email of a conversation, oldest first, each with its own mailboxIds. */
  'emails.thread': {
    params: z.object({ accountId: id, threadId: id }).strict(),
    result: z.object({ items: z.array(EmailListItem) }),
  },
  /** The raw RFC 5322 message (base64: it need not be UTF-8). Untrusted: show it as text only. */
  'emails.source': {
    params: z.object({ accountId: id, emailId: id }).strict(),
    result: z.object({ size: z.number(), base64: z.string() }),
  },
  'accounts.setNotify': { params: z.object({ accountId: id, notify: z.boolean() }).strict(), result: AccountView },
  /** Senders whose mail loads remote content without asking (lower-cased addresses). */
  'remoteContent.senders': { params: empty, result: z.array(z.string()) },
  'remoteContent.setTrusted': {
    params: z.object({ email: z.string().trim().toLowerCase().min(3).max(320).regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address'), trusted: z.boolean() }).strict(),
    result: z.array(z.string()),
  },
  ...pimRequests,
  ...smimeRequests,
} as const;

/** Every event: name → payload schema. */
export const events = {
  'accounts.changed': z.object({}),
  'account.status': z.object({ accountId: id, status: AccountStatus }),
  'mailboxes.changed': z.object({ accountId: id }),
  'emails.changed': z.object({ accountId: id }),
  'outbox.changed': z.object({ accountId: id }),
  /** A queued action the server refused for good; the server's state has been restored locally. */
  'outbox.failed': z.object({ accountId: id, actionId: z.number(), message: z.string() }),
  'compose.uploadProgress': z.object({ uploadId: id, phase: z.enum(['uploading', 'done', 'failed']), sent: z.number(), total: z.number() }),
  /** The server accepted a queued message for delivery. */
  'compose.sent': z.object({ accountId: id, actionId: z.number() }),
  /** Unread mail reached an inbox after the account's first sync: one event per sync pass. */
  'mail.arrived': z.object({
    accountId: id,
    count: z.number(),
    /** The newest first, at most 5. */
    items: z.array(z.object({ id, from: z.string(), subject: z.string() })).max(5),
  }),
  /** Sent by the Electron shell (never the core): the user clicked a new-mail notification. */
  'ui.openMessage': z.object({ accountId: id, emailId: id }),
  /** Sent by the Electron shell: a mailto: link was opened (RFC 6068, decoded; addresses unchecked). */
  'ui.compose': z.object({
    to: z.array(z.string().max(320)).max(100),
    cc: z.array(z.string().max(320)).max(100),
    bcc: z.array(z.string().max(320)).max(100),
    subject: z.string().max(998),
    body: z.string().max(100_000),
  }),
  /** Sent by the Electron shell: a native menu or tray item; the renderer runs it as its key. */
  'ui.command': z.object({ command: z.enum(actions) }),
  ...pimEvents,
} as const;

export type RequestName = keyof typeof requests;
export type EventName = keyof typeof events;
/** What a caller passes (defaults not yet applied). */
export type Params<M extends RequestName> = z.input<(typeof requests)[M]['params']>;
/** What a handler receives (after validation and defaults). */
export type ValidParams<M extends RequestName> = z.output<(typeof requests)[M]['params']>;
export type Result<M extends RequestName> = z.output<(typeof requests)[M]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export type AccountView = z.output<typeof AccountView>;
export type AccountStatus = z.output<typeof AccountStatus>;
export type MailboxView = z.output<typeof MailboxView>;
export type SecretStoreInfo = z.output<typeof SecretStoreInfo>;
export type EmailListItem = z.output<typeof EmailListItem>;
export type OutboxEntryView = z.output<typeof OutboxEntryView>;
export type EmailDetail = z.output<typeof EmailDetail>;
export type IdentityView = z.output<typeof IdentityView>;
export type AttachmentView = z.output<typeof AttachmentView>;
export type ComposeDraft = z.output<typeof ComposeDraft>;
export type ComposeAttachment = z.output<typeof ComposeAttachment>;
export type ComposeMode = z.output<typeof ComposeMode>;
export type QueuedSendView = z.output<typeof QueuedSendView>;

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}
