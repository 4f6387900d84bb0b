// Accessibility: axe-core on every main screen, in the light and the dark theme. Serious and
// critical violations fail the test (all of them are listed at once); moderate and minor ones
// are printed. Each screen is also photographed in both themes for a human look:
// test-results/e2e/screenshots/a11y-<screen>-<theme>.png.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { freshUser } from '../support/cyrus';
import { seedMessages } from '../support/seed';
import { expect, screenshot, test } from './support/fixtures';
import { addAccount, idsNewestFirst, row } from './support/mail';

test.use({ trace: { mode: 'retain-on-failure', snapshots: false, screenshots: true } });

const themes = ['light', 'dark'] as const;

/** Runs axe in both themes; returns the serious and critical violations, described. */
async function audit(page: Page, screen: string): Promise<string[]> {
  const problems: string[] = [];
  for (const theme of themes) {
    await page.emulateMedia({ colorScheme: theme });
    // Let transitions settle, so contrast is measured on the final colours.
    await page.waitForTimeout(250);
    await screenshot(page, `a11y-${screen}-${theme}.png`);
    const results = await new AxeBuilder({ page })
      // The message body is the sender's markup in a sandboxed frame, not the app's UI.
      .exclude('[data-testid="message-body-frame"]')
      .analyze();
    for (const v of results.violations) {
      const where = v.nodes
        .slice(0, 4)
        .map((n) => `${n.target.join(' ')}${n.failureSummary ? ` — ${n.failureSummary.replace(/\s+/g, ' ')}` : ''}`)
        .join('\n      ');
      const line = `${screen}/${theme}: ${v.id} [${v.impact ?? '?'}] ${v.help} (${v.nodes.length} nodes)\n      ${where}`;
      if (v.impact === 'serious' || v.impact === 'critical') problems.push(line);
      else console.log(`[a11y] note ${line}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return problems;
}

function report(problems: string[]): void {
  expect(problems, `serious or critical accessibility violations:\n${problems.join('\n')}`).toEqual([]);
}

test('welcome and add-account screen', async ({ page, host }) => {
  await page.goto(host.url);
  await expect(page.getByRole('heading', { name: 'Add your mail account' })).toBeVisible();
  const problems = await audit(page, 'welcome');
  // The form with its errors showing (field errors and the alert are part of the screen too).
  await page.getByRole('form', { name: 'Add account' }).getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByText('Enter an email address like name@example.com.')).toBeVisible();
  problems.push(...(await audit(page, 'welcome-errors')));
  report(problems);
});

test('mailboxes and messages, reading pane, search, move picker, shortcuts and add-account dialogs', async ({ page, host }) => {
  test.setTimeout(120_000);
  const user = freshUser('a11y');
  await seedMessages(user, { count: 24 });
  const ids = await idsNewestFirst(user);
  await page.goto(host.url);
  await addAccount(page, user);
  await expect(page.getByTestId('list-meta')).toContainText('24 messages', { timeout: 30_000 });
  const problems: string[] = [];

  // Folders and the message list, nothing open.
  await expect(row(page, ids[0]!)).toBeVisible();
  problems.push(...(await audit(page, 'mailbox-list')));

  // The reading pane with an HTML message (seeded message 1), then a plain-text one with an attachment (3).
  await row(page, ids[1]!).click();
  await expect(page.frameLocator('[data-testid="message-body-frame"]').getByText('seed message 1')).toBeVisible();
  problems.push(...(await audit(page, 'reading-pane')));
  await row(page, ids[3]!).click();
  await expect(page.getByText('report-3.pdf').first()).toBeVisible();
  problems.push(...(await audit(page, 'reading-pane-attachment')));

  // Search results (subjects are searchable as soon as the list is there).
  const search = page.getByRole('searchbox', { name: 'Search mail' });
  await search.fill('Quarterly');
  await expect(page.getByRole('heading', { level: 1, name: 'Search' })).toBeVisible();
  await expect(page.getByTestId('server-divider')).not.toContainText('Searching', { timeout: 20_000 });
  await expect(page.getByTestId('message-row').first()).toBeVisible();
  problems.push(...(await audit(page, 'search')));
  await search.press('Escape');
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();

  // The move picker.
  await row(page, ids[0]!).click();
  await page.keyboard.press('v');
  await expect(page.getByRole('dialog', { name: 'Move 1 message to…' })).toBeVisible();
  problems.push(...(await audit(page, 'move-picker')));
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // The keyboard shortcuts overlay.
  await page.getByTestId('message-list').focus();
  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  problems.push(...(await audit(page, 'shortcuts')));
  await page.keyboard.press('Escape');

  // Adding a second account, in a dialog over the app.
  await page.getByRole('navigation').getByRole('button', { name: 'Add account' }).click();
  await expect(page.getByRole('dialog', { name: 'Add an account' })).toBeVisible();
  problems.push(...(await audit(page, 'add-account-dialog')));

  report(problems);
});
