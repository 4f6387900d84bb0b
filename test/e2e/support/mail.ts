// Shared steps for the mail e2e tests: adding an account through the UI, and reading the
// server's truth with plain JMAP (no code shared with the client under test).
import { expect, type Page } from '@playwright/test';
import { cyrusEnv } from '../../support/cyrus';
import * as admin from '../../support/jmap-admin';
import { jmap } from '../../support/jmap-raw';

/** Fills in and submits the add-account form, without waiting for the outcome. */
export async function submitAddAccount(page: Page, email: string, password: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Add account' });
  await expect(form).toBeVisible();
  await form.getByLabel('Email address').fill(email);
  await form.getByLabel('Password').fill(password);
  await form.getByLabel('Server URL').fill(`${cyrusEnv().baseUrl}/`);
  await form.getByRole('button', { name: 'Add account' }).click();
}

/** Adds an account through the UI and waits for its folders. */
export async function addAccount(page: Page, email: string, password = 'secret'): Promise<void> {
  await submitAddAccount(page, email, password);
  await expect(page.getByRole('tree', { name: `Folders of ${email}` })).toBeVisible();
}

/** Every email id in the account, newest first (seeded message i is at index i). */
export async function idsNewestFirst(user: string): Promise<string[]> {
  const [res] = await admin.call(user, [
    ['Email/query', { accountId: await admin.accountIdOf(user), sort: [{ property: 'receivedAt', isAscending: false }], limit: 1000 }, '0'],
  ]);
  return (res?.[1].ids ?? []) as string[];
}

export interface ServerEmail {
  id: string;
  keywords: Record<string, boolean>;
  mailboxIds: Record<string, boolean>;
}

export async function serverEmail(user: string, id: string): Promise<ServerEmail | null> {
  const [res] = await admin.call(user, [
    ['Email/get', { accountId: await admin.accountIdOf(user), ids: [id], properties: ['keywords', 'mailboxIds'] }, '0'],
  ]);
  const list = (res?.[1].list ?? []) as ServerEmail[];
  return list[0] ?? null;
}

export async function mailboxId(user: string, role: string): Promise<string> {
  const mailbox = (await admin.mailboxes(user)).find((m) => m.role === role);
  if (!mailbox) throw new Error(`${user} has no ${role} mailbox`);
  return mailbox.id;
}

/** Imports one raw RFC 5322 message into a mailbox (by role), unread. Returns its id. */
export async function importRaw(user: string, role: string, raw: string): Promise<string> {
  const accountId = await admin.accountIdOf(user);
  const inbox = await mailboxId(user, role);
  const responses = await jmap(
    user,
    [
      ['Blob/set', { accountId, create: { b: { 'data:asText': raw, type: 'message/rfc822' } } }, 'b'],
      ['Email/import', { accountId, emails: { e: { blobId: '#b', mailboxIds: { [inbox]: true }, keywords: {}, receivedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } } }, 'i'],
    ],
    ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail', 'https://cyrusimap.org/ns/jmap/blob'],
  );
  const created = responses.find((r) => r[2] === 'i')?.[1].created as Record<string, { id: string }> | undefined;
  const id = created?.e?.id;
  if (!id) throw new Error(`import failed: ${JSON.stringify(responses)}`);
  return id;
}

/** The message row for an email id (the list is virtualized: only rows in view exist). */
export function row(page: Page, id: string) {
  return page.locator(`[data-testid="message-row"][data-email-id="${id}"]`);
}
