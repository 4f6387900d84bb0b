// Reading against a real Cyrus: whole conversations, attachments opened and saved, inline
// (cid:) images, headers and raw source, resizable panes, the theme, and new-mail
// notifications in the browser.
import { readFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { freshUser } from '../support/cyrus';
import { generateMessage, seedMessages } from '../support/seed';
import { expect, screenshot, test } from './support/fixtures';
import { addAccount, idsNewestFirst, importRaw, mailboxId, row, serverEmail } from './support/mail';

// Trace DOM snapshots inject a script into every frame, which the sandboxed message frames
// refuse with a console error; traces keep screenshots, the action log, console and network.
test.use({ trace: { mode: 'retain-on-failure', snapshots: false, screenshots: true } });

/** A small PNG that shows: a blue square with a lighter diagonal band. */
function logoPng(size = 48): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Array.from({ length: size }, (_, y) =>
    Buffer.from([0, ...Array.from({ length: size }, (_, x) => (Math.abs(x - y) < size / 6 ? [120, 170, 255] : [47, 111, 222])).flat()]),
  );
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}
const logoBase64 = logoPng().toString('base64');
const zipBytes = 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==';

async function seededAccount(page: Page, url: string, count: number): Promise<{ user: string; ids: string[] }> {
  const user = freshUser('read');
  await seedMessages(user, { count });
  const ids = await idsNewestFirst(user);
  await page.goto(url);
  await addAccount(page, user);
  await expect(page.getByTestId('list-meta')).toContainText(`${count} messages`, { timeout: 30_000 });
  return { user, ids };
}

/** One message of the open conversation. */
function inConversation(page: Page, id: string) {
  return page.locator(`[data-testid="conversation-message"][data-email-id="${id}"]`);
}

/** A message with an inline logo (multipart/related), a text file and a zip, and hostile-looking headers. */
function filesMessage(user: string): string {
  return [
    'From: Iris Example <iris@example.com>',
    `To: ${user}`,
    'Subject: Logo and files',
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <files-${Date.now()}@example.com>`,
    'X-Untrusted: <img src=x onerror="document.title=\'pwned\'"> & <b>bold</b>',
    'X-Encoded: =?utf-8?B?w4ljb2xlIGZyYW7Dp2Fpc2U=?=',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mix"',
    '',
    '--mix',
    'Content-Type: multipart/related; boundary="rel"',
    '',
    '--rel',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Our logo:</p><p><img src="cid:logo@example.com" alt="company logo" width="48" height="48"></p><p>Inline image marker</p>',
    '--rel',
    'Content-Type: image/png',
    'Content-ID: <logo@example.com>',
    'Content-Disposition: inline; filename="logo.png"',
    'Content-Transfer-Encoding: base64',
    '',
    ...(logoBase64.match(/.{1,76}/g) ?? []),
    '--rel--',
    '--mix',
    'Content-Type: text/plain; charset=utf-8; name="notes.txt"',
    'Content-Disposition: attachment; filename="notes.txt"',
    '',
    'Plain notes for opening',
    '--mix',
    'Content-Type: application/zip; name="bundle.zip"',
    'Content-Disposition: attachment; filename="bundle.zip"',
    'Content-Transfer-Encoding: base64',
    '',
    zipBytes,
    '--mix--',
    '',
  ].join('\r\n');
}

test('a conversation opens whole: newest and unread expanded, the rest folded, all marked read; e archives all of it', async ({ page, host }) => {
  const { user, ids } = await seededAccount(page, host.url, 12);
  await page.getByRole('switch', { name: 'Conversations' }).check();
  await expect(page.getByTestId('list-meta')).toContainText('3 conversations');
  // Thread 0 is seeded messages 0 (newest, read), 1 (unread, HTML), 2 (unread), 3 (read, with a PDF).
  expect([0, 1, 2, 3].map((i) => !generateMessage(i, user).keywords.$seen)).toEqual([false, true, true, false]);
  await row(page, ids[0]!).click();
  const messages = page.getByTestId('conversation-message');
  await expect(messages).toHaveCount(4);
  // Oldest first.
  await expect(messages.nth(0)).toHaveAttribute('data-email-id', ids[3]!);
  await expect(messages.nth(3)).toHaveAttribute('data-email-id', ids[0]!);
  await expect(inConversation(page, ids[3]!)).toHaveAttribute('data-expanded', 'false');
  for (const i of [0, 1, 2]) await expect(inConversation(page, ids[i]!)).toHaveAttribute('data-expanded', 'true');
  await expect(inConversation(page, ids[2]!).getByTestId('message-body-text')).toContainText('seed message 2 token-2');
  await expect(inConversation(page, ids[1]!).locator('[data-testid="message-body-frame"]').contentFrame().getByText('seed message 1 token-1')).toBeVisible();
  // The HTML frame is as tall as its mail (measured), not a fixed box with a scrollbar.
  await expect.poll(async () => (await inConversation(page, ids[1]!).locator('[data-testid="message-body-frame"]').boundingBox())?.height ?? 0).toBeGreaterThan(150);
  // The folded one is a one-line summary: its preview, no body.
  await expect(inConversation(page, ids[3]!).getByTestId('message-body-text')).toHaveCount(0);
  // Opening the conversation read it all, on the server too.
  for (const i of [1, 2]) await expect.poll(async () => (await serverEmail(user, ids[i]!))?.keywords.$seen ?? false).toBe(true);
  await screenshot(page, 'conversation.png');

  // Unfold and fold one; then everything at once.
  await inConversation(page, ids[3]!).getByTestId('conversation-toggle').click();
  await expect(inConversation(page, ids[3]!)).toHaveAttribute('data-expanded', 'true');
  await expect(inConversation(page, ids[3]!).getByRole('list', { name: 'Attachments' })).toContainText('report-3.pdf');
  await inConversation(page, ids[2]!).getByTestId('conversation-toggle').click();
  await expect(inConversation(page, ids[2]!)).toHaveAttribute('data-expanded', 'false');
  await expect(inConversation(page, ids[2]!).getByTestId('message-body-text')).toHaveCount(0);
  await page.getByRole('button', { name: 'Expand all' }).click();
  for (const i of [0, 1, 2, 3]) await expect(inConversation(page, ids[i]!)).toHaveAttribute('data-expanded', 'true');
  await page.getByRole('button', { name: 'Collapse all' }).click();
  for (const i of [0, 1, 2, 3]) await expect(inConversation(page, ids[i]!)).toHaveAttribute('data-expanded', 'false');

  // An action on the conversation row applies to every email of it in the Inbox.
  const archive = await mailboxId(user, 'archive');
  await page.getByTestId('message-list').focus();
  await page.keyboard.press('e');
  await expect(page.getByTestId('toast').filter({ hasText: 'Archived 1 conversation' })).toBeVisible();
  for (const i of [0, 1, 2, 3]) await expect.poll(async () => (await serverEmail(user, ids[i]!))?.mailboxIds ?? {}).toEqual({ [archive]: true });
  await expect(page.getByTestId('list-meta')).toContainText('2 conversations');
});

test('in the message list, a threaded message opens in its conversation with only it unfolded', async ({ page, host }) => {
  const { ids } = await seededAccount(page, host.url, 8);
  await row(page, ids[2]!).click();
  await expect(page.getByTestId('message-subject')).toHaveText('Re: Quarterly report (0)');
  await expect(page.getByTestId('conversation-message')).toHaveCount(4);
  await expect(inConversation(page, ids[2]!)).toHaveAttribute('data-expanded', 'true');
  await expect(inConversation(page, ids[2]!)).toHaveAttribute('data-opened', 'true');
  for (const i of [0, 1, 3]) await expect(inConversation(page, ids[i]!)).toHaveAttribute('data-expanded', 'false');
  // Only the opened message was marked read: 1 stays unread.
  await expect(row(page, ids[2]!)).not.toHaveClass(/unread/);
  await expect(row(page, ids[1]!)).toHaveClass(/unread/);
});

test('attachments open in a new window (safe types) and save with their bytes; cid images show inline', async ({ page, host, context }) => {
  const user = freshUser('files');
  const id = await importRaw(user, 'inbox', filesMessage(user));
  await page.goto(host.url);
  await addAccount(page, user);
  await row(page, id).click();
  const view = page.getByTestId('message-view');
  await expect(view.getByTestId('message-subject')).toHaveText('Logo and files');

  // The inline logo: fetched through the core and shown as a data: image; nothing counted as remote.
  const frame = page.locator('[data-testid="message-body-frame"]').contentFrame();
  await expect(frame.getByText('Inline image marker')).toBeVisible();
  const logo = frame.getByRole('img', { name: 'company logo' });
  await expect(logo).toHaveAttribute('src', /^data:image\/png;base64,/);
  await expect(logo).toHaveJSProperty('naturalWidth', 48);
  await expect(page.getByTestId('remote-blocked')).toHaveCount(0);
  // Shown inline, so not listed again; the real attachments are.
  const list = view.getByRole('list', { name: 'Attachments' });
  await expect(list.getByRole('listitem')).toHaveCount(2);
  await expect(list).not.toContainText('logo.png');

  // Save: a download with exactly the attachment's bytes.
  const [zip] = await Promise.all([page.waitForEvent('download'), list.getByRole('button', { name: 'Save bundle.zip' }).click()]);
  expect(zip.suggestedFilename()).toBe('bundle.zip');
  expect(await readFile(await zip.path())).toEqual(Buffer.from(zipBytes, 'base64'));
  // A zip can only be saved, never opened here.
  await expect(list.getByRole('button', { name: 'Open bundle.zip' })).toHaveCount(0);

  // Open: plain text in a new window, from a blob: URL of our own origin.
  const [viewer] = await Promise.all([context.waitForEvent('page'), list.getByRole('button', { name: 'Open notes.txt' }).click()]);
  await viewer.waitForLoadState();
  expect(viewer.url()).toMatch(new RegExp(`^blob:${host.origin}/`));
  await expect(viewer.locator('body')).toContainText('Plain notes for opening');
  await viewer.close();
  const [notes] = await Promise.all([page.waitForEvent('download'), list.getByRole('button', { name: 'Save notes.txt' }).click()]);
  expect((await readFile(await notes.path())).toString()).toContain('Plain notes for opening');
  await screenshot(page, 'attachments.png');
});

test('View source shows the headers as text and the raw message, and downloads it', async ({ page, host }) => {
  const user = freshUser('source');
  const id = await importRaw(user, 'inbox', filesMessage(user));
  await page.goto(host.url);
  await addAccount(page, user);
  await row(page, id).click();
  await page.getByTestId('message-view').getByRole('button', { name: 'View source' }).click();
  const dialog = page.getByTestId('source-dialog');
  await expect(dialog).toBeVisible();
  const headers = dialog.getByTestId('source-headers');
  await expect(headers.locator('.field').filter({ hasText: /^Subject/ })).toContainText('Logo and files');
  // Encoded words are decoded; markup in a header is text, never HTML.
  await expect(headers.locator('.field').filter({ hasText: /^X-Encoded/ })).toContainText('École française');
  await expect(headers.locator('.field').filter({ hasText: /^X-Untrusted/ })).toContainText('<img src=x onerror="document.title=\'pwned\'"> & <b>bold</b>');
  await expect(dialog.locator('img, b')).toHaveCount(0);
  await screenshot(page, 'source.png');

  await dialog.getByRole('tab', { name: 'Raw source' }).click();
  const raw = dialog.getByTestId('source-raw');
  await expect(raw).toContainText('Content-Type: multipart/related; boundary="rel"');
  await expect(raw).toContainText('Plain notes for opening');
  const [file] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Download' }).click()]);
  expect(file.suggestedFilename()).toBe('Logo and files.eml');
  const bytes = (await readFile(await file.path())).toString();
  expect(bytes).toMatch(/^From: Iris Example <iris@example.com>\r\n/);
  expect(bytes).toContain('X-Untrusted: <img src=x');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page).toHaveTitle('Meridian Mail');
});

test('panes resize by drag and keyboard and keep their size; the theme switches and stays', async ({ page, host }) => {
  await seededAccount(page, host.url, 4);
  const list = page.getByTestId('splitter-list');
  const before = Number(await list.getAttribute('aria-valuenow'));
  const box = (await list.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 200);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + 200, { steps: 5 });
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + 200, { steps: 5 });
  await page.mouse.up();
  await expect(list).toHaveAttribute('aria-valuenow', String(before + 120));
  const pane = page.locator('section[aria-labelledby="message-list-title"]');
  expect(Math.round((await pane.boundingBox())!.width)).toBe(before + 120);
  // The keyboard: the folder list by one step.
  const sidebar = page.getByTestId('splitter-sidebar');
  const sidebarBefore = Number(await sidebar.getAttribute('aria-valuenow'));
  await sidebar.focus();
  await page.keyboard.press('ArrowRight');
  await expect(sidebar).toHaveAttribute('aria-valuenow', String(sidebarBefore + 16));

  await page.reload();
  await expect(page.getByTestId('splitter-list')).toHaveAttribute('aria-valuenow', String(before + 120));
  await expect(page.getByTestId('splitter-sidebar')).toHaveAttribute('aria-valuenow', String(sidebarBefore + 16));

  // Theme: Dark overrides a light system, and is remembered.
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: 'Dark' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(27, 29, 33)');
  await page.keyboard.press('Escape');
  await page.getByTestId('message-row').first().click();
  await expect(page.getByTestId('conversation-message').first()).toBeVisible();
  await screenshot(page, 'dark-theme.png');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  // Light wins over a dark system; System follows it again.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('radio', { name: 'Light' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(255, 255, 255)');
  await page.getByRole('radio', { name: 'System' }).check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('new mail from another client raises one browser notification, and clicking it opens the message', async ({ page, host, context }) => {
  await context.grantPermissions(['notifications'], { origin: host.origin });
  // Record every Notification the page constructs (headless Chromium shows none). A string:
  // it runs in the page, which this file's (DOM-less) types know nothing of.
  await context.addInitScript({
    content: `(() => { try {
      const Original = window.Notification;
      const made = [];
      class Recorded extends Original {
        constructor(title, options) {
          super(title, options);
          made.push({ title, body: (options && options.body) || '', instance: this });
        }
      }
      Object.defineProperty(Recorded, 'permission', { get: () => Original.permission });
      Object.defineProperty(Recorded, 'requestPermission', { value: () => Original.requestPermission() });
      Object.defineProperty(window, 'Notification', { value: Recorded, configurable: true, writable: true });
      Object.defineProperty(window, 'madeNotifications', { value: made });
      // The browser allows them, but this reader has not switched them on yet.
      if (!sessionStorage.getItem('primed')) {
        sessionStorage.setItem('primed', '1');
        localStorage.setItem('meridian.notifications', 'off');
      }
    } catch { /* a sandboxed message frame: no storage, no notifications */ } })();`,
  });
  const sent: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (frame) => typeof frame.payload === 'string' && sent.push(frame.payload)));
  const { user } = await seededAccount(page, host.url, 4);

  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByTestId('notification-status')).toHaveText('Off.');
  await page.getByRole('button', { name: 'Enable notifications' }).click();
  await expect(page.getByTestId('notification-status')).toContainText('On');
  await page.keyboard.press('Escape');

  const count = () => page.evaluate<number>('window.madeNotifications.length');
  expect(await count()).toBe(0);
  const subject = 'Fresh from another client';
  const raw = (s: string, from: string) =>
    [`From: ${from}`, `To: ${user}`, `Subject: ${s}`, `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`, `Message-ID: <n-${Date.now()}-${Math.random()}@example.com>`,
      'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'Hello there', ''].join('\r\n');
  const id = await importRaw(user, 'inbox', raw(subject, 'Nora Newmail <nora@example.com>'));
  // The host polls every second.
  await expect.poll(count, { timeout: 15_000 }).toBe(1);
  const first = await page.evaluate<{ title: string; body: string }>('({ title: window.madeNotifications[0].title, body: window.madeNotifications[0].body })');
  expect(first).toEqual({ title: 'Nora Newmail', body: subject });
  await page.waitForTimeout(2500);
  expect(await count()).toBe(1); // once, not on every poll

  // Clicking it opens the message.
  await page.evaluate(`window.madeNotifications[0].instance.dispatchEvent(new Event('click'))`);
  await expect(page.getByTestId('message-view')).toHaveAttribute('data-email-id', id);
  await expect(page.getByTestId('message-subject')).toHaveText(subject);

  // The network coming back asks for a sync at once.
  sent.length = 0;
  await page.evaluate(`window.dispatchEvent(new Event('online'))`);
  await expect.poll(() => sent.some((f) => f.includes('"sync.now"'))).toBe(true);
});
