// Adding JMAP accounts in the browser build: welcome screen, a rejected password, and the
// mailbox tree with the server's own unread counts, kept current by polling.
import type { Page } from '@playwright/test';
import { freshUser } from '../support/cyrus';
import * as admin from '../support/jmap-admin';
import { expect, screenshot, test } from './support/fixtures';
import { submitAddAccount } from './support/mail';

const alice = 'alice@example.com';

/** Every mailbox row as "name|role|unread badge text", sorted, from the page. */
async function uiMailboxes(page: Page): Promise<string[]> {
  const rows = await page.getByTestId('mailbox').evaluateAll((elements) =>
    elements.map((row) => {
      const badge = row.querySelector('[data-testid="unread-count"]');
      return `${row.getAttribute('data-name')}|${row.getAttribute('data-role') ?? ''}|${badge?.textContent?.trim() ?? ''}`;
    }),
  );
  return rows.sort();
}

/** The same rows as the server says they should be: no badge when nothing is unread. */
async function serverMailboxes(user: string): Promise<string[]> {
  const list = await admin.mailboxes(user);
  return list.map((m) => `${m.name}|${m.role ?? ''}|${m.unreadEmails > 0 ? m.unreadEmails : ''}`).sort();
}

function difference(ui: string[], server: string[]): { onlyInUi: string[]; onlyOnServer: string[] } {
  const without = (from: string[], other: string[]): string[] => {
    const rest = [...other];
    return from.filter((item) => {
      const i = rest.indexOf(item);
      if (i === -1) return true;
      rest.splice(i, 1);
      return false;
    });
  };
  return { onlyInUi: without(ui, server), onlyOnServer: without(server, ui) };
}

test('first launch shows the welcome card; a wrong password shows an alert and adds no account', async ({
  page,
  host,
  network,
}) => {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Add your mail account' })).toBeVisible();
  await expect(page.getByLabel('Server URL')).toHaveAttribute('placeholder', 'Discovered from your email address');
  // The token leaves the address bar (it stays in sessionStorage for reloads).
  expect(new URL(page.url()).hash).toBe('');
  await screenshot(page, 'welcome.png');

  await submitAddAccount(page, alice, 'not-the-password');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The server rejected that email or password.');
  await expect(page.getByRole('button', { name: 'Add account' })).toBeEnabled();
  await screenshot(page, 'auth-error.png');

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Add your mail account' })).toBeVisible();
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await expect(page.getByTestId('mailbox')).toHaveCount(0);
  expect(network.blocked).toEqual([]);
});

test('adding alice shows her mailbox tree with the server’s unread counts, updating live', async ({
  page,
  host,
  network,
}) => {
  const stamp = Date.now();
  const before = await admin.mailboxes(alice);
  const inbox = before.find((m) => m.role === 'inbox');
  if (!inbox) throw new Error('alice has no Inbox');
  const imported = await admin.importMessages(alice, inbox.id, [
    { subject: `E2E ${stamp} unread one`, seen: false },
    { subject: `E2E ${stamp} unread two`, seen: false },
    { subject: `E2E ${stamp} already read`, seen: true },
  ]);
  let createdMailbox: string | null = null;
  try {
    const expected = await admin.mailboxes(alice);
    const expectedInbox = expected.find((m) => m.role === 'inbox');
    expect(expectedInbox?.unreadEmails).toBeGreaterThanOrEqual(2);

    await page.goto(host.url);
    await submitAddAccount(page, alice, 'secret');
    await expect(page.getByRole('navigation', { name: 'Accounts and folders' })).toBeVisible();

    const row = (role: string) => page.locator(`[data-testid="mailbox"][data-role="${role}"]`);
    for (const role of ['inbox', 'drafts', 'sent', 'trash']) await expect(row(role)).toBeVisible();
    await expect(row('inbox').getByTestId('unread-count')).toHaveText(String(expectedInbox?.unreadEmails));
    await expect(page.getByRole('treeitem', { name: `Inbox, ${expectedInbox?.unreadEmails} unread` })).toBeVisible();
    for (const mailbox of expected.filter((m) => m.unreadEmails === 0)) {
      await expect(page.locator(`[data-testid="mailbox"][data-name="${mailbox.name}"] [data-testid="unread-count"]`)).toHaveCount(0);
    }
    // Every row against the server at the same moment (other tests may be adding mail to alice).
    await expect.poll(async () => difference(await uiMailboxes(page), await serverMailboxes(alice))).toEqual({
      onlyInUi: [],
      onlyOnServer: [],
    });
    // The Inbox opens first, listing the messages just imported (unread ones marked so).
    await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
    await expect(page.getByRole('option', { name: `Unread, E2E Sender, E2E ${stamp} unread one` })).toBeVisible();
    await expect(page.getByRole('option', { name: new RegExp(`^E2E Sender, E2E ${stamp} already read`) })).toBeVisible();

    // A mailbox created elsewhere shows up by itself (the host polls every second).
    const name = `E2E ${stamp}`;
    createdMailbox = await admin.createMailbox(alice, name);
    const created = page.locator(`[data-testid="mailbox"][data-name="${name}"]`);
    await expect(created).toBeVisible({ timeout: 10_000 });
    await expect(created.getByTestId('unread-count')).toHaveCount(0);
    await screenshot(page, 'mailboxes.png');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'mailboxes-dark.png');
    await page.emulateMedia({ colorScheme: 'light' });

    await admin.destroyMailbox(alice, createdMailbox);
    createdMailbox = null;
    await expect(created).toHaveCount(0, { timeout: 10_000 });

    // Launch time with an account in place: a reload reconnects with the stored token.
    const started = Date.now();
    await page.reload();
    await expect(row('inbox')).toBeVisible();
    console.log(`[e2e] launch→mailbox list painted: ${Date.now() - started} ms`);
    await expect(row('inbox').getByTestId('unread-count')).toHaveText(String(expectedInbox?.unreadEmails));
    expect(network.blocked).toEqual([]);
  } finally {
    if (createdMailbox) await admin.destroyMailbox(alice, createdMailbox).catch(() => {});
    await admin.destroyEmails(alice, imported).catch(() => {});
  }
});

test('a second account from the sidebar, nested folders, keyboard and removing an account', async ({ page, host }) => {
  const user = freshUser('e2e');
  const parent = await admin.createMailbox(user, 'Projects');
  await admin.call(user, [
    ['Mailbox/set', { accountId: await admin.accountIdOf(user), create: { c: { name: 'Meridian', parentId: parent } } }, '0'],
  ]);

  await page.goto(host.url);
  await submitAddAccount(page, user, 'secret');
  const tree = page.getByRole('tree', { name: `Folders of ${user}` });
  const projects = tree.getByRole('treeitem', { name: 'Projects' });
  const child = tree.getByRole('treeitem', { name: 'Meridian' });
  await expect(child).toBeVisible();
  await expect(projects).toHaveAttribute('aria-expanded', 'true');

  // Collapse with the mouse, expand with the keyboard.
  await projects.locator('.twisty').first().click();
  await expect(child).toHaveCount(0);
  await expect(projects).toHaveAttribute('aria-expanded', 'false');
  await tree.getByRole('treeitem', { name: 'Inbox' }).focus();
  await page.keyboard.press('End');
  await expect(projects).toBeFocused();
  await expect(projects).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { level: 1, name: 'Projects' })).toBeVisible();
  await page.keyboard.press('ArrowRight');
  await expect(child).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(child).toBeFocused();
  await expect(page.getByRole('heading', { level: 1, name: 'Meridian' })).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await expect(projects).toBeFocused();

  // A second account through the sidebar's dialog.
  await page.getByRole('navigation').getByRole('button', { name: 'Add account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add an account' });
  await expect(dialog).toBeVisible();
  await screenshot(page, 'add-account-dialog.png');
  await submitAddAccount(page, alice, 'secret');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('tree', { name: `Folders of ${alice}` })).toBeVisible();
  await screenshot(page, 'two-accounts.png');

  // Removing asks first; cancelling keeps the account.
  await page.getByRole('button', { name: `Remove account ${user}` }).click();
  const confirm = page.getByRole('dialog', { name: `Remove ${user}?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(tree).toBeVisible();
  await page.getByRole('button', { name: `Remove account ${user}` }).click();
  await confirm.getByRole('button', { name: 'Remove account' }).click();
  await expect(tree).toHaveCount(0);
  await expect(page.getByRole('tree', { name: `Folders of ${alice}` })).toBeVisible();
  // The selection moved to an account that still exists.
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
});

test('losing the host shows a reconnecting banner', async ({ page, host, consoleWatch }) => {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Add your mail account' })).toBeVisible();
  consoleWatch.allow(/WebSocket connection to .* failed/);
  await host.stop();
  await expect(page.getByText('Disconnected from the app host — reconnecting…')).toBeVisible();
});
