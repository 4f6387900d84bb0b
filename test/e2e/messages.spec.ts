// The mail UI against a real Cyrus: a virtualized list of 300 seeded messages, reading and
// the keyboard actions (checked against the server), search, and hostile HTML that must
// neither run nor phone home.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { freshUser } from '../support/cyrus';
import * as admin from '../support/jmap-admin';
import { generateMessage, seedMessages } from '../support/seed';
import { expect, screenshot, test } from './support/fixtures';
import { addAccount, idsNewestFirst, importRaw, mailboxId, row, serverEmail } from './support/mail';

const seeded = 300;

// Trace DOM snapshots inject a script into every frame, which the sandboxed message frame
// refuses with a console error ("Blocked script execution in 'about:srcdoc'") that would
// mask a real one; traces keep screenshots, the action log, console and network.
test.use({ trace: { mode: 'retain-on-failure', snapshots: false, screenshots: true } });

/** A fresh user with the seeded mailbox, added through the UI and fully listed. */
async function seededAccount(page: Page, url: string, count = seeded): Promise<{ user: string; ids: string[] }> {
  const user = freshUser('mail');
  await seedMessages(user, { count });
  const ids = await idsNewestFirst(user);
  expect(ids).toHaveLength(count);
  await page.goto(url);
  await addAccount(page, user);
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  await expect(page.getByTestId('list-meta')).toContainText(`${count} messages`, { timeout: 30_000 });
  return { user, ids };
}

function unreadBadge(page: Page) {
  return page.locator('[data-testid="mailbox"][data-role="inbox"] [data-testid="unread-count"]');
}

function subjectOf(i: number): string {
  return /^Subject: (.*)$/m.exec(generateMessage(i, 'x').raw)?.[1] ?? '';
}

test('the list shows the newest first, keeps only a window of rows in the DOM, and pages in older mail', async ({ page, host }) => {
  const { ids } = await seededAccount(page, host.url);
  const rows = page.getByTestId('message-row');
  await expect(rows.first()).toHaveAttribute('data-email-id', ids[0]!);
  await expect(rows.first()).toContainText(subjectOf(0));
  const rendered = await rows.count();
  console.log(`[e2e] rows in the DOM for ${seeded} messages: ${rendered}`);
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(60);
  // Attachment and flag indicators from the seed (message 3 has a PDF, message 8 is flagged).
  await expect(row(page, ids[3]!).locator('.clip')).toBeVisible();
  await expect(row(page, ids[8]!).locator('.flag.on')).toBeVisible();
  await screenshot(page, 'message-list.png');

  // To the bottom: the oldest message arrives, and the DOM still holds only a window.
  const list = page.getByTestId('message-list');
  await list.evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(row(page, ids[seeded - 1]!)).toBeVisible();
  await expect(row(page, ids[seeded - 1]!)).toContainText(subjectOf(seeded - 1));
  await expect(row(page, ids[0]!)).toHaveCount(0);
  expect(await rows.count()).toBeLessThan(60);

  // Conversations: one row per thread (four seeded messages per thread), remembered on reload.
  await list.evaluate((el) => el.scrollTo(0, 0));
  await page.getByRole('switch', { name: 'Conversations' }).check();
  await expect(page.getByTestId('list-meta')).toContainText(`${seeded / 4} conversations`);
  await expect(rows.first().locator('.thread')).toHaveText('4');
  await rows.first().click();
  // The reading pane shows the whole conversation (reading.spec.ts covers it in depth).
  await expect(page.getByTestId('message-view')).toContainText('4 messages in this conversation');
  await expect(page.getByTestId('conversation-message')).toHaveCount(4);
  await screenshot(page, 'conversations.png');
  await page.reload();
  await expect(page.getByRole('switch', { name: 'Conversations' })).toBeChecked();
  await page.getByRole('switch', { name: 'Conversations' }).uncheck();
  await expect(page.getByTestId('list-meta')).toContainText(`${seeded} messages`);
});

test('opening marks read, s flags, e archives and Undo brings it back — all on the server', async ({ page, host }) => {
  const { user, ids } = await seededAccount(page, host.url);
  const archiveId = await mailboxId(user, 'archive');
  const inboxId = await mailboxId(user, 'inbox');
  // Seeded message 2 is unread plain text.
  const id = ids[2]!;
  expect(generateMessage(2, user).keywords.$seen).toBeUndefined();
  const before = Number(await unreadBadge(page).textContent());
  expect(before).toBeGreaterThan(0);

  await row(page, id).click();
  const message = page.getByTestId('message-view');
  await expect(message.getByTestId('message-subject')).toHaveText(subjectOf(2));
  await expect(message.getByTestId('message-body-text')).toContainText('seed message 2 token-2');
  await expect(unreadBadge(page)).toHaveText(String(before - 1));
  await expect(row(page, id)).not.toHaveClass(/unread/);
  await expect.poll(async () => (await serverEmail(user, id))?.keywords.$seen ?? false).toBe(true);

  // s flags it, on the server too.
  await page.keyboard.press('s');
  await expect(row(page, id).locator('.flag.on')).toBeVisible();
  await expect.poll(async () => (await serverEmail(user, id))?.keywords.$flagged ?? false).toBe(true);

  // Shift+U marks it unread again, and it stays unread while open.
  await page.keyboard.press('Shift+U');
  await expect(unreadBadge(page)).toHaveText(String(before));
  await expect.poll(async () => (await serverEmail(user, id))?.keywords.$seen ?? false).toBe(false);
  await page.keyboard.press('Shift+I');
  await expect(unreadBadge(page)).toHaveText(String(before - 1));

  // e archives: gone from the Inbox, in Archive on the server; the next message opens.
  await page.keyboard.press('e');
  await expect(row(page, id)).toHaveCount(0);
  await expect(page.getByTestId('list-meta')).toContainText(`${seeded - 1} messages`);
  await expect(message.getByTestId('message-subject')).toHaveText(subjectOf(3));
  await expect.poll(async () => (await serverEmail(user, id))?.mailboxIds ?? {}).toEqual({ [archiveId]: true });
  const toast = page.getByTestId('toast').filter({ hasText: 'Archived 1 message' });
  await expect(toast).toBeVisible();
  await screenshot(page, 'undo-toast.png');
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect(row(page, id)).toBeVisible();
  await expect(page.getByTestId('list-meta')).toContainText(`${seeded} messages`);
  await expect.poll(async () => (await serverEmail(user, id))?.mailboxIds ?? {}).toEqual({ [inboxId]: true });

  // Message 3 carries a PDF: the header lists it with type and size.
  await row(page, ids[3]!).click();
  await expect(message.getByRole('list', { name: 'Attachments' })).toContainText('report-3.pdf');
  await expect(message.getByRole('list', { name: 'Attachments' })).toContainText('application/pdf');
  await expect(message.getByRole('list', { name: 'Attachments' })).toContainText('KB');
  await screenshot(page, 'reading-pane.png');
  await page.emulateMedia({ colorScheme: 'dark' });
  // An HTML message in the dark theme (seeded message 1).
  await row(page, ids[1]!).click();
  await expect(page.frameLocator('[data-testid="message-body-frame"]').getByText('seed message 1 token-1')).toBeVisible();
  await screenshot(page, 'reading-pane-dark.png');
  await page.emulateMedia({ colorScheme: 'light' });

  // j/k walk the list and open as they go.
  await page.keyboard.press('j');
  await expect(message.getByTestId('message-subject')).toHaveText(subjectOf(2));
  await page.keyboard.press('k');
  await page.keyboard.press('k');
  await expect(message.getByTestId('message-subject')).toHaveText(subjectOf(0));
});

test('search finds a body word locally at once, and Escape restores the folder', async ({ page, host }) => {
  const { ids } = await seededAccount(page, host.url);
  const search = page.getByRole('searchbox', { name: 'Search mail' });
  await page.keyboard.press('/');
  await expect(search).toBeFocused();
  // Bodies are fetched in the background after the list: retype until they are indexed.
  await expect(async () => {
    await search.fill('');
    await search.fill('token-17');
    await expect(row(page, ids[17]!)).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await expect(row(page, ids[17]!).getByTestId('result-source')).toHaveText('Local');
  await expect(page.getByRole('heading', { level: 1, name: 'Search' })).toBeVisible();
  await expect(page.getByTestId('server-divider')).toBeVisible();
  await expect(page.getByTestId('server-divider')).not.toContainText('Searching');
  await row(page, ids[17]!).click();
  await expect(page.getByTestId('message-body-text')).toContainText('token-17');
  await screenshot(page, 'search.png');

  await search.focus();
  await page.keyboard.press('Escape');
  await expect(search).toHaveValue('');
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  await expect(page.getByTestId('message-row').first()).toHaveAttribute('data-email-id', ids[0]!);
});

/** A loopback HTTP server that records every request: the tracking pixel's destination. */
async function startBeacon(): Promise<{ server: Server; origin: string; hits: string[] }> {
  const hits: string[] = [];
  const pixel = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    const css = req.url?.endsWith('.css');
    res.writeHead(200, { 'Content-Type': css ? 'text/css' : 'image/png', 'Cache-Control': 'no-store' });
    res.end(css ? '' : pixel);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, origin: `http://127.0.0.1:${port}`, hits };
}

function hostileMessage(user: string, beacon: string, subject: string): string {
  const html = `<!doctype html><html><head><title>Hostile</title>
<link rel="stylesheet" href="${beacon}/style.css">
<meta http-equiv="refresh" content="0;url=${beacon}/refresh">
<base href="${beacon}/">
</head><body>
<h1>Quarterly numbers</h1>
<p>Visible hostile text marker</p>
<img src="${beacon}/pixel.png" alt="tracking pixel" width="1" height="1">
<script>document.title = 'pwned-script'; parent.document.title = 'pwned-parent';</script>
<img src="nothing.png" onerror="document.title='pwned-onerror'">
<form action="${beacon}/form" method="post"><input name="q" value="secret"><button>Send</button></form>
<p><a href="javascript:document.title='pwned-link'">click me</a> · <a href="https://example.org/safe">safe link</a></p>
<div style="background-image: url('${beacon}/bg.png'); padding: 8px">styled block</div>
</body></html>`;
  return [
    'From: Mallory <mallory@evil.example>',
    `To: ${user}`,
    `Subject: ${subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <hostile-${Date.now()}@evil.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    html,
    '',
  ]
    .join('\n')
    .replace(/\n/g, '\r\n');
}

async function openHostile(page: Page, url: string, beaconOrigin: string): Promise<{ user: string; id: string; other: string }> {
  const user = freshUser('hostile');
  await seedMessages(user, { count: 3 });
  const other = await importRaw(user, 'inbox', hostileMessage(user, beaconOrigin, 'Hostile HTML, the sequel'));
  const subject = 'Hostile HTML';
  const id = await importRaw(user, 'inbox', hostileMessage(user, beaconOrigin, subject));
  await page.goto(url);
  await addAccount(page, user);
  await expect(page.getByTestId('list-meta')).toContainText('5 messages', { timeout: 30_000 });
  await row(page, id).click();
  await expect(page.getByTestId('message-subject')).toHaveText(subject);
  return { user, id, other };
}

test('hostile HTML renders its text, runs nothing and loads nothing remote', async ({ page, host, network }) => {
  const beacon = await startBeacon();
  // Let the page reach the beacon, so only the app itself stands between a pixel and the server.
  network.allow(beacon.origin);
  try {
    await openHostile(page, host.url, beacon.origin);
    const frame = page.frameLocator('[data-testid="message-body-frame"]');
    await expect(frame.getByText('Visible hostile text marker')).toBeVisible();
    await expect(frame.getByText('styled block')).toBeVisible();
    await expect(page.getByTestId('remote-blocked')).toHaveText(/Remote content blocked \(3\)/);
    await expect(page.getByTestId('message-body-frame')).toHaveAttribute('sandbox', 'allow-popups allow-popups-to-escape-sandbox');

    // What the frame was given: no script, handler, form, base, meta refresh or remote URL.
    const srcdoc = (await page.getByTestId('message-body-frame').getAttribute('srcdoc')) ?? '';
    expect(srcdoc).not.toContain(beacon.origin);
    expect(srcdoc).not.toMatch(/<script|onerror|<form|<input|<base|javascript:|http-equiv="refresh"/i);
    expect(srcdoc).toMatch(/^<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
    await expect(frame.getByRole('link', { name: 'click me' })).toHaveCount(0);
    await expect(frame.getByText('click me')).toBeVisible();
    const safe = frame.getByRole('link', { name: 'safe link' });
    await expect(safe).toHaveAttribute('href', 'https://example.org/safe');
    await expect(safe).toHaveAttribute('target', '_blank');
    await expect(safe).toHaveAttribute('rel', 'noopener noreferrer');

    await page.waitForTimeout(1000);
    expect(beacon.hits).toEqual([]);
    expect(network.allowed).toEqual([]);
    await expect(page).toHaveTitle('Meridian Mail');
    await screenshot(page, 'remote-blocked.png');
  } finally {
    beacon.server.close();
  }
});

test('"Load remote content" loads the pixel for that message only, still without scripts', async ({ page, host, network }) => {
  const beacon = await startBeacon();
  network.allow(beacon.origin);
  try {
    const { other } = await openHostile(page, host.url, beacon.origin);
    await page.getByRole('button', { name: 'Load remote content' }).click();
    await expect(page.getByTestId('remote-blocked')).toHaveCount(0);
    await expect.poll(() => [...beacon.hits].sort()).toEqual(['/bg.png', '/pixel.png', '/style.css']);
    await expect(page.frameLocator('[data-testid="message-body-frame"]').getByText('Visible hostile text marker')).toBeVisible();
    await expect(page).toHaveTitle('Meridian Mail');

    // Another message from the same sender is still blocked: the choice was for that one only.
    beacon.hits.length = 0;
    await row(page, other).click();
    await expect(page.getByTestId('remote-blocked')).toHaveText(/Remote content blocked \(3\)/);
    await page.waitForTimeout(1000);
    expect(beacon.hits).toEqual([]);
  } finally {
    beacon.server.close();
  }
});

test('"Always from" a sender loads remote content in all their mail, across a reload, until removed in Settings', async ({ page, host, network }) => {
  const beacon = await startBeacon();
  network.allow(beacon.origin);
  try {
    const { other } = await openHostile(page, host.url, beacon.origin);
    const trust = page.getByTestId('remote-trust-sender');
    await expect(trust).toHaveText(/^Always from .+@/);
    await trust.click();
    await expect(page.getByTestId('remote-blocked')).toHaveCount(0);
    await expect.poll(() => beacon.hits.length).toBeGreaterThan(0);

    // Another message from the same sender loads at once, and so it does after a reload.
    beacon.hits.length = 0;
    await row(page, other).click();
    await expect(page.getByTestId('remote-blocked')).toHaveCount(0);
    await expect.poll(() => beacon.hits.length).toBeGreaterThan(0);
    await page.reload();
    await row(page, other).click();
    await expect(page.getByTestId('message-body-frame')).toBeVisible();
    await expect(page.getByTestId('remote-blocked')).toHaveCount(0);

    // Settings lists the sender; removing it blocks their remote content again.
    await page.getByRole('button', { name: 'Settings' }).click();
    await expect(page.getByTestId('trusted-senders')).toBeVisible();
    await screenshot(page, 'settings-remote-senders.png');
    await page.getByRole('button', { name: /^Stop loading remote content from / }).click();
    await expect(page.getByTestId('trusted-senders')).toHaveCount(0);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('remote-blocked')).toHaveText(/Remote content blocked \(3\)/);
  } finally {
    beacon.server.close();
  }
});

test('All Inboxes mixes two accounts; rows drag onto a folder and v moves through the picker', async ({ page, host }) => {
  const first = freshUser('uni');
  const second = freshUser('uni');
  await seedMessages(first, { count: 6 });
  await seedMessages(second, { count: 4, seed: 2 });
  const [firstIds, secondIds] = await Promise.all([idsNewestFirst(first), idsNewestFirst(second)]);
  await page.goto(host.url);
  await addAccount(page, first);
  await page.getByRole('navigation').getByRole('button', { name: 'Add account' }).click();
  await addAccount(page, second);

  const unified = page.getByTestId('unified-inbox');
  await expect(unified).toBeVisible();
  await unified.click();
  await expect(page.getByRole('heading', { level: 1, name: 'All Inboxes' })).toBeVisible();
  await expect(page.getByTestId('list-meta')).toContainText('10 messages', { timeout: 30_000 });
  await expect(row(page, firstIds[0]!)).toBeVisible();
  await expect(row(page, secondIds[0]!)).toBeVisible();
  // Shift-click selects a range across both accounts.
  await row(page, firstIds[0]!).click();
  await row(page, secondIds[0]!).click({ modifiers: ['Shift'] });
  await expect(page.getByText(/\d+ messages selected/).first()).toBeVisible();
  await screenshot(page, 'unified-inbox.png');

  // Drag one of the first account's rows onto that account's Archive.
  const archive = page.getByRole('tree', { name: `Folders of ${first}` }).locator('[data-testid="mailbox"][data-role="archive"]');
  await row(page, firstIds[1]!).dragTo(archive);
  await expect(row(page, firstIds[1]!)).toHaveCount(0);
  const archiveId = await mailboxId(first, 'archive');
  await expect.poll(async () => (await serverEmail(first, firstIds[1]!))?.mailboxIds ?? {}).toEqual({ [archiveId]: true });

  // v on a row of the second account: its folders, filtered by typing.
  const folder = await admin.createMailbox(second, 'Receipts');
  await expect(page.getByRole('tree', { name: `Folders of ${second}` }).getByRole('treeitem', { name: 'Receipts' })).toBeVisible({ timeout: 10_000 });
  await row(page, secondIds[0]!).click();
  await page.keyboard.press('v');
  const picker = page.getByRole('dialog', { name: 'Move 1 message to…' });
  await expect(picker).toBeVisible();
  await picker.getByRole('combobox', { name: 'Folder name' }).fill('rece');
  await expect(picker.getByRole('option')).toHaveText(['Receipts']);
  await screenshot(page, 'move-picker.png');
  await page.keyboard.press('Enter');
  await expect(picker).toBeHidden();
  await expect(row(page, secondIds[0]!)).toHaveCount(0);
  await expect.poll(async () => (await serverEmail(second, secondIds[0]!))?.mailboxIds ?? {}).toEqual({ [folder]: true });
});

test('# moves to Trash, ! to Junk; in Trash, Delete asks first and then deletes for good', async ({ page, host }) => {
  const { user, ids } = await seededAccount(page, host.url, 6);
  const [trash, junk] = await Promise.all([mailboxId(user, 'trash'), mailboxId(user, 'junk')]);
  await row(page, ids[0]!).click();
  await page.keyboard.press('#');
  await expect(row(page, ids[0]!)).toHaveCount(0);
  await expect(page.getByTestId('toast').filter({ hasText: 'Moved 1 message to Trash' })).toBeVisible();
  await expect.poll(async () => (await serverEmail(user, ids[0]!))?.mailboxIds ?? {}).toEqual({ [trash]: true });
  // The next message is open now; ! marks it as spam.
  await expect(page.getByTestId('message-subject')).toHaveText(subjectOf(1));
  await page.keyboard.press('!');
  await expect(row(page, ids[1]!)).toHaveCount(0);
  await expect.poll(async () => (await serverEmail(user, ids[1]!))?.mailboxIds ?? {}).toEqual({ [junk]: true });

  await page.locator('[data-testid="mailbox"][data-role="trash"]').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Trash' })).toBeVisible();
  await row(page, ids[0]!).click();
  await page.keyboard.press('Delete');
  const confirm = page.getByRole('dialog', { name: 'Delete 1 message forever?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(row(page, ids[0]!)).toBeVisible();
  await page.keyboard.press('Delete');
  await confirm.getByRole('button', { name: 'Delete forever' }).click();
  await expect(row(page, ids[0]!)).toHaveCount(0);
  await expect(page.getByText('No messages in Trash')).toBeVisible();
  await expect.poll(async () => await serverEmail(user, ids[0]!)).toBeNull();
});

test('plain text: web addresses become safe links and quoted replies fold', async ({ page, host }) => {
  const user = freshUser('text');
  const text = [
    'Hi Ana,',
    '',
    'The notes are at https://example.org/notes?id=7 (see section 2).',
    'Not a link: javascript:alert(1) or <b>bold</b>.',
    '',
    'On Monday, Bob wrote:',
    '> the earlier message',
    '> with a second quoted line',
    '',
    'Thanks!',
  ].join('\r\n');
  const id = await importRaw(
    user,
    'inbox',
    [
      'From: Ana <ana@example.com>',
      `To: ${user}`,
      'Subject: Notes',
      `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <text-${Date.now()}@example.com>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      text,
      '',
    ].join('\r\n'),
  );
  await page.goto(host.url);
  await addAccount(page, user);
  await row(page, id).click();
  const body = page.getByTestId('message-body-text');
  await expect(body).toContainText('Not a link: javascript:alert(1) or <b>bold</b>.');
  const link = body.getByRole('link', { name: 'https://example.org/notes?id=7' });
  await expect(link).toHaveAttribute('href', 'https://example.org/notes?id=7');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(body.getByRole('link')).toHaveCount(1);
  await expect(body).not.toContainText('the earlier message');
  await body.getByRole('button', { name: 'Show quoted text' }).click();
  await expect(body).toContainText('> the earlier message');
  await expect(body).toContainText('Thanks!');
});
