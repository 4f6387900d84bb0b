// A tiny raw JMAP caller with Basic auth, for putting the test server into a known state and
// reading its truth. Test setup only: it shares no code with the client under test.
import { cyrusEnv } from './cyrus';
import type { ServerMailbox } from './jmap-raw';

export type Invocation = [name: string, args: Record<string, unknown>, callId: string];

interface Session {
  apiUrl: string;
  /** Already filled in for this account. */
  uploadUrl: string;
  accountId: string;
}

/** The same shape the integration tests read with jmap-raw. */
export type AdminMailbox = ServerMailbox;

const using = ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'];
const sessions = new Map<string, Promise<Session>>();

function authorization(user: string): string {
  return 'Basic ' + Buffer.from(`${user}:${cyrusEnv().password}`).toString('base64');
}

async function fetchSession(user: string): Promise<Session> {
  const { sessionUrl } = cyrusEnv();
  const res = await fetch(sessionUrl, { headers: { Authorization: authorization(user) } });
  if (!res.ok) throw new Error(`JMAP session for ${user}: HTTP ${res.status}`);
  const body = (await res.json()) as { apiUrl: string; uploadUrl: string; primaryAccounts: Record<string, string> };
  const accountId = body.primaryAccounts['urn:ietf:params:jmap:mail'];
  if (!accountId) throw new Error(`${user} has no mail account`);
  // Cyrus hands out relative URLs; they resolve against the session resource.
  return {
    apiUrl: new URL(body.apiUrl, sessionUrl).href,
    // Fill the template first: URL parsing would percent-encode its braces.
    uploadUrl: new URL(body.uploadUrl.replace('{accountId}', encodeURIComponent(accountId)), sessionUrl).href,
    accountId,
  };
}

function session(user: string): Promise<Session> {
  let s = sessions.get(user);
  if (!s) {
    s = fetchSession(user);
    s.catch(() => sessions.delete(user));
    sessions.set(user, s);
  }
  return s;
}

export async function accountIdOf(user: string): Promise<string> {
  return (await session(user)).accountId;
}

/** One JMAP request; throws on HTTP failure or any method-level error. */
export async function call(user: string, methodCalls: Invocation[]): Promise<Invocation[]> {
  const { apiUrl } = await session(user);
  const res = await fetch(apiUrl, {
    method: 'POST',
    headers: { Authorization: authorization(user), 'Content-Type': 'application/json' },
    body: JSON.stringify({ using, methodCalls }),
  });
  if (!res.ok) throw new Error(`JMAP ${res.status}: ${await res.text()}`);
  const { methodResponses } = (await res.json()) as { methodResponses: Invocation[] };
  for (const [name, args] of methodResponses) {
    if (name === 'error') throw new Error(`JMAP error: ${JSON.stringify(args)}`);
  }
  return methodResponses;
}

/** The arguments of the single response to a single call. */
async function callOne(user: string, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const [response] = await call(user, [[name, { accountId: await accountIdOf(user), ...args }, '0']]);
  if (!response) throw new Error(`${name}: no response`);
  return response[1];
}

export async function mailboxes(user: string): Promise<AdminMailbox[]> {
  const args = await callOne(user, 'Mailbox/get', {
    ids: null,
    properties: ['name', 'parentId', 'role', 'totalEmails', 'unreadEmails'],
  });
  return args.list as AdminMailbox[];
}

export async function createMailbox(user: string, name: string): Promise<string> {
  const args = await callOne(user, 'Mailbox/set', { create: { new: { name, parentId: null } } });
  const created = (args.created as Record<string, { id: string }> | null)?.new;
  if (!created) throw new Error(`Mailbox/set create failed: ${JSON.stringify(args.notCreated)}`);
  return created.id;
}

export async function destroyMailbox(user: string, id: string): Promise<void> {
  const args = await callOne(user, 'Mailbox/set', { destroy: [id], onDestroyRemoveEmails: true });
  if (!(args.destroyed as string[] | null)?.includes(id)) {
    throw new Error(`Mailbox/set destroy failed: ${JSON.stringify(args.notDestroyed)}`);
  }
}

export interface TestMessage {
  subject: string;
  seen: boolean;
}

/** Uploads and imports plain-text messages into a mailbox; each gets a unique Message-ID. */
export async function importMessages(user: string, mailboxId: string, messages: TestMessage[]): Promise<string[]> {
  const { uploadUrl } = await session(user);
  const emails: Record<string, unknown> = {};
  for (const [i, message] of messages.entries()) {
    const date = new Date(Date.now() - i * 60_000);
    const raw = [
      'From: E2E Sender <sender@example.net>',
      `To: ${user}`,
      `Subject: ${message.subject}`,
      `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <e2e-${Date.now()}-${i}-${Math.random().toString(36).slice(2)}@example.net>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `This message was imported by an end-to-end test: ${message.subject}.`,
      '',
    ].join('\r\n');
    const res = await fetch(uploadUrl, {
      method: 'POST',
      headers: { Authorization: authorization(user), 'Content-Type': 'message/rfc822' },
      body: raw,
    });
    if (!res.ok) throw new Error(`upload: HTTP ${res.status}`);
    const { blobId } = (await res.json()) as { blobId: string };
    emails[`m${i}`] = {
      blobId,
      mailboxIds: { [mailboxId]: true },
      keywords: message.seen ? { $seen: true } : {},
      receivedAt: date.toISOString(),
    };
  }
  const args = await callOne(user, 'Email/import', { emails });
  const created = (args.created ?? {}) as Record<string, { id: string }>;
  if (Object.keys(created).length !== messages.length) {
    throw new Error(`Email/import failed: ${JSON.stringify(args.notCreated)}`);
  }
  return Object.values(created).map((c) => c.id);
}

export async function destroyEmails(user: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const args = await callOne(user, 'Email/set', { destroy: ids });
  const destroyed = new Set((args.destroyed as string[] | null) ?? []);
  const left = ids.filter((id) => !destroyed.has(id));
  if (left.length > 0) throw new Error(`Email/set destroy failed: ${JSON.stringify(args.notDestroyed)}`);
}
