// Writing and sending mail from the UI against a real Cyrus: a recipient picked from the
// suggestions, a bold word, an attachment, and the result checked on the recipient's server
// account; then a reply taken back with Undo, which must never reach anyone.
import type { Page } from '@playwright/test';
import { freshUser } from '../support/cyrus';
import { jmap } from '../support/jmap-raw';
import { expect, screenshot, test } from './support/fixtures';
import { addAccount, importRaw } from './support/mail';

interface Received {
  subject: string;
  inReplyTo: string[] | null;
  htmlBody: { partId: string }[];
  textBody: { partId: string }[];
  attachments: { name: string; type: string; blobId: string; size: number }[];
  bodyValues: Record<string, { value: string }>;
}

async function mailOf(user: string): Promise<Received[]> {
  const res = await jmap(user, [
    ['Email/query', { accountId: user }, 'q'],
    [
      'Email/get',
      { accountId: user, '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' }, properties: ['subject', 'inReplyTo', 'htmlBody', 'textBody', 'attachments', 'bodyValues'], fetchAllBodyValues: true },
      'g',
    ],
  ]);
  return (res[1]![1] as { list: Received[] }).list;
}

/** A fresh user with one message from a correspondent in the inbox, added through the UI. */
async function setUp(page: Page, url: string): Promise<{ user: string; pal: string }> {
  const user = freshUser('writer');
  const pal = freshUser('pal');
  await importRaw(
    user,
    'inbox',
    [
      `From: Pal Person <${pal}>`,
      `To: ${user}`,
      'Subject: Lunch on Friday?',
      `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <lunch-${Date.now()}@e2e.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Shall we try the new place around the corner?',
      '',
    ].join('\r\n'),
  );
  await page.goto(url);
  await addAccount(page, user);
  await expect(page.getByTestId('list-meta')).toContainText('1 message');
  return { user, pal };
}

test('writes a message with a suggested recipient, bold text and an attachment, and sends it', async ({ page, host }) => {
  const { pal } = await setUp(page, host.url);
  await page.getByRole('button', { name: 'Compose' }).click();
  const compose = page.getByTestId('compose');
  await expect(compose).toBeVisible();
  await expect(compose.getByRole('combobox', { name: 'To' })).toBeFocused();

  // The correspondent comes up as a suggestion after a few letters, and Enter picks it.
  await page.keyboard.type('pal p');
  const option = compose.getByRole('option', { name: /Pal Person/ });
  await expect(option).toBeVisible();
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(compose.locator('.token')).toHaveText(['Pal Person']);

  const subject = `Quarterly notes ${Date.now().toString(36)}`;
  await compose.getByLabel('Subject').fill(subject);
  const body = compose.getByRole('textbox', { name: 'Message body' });
  await body.click();
  await page.keyboard.type('This is ');
  await compose.getByRole('button', { name: 'Bold' }).click();
  await expect(compose.getByRole('button', { name: 'Bold' })).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.type('important');
  await page.keyboard.press('Control+b');
  await page.keyboard.type(' news.');
  await expect(body.locator('b')).toHaveText('important');

  const notes = Buffer.from('Line one\nLine two\n'.repeat(2000));
  await compose.getByTestId('attach-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: notes });
  const chip = compose.getByRole('list', { name: 'Attachments' }).getByRole('listitem');
  await expect(chip).toContainText('notes.txt');
  await expect(chip).not.toContainText('Uploading');
  await expect(compose).toContainText('Draft saved', { timeout: 10_000 });
  await screenshot(page, 'compose.png');
  await page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(page, 'compose-dark.png');
  await page.emulateMedia({ colorScheme: 'light' });

  // A short undo window, so the test need not wait ten seconds.
  await compose.getByLabel('Undo send window').selectOption('5');
  await page.keyboard.press('Control+Enter');
  await expect(compose).toBeHidden();
  const status = page.getByTestId('send-status-item');
  await expect(status).toContainText(`Sending “${subject}”`);
  await expect(status.getByRole('button', { name: 'Undo' })).toBeVisible();
  await expect(page.getByTestId('toast').filter({ hasText: 'Message sent' })).toBeVisible({ timeout: 15_000 });
  await expect(status).toHaveCount(0);

  await expect.poll(async () => (await mailOf(pal)).filter((m) => m.subject === subject).length, { timeout: 10_000 }).toBe(1);
  const [mail] = (await mailOf(pal)).filter((m) => m.subject === subject);
  expect(mail!.bodyValues[mail!.htmlBody[0]!.partId]!.value).toMatch(/This is <b>important<\/b>(&nbsp;| )news\./);
  expect(mail!.bodyValues[mail!.textBody[0]!.partId]!.value).toContain('This is important news.');
  expect(mail!.attachments.map((a) => [a.name, a.size])).toEqual([['notes.txt', notes.length]]);

  // It is in Sent, and the draft is gone.
  await page.getByRole('treeitem', { name: /^Sent/ }).click();
  await expect(page.getByTestId('message-row').filter({ hasText: subject })).toBeVisible({ timeout: 15_000 });
  await page.getByRole('treeitem', { name: /^Drafts/ }).click();
  await expect(page.getByTestId('list-meta')).toContainText('0 messages');
});

test('r replies to the open message, and Undo takes the reply back before anyone gets it', async ({ page, host }) => {
  const { pal } = await setUp(page, host.url);
  await page.getByTestId('message-row').first().click();
  await expect(page.getByTestId('message-view')).toContainText('Shall we try the new place');
  await page.keyboard.press('r');
  const compose = page.getByTestId('compose');
  await expect(compose).toBeVisible();
  await expect(compose.locator('.token')).toHaveText(['Pal Person']);
  await expect(compose.getByLabel('Subject')).toHaveValue('Re: Lunch on Friday?');
  const body = compose.getByRole('textbox', { name: 'Message body' });
  await expect(body.locator('blockquote')).toContainText('Shall we try the new place around the corner?');
  await expect(body).toContainText('Pal Person');
  await expect(body).toBeFocused();
  await page.keyboard.type('Friday works. Noon?');
  await screenshot(page, 'compose-reply.png');

  await page.keyboard.press('Control+Enter');
  const status = page.getByTestId('send-status-item');
  await expect(status).toContainText('Sending “Re: Lunch on Friday?”');
  await page.waitForTimeout(300); // the toast's entrance animation
  await screenshot(page, 'compose-undo.png');
  await status.getByRole('button', { name: 'Undo' }).click();

  // Back in the composer, as it was.
  await expect(compose).toBeVisible();
  await expect(compose.getByLabel('Subject')).toHaveValue('Re: Lunch on Friday?');
  await expect(body).toContainText('Friday works. Noon?');
  await expect(status).toHaveCount(0);

  // Well past the window: nothing was delivered, nothing is waiting.
  await page.waitForTimeout(11_000);
  expect(await mailOf(pal)).toEqual([]);
  await expect(status).toHaveCount(0);

  // Closing keeps it as a draft.
  await page.keyboard.press('Escape');
  await expect(compose).toBeHidden();
  await expect(page.getByTestId('toast').filter({ hasText: 'Draft saved' })).toBeVisible();
  await page.getByRole('treeitem', { name: /^Drafts/ }).click();
  await expect(page.getByTestId('message-row').filter({ hasText: 'Re: Lunch on Friday?' })).toBeVisible({ timeout: 15_000 });
});
