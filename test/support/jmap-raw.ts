// A deliberately plain JMAP caller for test setup and for checking the server's truth,
// independent of the client under test.
import { cyrusEnv } from './cyrus';

export type Invocation = [string, Record<string, unknown>, string];

export async function jmap(user: string, methodCalls: Invocation[], using = ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail']): Promise<Invocation[]> {
  const env = cyrusEnv();
  const res = await fetch(new URL('/jmap/', env.baseUrl), {
    method: 'POST',
    headers: { Authorization: basic(user, env.password), 'Content-Type': 'application/json' },
    body: JSON.stringify({ using, methodCalls }),
  });
  if (!res.ok) throw new Error(`JMAP ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { methodResponses: Invocation[] };
  for (const r of body.methodResponses) if (r[0] === 'error') throw new Error(`JMAP error: ${JSON.stringify(r[1])}`);
  return body.methodResponses;
}

/** One method call; returns its response arguments. */
export async function jmap1(user: string, method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const [first] = await jmap(user, [[method, { accountId: user, ...args }, '0']]);
  return first![1];
}

export function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

export interface ServerMailbox {
  id: string;
  name: string;
  parentId: string | null;
  role: string | null;
  totalEmails: number;
  unreadEmails: number;
}

export async function serverMailboxes(user: string): Promise<{ state: string; list: ServerMailbox[] }> {
  return (await jmap1(user, 'Mailbox/get', { ids: null })) as unknown as { state: string; list: ServerMailbox[] };
}

/** Imports raw messages into a mailbox (by role), unread unless `seen`. Returns the email ids. */
export async function importMessages(user: string, role: string, messages: { subject: string; seen?: boolean }[]): Promise<string[]> {
  const env = cyrusEnv();
  const { list } = await serverMailboxes(user);
  const mailbox = list.find((m) => m.role === role);
  if (!mailbox) throw new Error(`no ${role} mailbox for ${user}`);
  const emails: Record<string, unknown> = {};
  for (const [i, m] of messages.entries()) {
    const raw = [
      'From: Bob Example <bob@example.com>',
      `To: ${user}`,
      `Subject: ${m.subject}`,
      `Date: ${new Date(Date.now() - i * 60_000).toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <${Date.now()}-${i}-${Math.random().toString(36).slice(2)}@test.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Body of ${m.subject}`,
      '',
    ].join('\r\n');
    const up = await fetch(new URL(`/jmap/upload/${encodeURIComponent(user)}/`, env.baseUrl), {
      method: 'POST',
      headers: { Authorization: basic(user, env.password), 'Content-Type': 'message/rfc822' },
      body: raw,
    });
    if (!up.ok) throw new Error(`upload ${up.status}`);
    const { blobId } = (await up.json()) as { blobId: string };
    emails[`m${i}`] = { blobId, mailboxIds: { [mailbox.id]: true }, keywords: m.seen ? { $seen: true } : {}, receivedAt: new Date(Date.now() - i * 60_000).toISOString() };
  }
  const res = await jmap1(user, 'Email/import', { emails });
  const created = (res.created ?? {}) as Record<string, { id: string }>;
  if (Object.keys(created).length !== messages.length) throw new Error(`import failed: ${JSON.stringify(res.notCreated)}`);
  return Object.values(created).map((c) => c.id);
}

export interface ServerEmailState {
  id: string;
  keywords: Record<string, boolean>;
  mailboxIds: Record<string, boolean>;
}

/** Every email in the account with its keywords and mailboxes: the truth local copies are compared to. */
export async function serverEmails(user: string): Promise<{ state: string; list: ServerEmailState[] }> {
  const ids: string[] = [];
  for (let position = 0; ; position += 4096) {
    const page = (await jmap1(user, 'Email/query', { position, limit: 4096 })) as { ids: string[] };
    ids.push(...page.ids);
    if (page.ids.length < 4096) break;
  }
  const list: ServerEmailState[] = [];
  let state = '';
  for (let i = 0; i < ids.length || i === 0; i += 4096) {
    const got = (await jmap1(user, 'Email/get', { ids: ids.slice(i, i + 4096), properties: ['keywords', 'mailboxIds'] })) as { state: string; list: ServerEmailState[] };
    list.push(...got.list);
    state ||= got.state;
    if (i + 4096 >= ids.length) break;
  }
  return { state, list: list.sort((a, b) => a.id.localeCompare(b.id)) };
}
