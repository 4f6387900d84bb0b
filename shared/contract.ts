// The one declaration of everything the renderer may ask of the core, and everything the
// core may tell the renderer. Both transports (Electron IPC, the headless host's WebSocket)
// carry exactly this contract; params are validated against these schemas at runtime.
import { z } from 'zod';

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
  'sync.now': {
    params: z.object({ accountId: id.optional() }).strict(),
    result: z.object({ started: z.number() }),
  },
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

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}
