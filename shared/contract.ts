// The one declaration of everything the renderer may ask of the core, and everything the
// core may tell the renderer. Both transports (Electron IPC, the headless host's WebSocket)
// carry exactly this contract; params are validated against these schemas at runtime.
import { z } from 'zod';

const id = z.string().min(1).max(256);

export const AccountStatus = z.object({
  state: z.enum(['connecting', 'online', 'offline', 'auth-failed', 'error']),
  message: z.string().nullable(),
  lastSyncAt: z.number().nullable(),
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

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}
