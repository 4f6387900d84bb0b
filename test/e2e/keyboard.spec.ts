// The keymap end to end: the ? overlay lists exactly renderer/src/keymap.ts, dialogs trap
// focus only while open and give it back, j/k/o/u/g i move around, r/a/f/c reach compose, and
// Tab always leaves the message list (and comes back round the whole window).
import type { Page } from '@playwright/test';
import { keyLabel, keymap } from '../../renderer/src/keymap';
import { freshUser } from '../support/cyrus';
import { generateMessage, seedMessages } from '../support/seed';
import type { DomWindow } from './support/dom';
import { expect, screenshot, test } from './support/fixtures';
import { destroyEmails } from '../support/jmap-admin';
import { addAccount, idsNewestFirst, row } from './support/mail';

test.use({ trace: { mode: 'retain-on-failure', snapshots: false, screenshots: true } });

const count = 12;

function subjectOf(i: number): string {
  return /^Subject: (.*)$/m.exec(generateMessage(i, 'x').raw)?.[1] ?? '';
}

async function seeded(page: Page, url: string): Promise<{ user: string; ids: string[] }> {
  const user = freshUser('keys');
  await seedMessages(user, { count });
  const ids = await idsNewestFirst(user);
  await page.goto(url);
  await addAccount(page, user);
  await expect(page.getByTestId('list-meta')).toContainText(`${count} messages`, { timeout: 30_000 });
  return { user, ids };
}

interface Focus {
  inDialog: boolean;
  inList: boolean;
  /** data-testid, aria-label, or tag of the focused element. */
  name: string;
}

async function focus(page: Page): Promise<Focus> {
  return page.evaluate(() => {
    const el = (globalThis as unknown as DomWindow).document.activeElement;
    return {
      inDialog: !!el?.closest('dialog[open]'),
      inList: !!el?.closest('[data-testid="message-list"]'),
      name: el ? (el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.localName) : 'none',
    };
  });
}

test('? lists the keymap in a dialog that holds focus until Escape, then gives it back', async ({ page, host }) => {
  const { ids } = await seeded(page, host.url);
  await row(page, ids[0]!).click();
  await expect(page.getByTestId('message-list')).toBeFocused();

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  // Every binding of the keymap, with every key, and nothing else.
  const rows = help.locator('.binding');
  await expect(rows).toHaveCount(keymap.length);
  for (const [i, binding] of keymap.entries()) {
    await expect(rows.nth(i).locator('dd')).toHaveText(binding.label);
    await expect(rows.nth(i).locator('kbd')).toHaveText(binding.keys.flat().map(keyLabel));
  }
  await screenshot(page, 'keyboard-help.png');

  // While open, Tab and Shift+Tab stay inside; keys meant for the list do nothing.
  for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    expect((await focus(page)).inDialog, `focus after ${key}`).toBe(true);
  }
  await page.keyboard.press('j');
  await expect(page.getByTestId('message-subject')).toHaveText(subjectOf(0));

  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await expect(page.getByTestId('message-list')).toBeFocused();

  // The Close button works the same way, and focus goes back to where it was (a folder).
  const inbox = page.locator('li[role="treeitem"]:has(> [data-role="inbox"])');
  await inbox.focus();
  await page.keyboard.press('?');
  await expect(help).toBeVisible();
  await help.getByRole('button', { name: 'Close' }).click();
  await expect(help).toBeHidden();
  await expect(inbox).toBeFocused();
});

test('j/k walk, o opens, u goes back to the list, g i goes to the Inbox, / searches', async ({ page, host }) => {
  const { ids } = await seeded(page, host.url);
  const subject = page.getByTestId('message-subject');
  await page.getByTestId('message-list').focus();

  await page.keyboard.press('j');
  await expect(subject).toHaveText(subjectOf(0));
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(subject).toHaveText(subjectOf(2));
  await page.keyboard.press('k');
  await expect(subject).toHaveText(subjectOf(1));

  // u: back to the list; the cursor stays, so j carries on from it.
  await page.keyboard.press('u');
  await expect(page.getByTestId('message-view')).toHaveCount(0);
  await expect(page.getByTestId('message-list')).toBeFocused();
  await expect(row(page, ids[1]!)).toHaveClass(/cursor/);
  // o (and Enter) open the cursor's message again.
  await page.keyboard.press('o');
  await expect(subject).toHaveText(subjectOf(1));
  await page.keyboard.press('u');
  await page.keyboard.press('Enter');
  await expect(subject).toHaveText(subjectOf(1));
  await page.keyboard.press('j');
  await expect(subject).toHaveText(subjectOf(2));

  // g then i: from another folder back to the Inbox.
  await page.locator('[data-testid="mailbox"][data-role="archive"]').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Archive' })).toBeVisible();
  await page.keyboard.press('g');
  await page.keyboard.press('i');
  await expect(page.getByRole('heading', { level: 1, name: 'Inbox' })).toBeVisible();
  await expect(page.getByTestId('message-list')).toBeFocused();
  // g followed by something else is that something else.
  await page.keyboard.press('g');
  await page.keyboard.press('j');
  await expect(subject).toHaveText(subjectOf(0));

  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox', { name: 'Search mail' })).toBeFocused();
  // Typing in the box is text, not shortcuts.
  await page.keyboard.type('gij');
  await expect(page.getByRole('searchbox', { name: 'Search mail' })).toHaveValue('gij');
  await expect(page.getByRole('heading', { level: 1, name: 'Search' })).toBeVisible();
});

test('j carries on from where the open message stood after another client deleted it', async ({ page, host }) => {
  const { user, ids } = await seeded(page, host.url);
  const subject = page.getByTestId('message-subject');
  await page.getByTestId('message-list').focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('j');
  await expect(subject).toHaveText(subjectOf(2));

  await destroyEmails(user, [ids[2]!]);
  // The host polls every second; the row goes once the list is fetched again.
  await expect(row(page, ids[2]!)).toHaveCount(0, { timeout: 15_000 });
  await page.getByTestId('message-list').focus();
  await page.keyboard.press('j');
  await expect(subject).toHaveText(subjectOf(3));
  await page.keyboard.press('k');
  await expect(subject).toHaveText(subjectOf(1));
});

test('r, a, f and c open compose for the open message, e and # act on it', async ({ page, host }) => {
  const { ids } = await seeded(page, host.url);
  await row(page, ids[0]!).click();
  const compose = page.getByTestId('compose');
  const cases: [string, RegExp][] = [
    ['r', /^Re: /],
    ['a', /^Re: /],
    ['f', /^Fwd?: /i],
    ['c', /^$/],
  ];
  for (const [key, subject] of cases) {
    await page.getByTestId('message-list').focus();
    await page.keyboard.press(key);
    await expect(compose, `compose after ${key}`).toBeVisible();
    await expect(compose.getByLabel('Subject')).toHaveValue(subject);
    await compose.getByRole('button', { name: 'Close (keeps the draft)' }).click();
    await expect(compose).toHaveCount(0);
  }

  // e archives the open message and opens the next; # moves that one to Trash.
  await page.getByTestId('message-list').focus();
  await page.keyboard.press('e');
  await expect(row(page, ids[0]!)).toHaveCount(0);
  await expect(page.getByTestId('message-subject')).toHaveText(subjectOf(1));
  await page.keyboard.press('#');
  await expect(row(page, ids[1]!)).toHaveCount(0);
  await expect(page.getByTestId('message-subject')).toHaveText(subjectOf(2));
});

test('Tab leaves the message list both ways and goes round the whole window', async ({ page, host }) => {
  const { ids } = await seeded(page, host.url);
  // Seeded message 1 is HTML: focus must get past its sandboxed frame too.
  await row(page, ids[1]!).click();
  await expect(page.frameLocator('[data-testid="message-body-frame"]').getByText('seed message 1')).toBeVisible();
  const list = page.getByTestId('message-list');

  await list.focus();
  await page.keyboard.press('Tab');
  expect((await focus(page)).inList, 'Tab from the list').toBe(false);
  await list.focus();
  await page.keyboard.press('Shift+Tab');
  expect((await focus(page)).inList, 'Shift+Tab from the list').toBe(false);

  // From the search box, Tab visits everything and comes back: nothing holds on to focus.
  const search = page.getByRole('searchbox', { name: 'Search mail' });
  await search.focus();
  const visited: string[] = [];
  let back = false;
  for (let i = 0; i < 120 && !back; i++) {
    await page.keyboard.press('Tab');
    const now = await focus(page);
    visited.push(now.name);
    back = now.name === 'Search mail';
  }
  expect(back, `Tab order never came back to the search box: ${visited.join(' → ')}`).toBe(true);
  console.log(`[e2e] tab order: ${visited.join(' → ')}`);
  expect(visited).toContain('message-list');
});

test('scrolling away from the open message stays put while older pages arrive', async ({ page, host }) => {
  const user = freshUser('scroll');
  await seedMessages(user, { count: 400 });
  const ids = await idsNewestFirst(user);
  await page.goto(host.url);
  await addAccount(page, user);
  await expect(page.getByTestId('list-meta')).toContainText('400 messages', { timeout: 30_000 });
  await row(page, ids[2]!).click();
  await expect(page.getByTestId('message-view')).toHaveAttribute('data-email-id', ids[2]!);
  // Down to the bottom: rows 50…399 come in pages, none may drag the list back to the cursor.
  const list = page.getByTestId('message-list');
  await list.evaluate((el: { scrollTop: number; scrollHeight: number }) => (el.scrollTop = el.scrollHeight));
  await expect(row(page, ids[399]!)).toContainText(subjectOf(399));
  await page.waitForTimeout(500);
  await expect(row(page, ids[399]!)).toBeInViewport();
  await expect(row(page, ids[2]!)).toHaveCount(0);
  await expect(page.getByTestId('message-view')).toHaveAttribute('data-email-id', ids[2]!);
});
