// `npm run demo` on this machine: the demo server comes up with both accounts filled, and the
// app opened on it shows them, a conversation, an attachment, signed mail (and a tampered
// one), the invitation, and an event in the calendar.
import { spawn } from 'node:child_process';
import { repoRoot } from '../support/cyrus';
import type { RunningHost } from './support/host';
import { expect, screenshot, test as base } from './support/fixtures';

const ready = /JMAP host ready: (http:\/\/127\.0\.0\.1:(\d+)\/#token=\S+)/;

const test = base.extend<{ host: RunningHost }>({
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--no-open'], {
      cwd: repoRoot,
      env: { ...process.env, DEMO_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`demo did not start:\n${out}`)), 150_000);
      const check = () => {
        const m = ready.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      };
      child.stdout.on('data', check);
      child.on('exit', (code) => reject(new Error(`demo exited ${code}:\n${out}`)));
    });
    const url = match[1]!;
    try {
      await use({ url, origin: new URL(url).origin, port: Number(match[2]), log: () => out, stop: async () => {} });
    } finally {
      child.kill('SIGTERM');
    }
  },
});

test.setTimeout(180_000);

test('the demo opens on two filled accounts, with conversations, attachments, signed mail, an invitation and events', async ({ page, host }) => {
  await page.goto(host.url);
  for (const email of ['alice@example.com', 'bob@example.com']) {
    await expect(page.getByRole('tree', { name: `Folders of ${email}` })).toBeVisible();
  }
  const aliceInbox = page.getByRole('tree', { name: 'Folders of alice@example.com' }).locator('[data-testid="mailbox"][data-role="inbox"]');
  await aliceInbox.click();
  await expect(page.getByText(/1,80\d messages/)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('Invitation: Quarterly planning', { exact: false }).first()).toBeVisible();

  // Conversations: the seed threads messages four at a time.
  const conversations = page.getByRole('switch', { name: 'Conversations' });
  await conversations.click();
  await expect(page.locator('[data-testid="message-row"][aria-label*="4 messages"]').first()).toBeVisible();
  await conversations.click();

  // A message with an attachment shows it by name.
  await page.locator('[data-testid="message-row"][aria-label*="has attachment"]:not([aria-label*="Invitation"]):not([aria-label*="Signed"])').first().click();
  await expect(page.getByText(/report-\d+\.pdf/).first()).toBeVisible();
  await screenshot(page, 'demo.png');

  // S/MIME: signed by a colleague under the demo CA (which the demo trusts), and one altered since.
  const row = (subject: string) => page.getByTestId('message-row').filter({ hasText: subject }).first();
  await row('Signed: security review notes').click();
  await expect(page.getByTestId('smime-badge-signed')).toHaveAttribute('data-status', 'valid');
  await row('Signed: deposit details').click();
  await expect(page.getByTestId('smime-warning')).toBeVisible();
  await screenshot(page, 'demo-smime-warning.png');

  // The invitation shows as a card; the calendar shows the recurring stand-up, and it opens.
  await row('Invitation: Quarterly planning').click();
  await expect(page.getByTestId('invitation-card').getByRole('heading', { name: 'Quarterly planning' })).toBeVisible();
  await page.getByTestId('space-calendar').click();
  await page.getByRole('button', { name: 'Week', exact: true }).click();
  const standup = page.getByTestId('calendar-event').filter({ hasText: 'Team stand-up' }).first();
  await expect(standup).toBeVisible({ timeout: 30_000 });
  await standup.click();
  await expect(page.getByRole('dialog').getByLabel('Title')).toHaveValue('Team stand-up');
  await screenshot(page, 'demo-event.png');
});
