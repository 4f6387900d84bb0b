// The contacts space against a real Cyrus, through the headless host: a card made, found,
// edited and still there after a reload; a group with members; a message's sender added from
// the reading pane; a contact offered by compose's autocomplete; a .vcf imported and exported.
// The screens are audited with axe and photographed in both themes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { freshUser, repoRoot } from '../support/cyrus';
import { jmap } from '../support/jmap-raw';
import { expect, screenshot, test } from './support/fixtures';
import { addAccount, importRaw } from './support/mail';

const themes = ['light', 'dark'] as const;

interface ServerContact {
  firstName: string;
  lastName: string;
  jobTitle: string;
  emails: { value: string }[];
  phones: { value: string }[];
}

/** The server's truth, read with plain JMAP (Cyrus' contacts extension), not through the client. */
async function onServer(user: string): Promise<{ contacts: ServerContact[]; groups: { name: string; contactIds: string[] }[] }> {
  const res = await jmap(
    user,
    [
      ['Contact/get', { accountId: user }, 'c'],
      ['ContactGroup/get', { accountId: user }, 'g'],
    ],
    ['urn:ietf:params:jmap:core', 'https://cyrusimap.org/ns/jmap/contacts'],
  );
  const list = <T>(i: number) => ((res[i]?.[1] as { list?: T[] } | undefined)?.list ?? []);
  return { contacts: list<ServerContact>(0), groups: list<{ name: string; contactIds: string[] }>(1) };
}

/** Photographs the window in both themes, and returns axe's serious and critical findings. */
async function lookAndAudit(page: Page, name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const theme of themes) {
    await page.emulateMedia({ colorScheme: theme });
    await page.waitForTimeout(200);
    await screenshot(page, `${name}${theme === 'dark' ? '-dark' : ''}.png`);
    const results = await new AxeBuilder({ page }).exclude('[data-testid="message-body-frame"]').analyze();
    for (const v of results.violations) {
      if (v.impact !== 'serious' && v.impact !== 'critical') continue;
      problems.push(`${name}/${theme}: ${v.id} ${v.help}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return problems;
}

async function signIn(page: Page, url: string, user: string): Promise<void> {
  await page.goto(url);
  await addAccount(page, user);
}

async function openContacts(page: Page): Promise<void> {
  await page.getByTestId('space-contacts').click();
  await expect(page.getByTestId('contacts-space')).toBeVisible();
  // The address books arrive with the first sync of the account.
  await expect(page.getByRole('button', { name: 'New contact' })).toBeEnabled({ timeout: 30_000 });
}

function rows(page: Page) {
  return page.getByTestId('contact-row');
}

function detail(page: Page) {
  return page.getByTestId('contact-detail');
}

test('creates a contact with two emails and a phone, finds it, edits it, and it is still there after a reload; groups it', async ({ page, host }) => {
  test.setTimeout(150_000);
  const user = freshUser('contacts');
  await signIn(page, host.url, user);
  await openContacts(page);
  const problems: string[] = [];

  // A new card: two addresses and a phone.
  await page.getByRole('button', { name: 'New contact' }).click();
  const editor = page.getByTestId('contact-editor');
  await expect(editor.getByLabel('First name', { exact: true })).toBeFocused();
  await page.keyboard.type('Ada');
  await editor.getByLabel('Last name', { exact: true }).fill('Lovelace');
  await editor.getByLabel('Organisation').fill('Analytical Engines Ltd');
  await editor.getByRole('button', { name: '+ Add email' }).click();
  await expect(editor.getByLabel('Email 1', { exact: true })).toBeFocused();
  await page.keyboard.type('ada@engines.example');
  await editor.getByLabel('Kind of email 1').selectOption('work');
  await editor.getByRole('button', { name: '+ Add email' }).click();
  await editor.getByLabel('Email 2', { exact: true }).fill('ada.home@example.org');
  await editor.getByLabel('Kind of email 2').selectOption('home');
  await editor.getByRole('button', { name: '+ Add phone' }).click();
  await editor.getByLabel('Phone 1', { exact: true }).fill('+44 20 7946 0018');
  await editor.getByLabel('Notes').fill('First programmer.');
  // A photo far larger than a card holds: it is made 256 px and JPEG before it is sent.
  const bigPng = (await page.evaluate(`(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 1600;
    canvas.height = 1200;
    const g = canvas.getContext('2d');
    const fill = g.createLinearGradient(0, 0, 1600, 1200);
    fill.addColorStop(0, '#3b6fd8');
    fill.addColorStop(1, '#e8a33d');
    g.fillStyle = fill;
    g.fillRect(0, 0, 1600, 1200);
    g.fillStyle = '#fff';
    g.beginPath();
    g.arc(800, 520, 260, 0, Math.PI * 2);
    g.fill();
    return canvas.toDataURL('image/png');
  })()`)) as string;
  await editor.getByTestId('photo-input').setInputFiles({ name: 'ada.png', mimeType: 'image/png', buffer: Buffer.from(bigPng.split(',')[1]!, 'base64') });
  const preview = editor.getByTestId('contact-avatar').locator('img');
  await expect(preview).toHaveAttribute('src', /^data:image\/jpeg;base64,/);
  expect(await preview.evaluate((img) => (img as unknown as { naturalWidth: number; naturalHeight: number }).naturalWidth)).toBe(256);
  expect((await preview.getAttribute('src'))!.length).toBeLessThan(350_000);
  problems.push(...(await lookAndAudit(page, 'contacts-editor')));
  await editor.getByRole('button', { name: 'Save' }).click();

  await expect(editor).toBeHidden();
  await expect(detail(page).getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();
  await expect(detail(page).getByRole('button', { name: 'ada@engines.example' })).toBeVisible();
  await expect(detail(page).getByRole('button', { name: 'ada.home@example.org' })).toBeVisible();
  await expect(detail(page)).toContainText('+44 20 7946 0018');
  await expect(rows(page).filter({ hasText: 'Ada Lovelace' })).toBeVisible();

  // A second card, so the search has something to leave out.
  await page.getByRole('button', { name: 'New contact' }).click();
  await editor.getByLabel('First name', { exact: true }).fill('Charles');
  await editor.getByLabel('Last name', { exact: true }).fill('Babbage');
  await editor.getByRole('button', { name: '+ Add email' }).click();
  await editor.getByLabel('Email 1', { exact: true }).fill('charles@engines.example');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(detail(page).getByRole('heading', { name: 'Charles Babbage' })).toBeVisible();
  await expect(rows(page)).toHaveCount(2);

  // "/" goes to the search; the core finds the card by part of its name or address.
  await rows(page).first().click();
  await page.keyboard.press('/');
  const search = page.getByRole('searchbox', { name: 'Search contacts' });
  await expect(search).toBeFocused();
  await page.keyboard.type('lovel');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page)).toContainText('Ada Lovelace');
  await search.fill('home@example');
  await expect(rows(page)).toHaveText([/Ada Lovelace/]);
  await search.fill('babb');
  await expect(rows(page)).toHaveText([/Charles Babbage/]);
  // Arrow down from the search goes into the list; Enter there moves into the card.
  await search.fill('ada');
  await expect(rows(page)).toHaveText([/Ada Lovelace/]);
  await search.press('ArrowDown');
  await expect(page.getByRole('listbox', { name: 'Contacts' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(detail(page).getByRole('heading', { name: 'Ada Lovelace' })).toBeFocused();
  await search.fill('');
  await expect(rows(page)).toHaveCount(2);

  // Arrow keys walk the list and the card follows.
  await page.getByRole('listbox', { name: 'Contacts' }).focus();
  await page.keyboard.press('Home');
  await expect(detail(page).getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(detail(page).getByRole('heading', { name: 'Charles Babbage' })).toBeVisible();
  await page.keyboard.press('ArrowUp');
  await expect(detail(page).getByRole('heading', { name: 'Ada Lovelace' })).toBeVisible();
  problems.push(...(await lookAndAudit(page, 'contacts-list')));

  // Edit: a title, the phone changed, the second address removed.
  await detail(page).getByRole('button', { name: 'Edit' }).click();
  await expect(editor.getByLabel('First name', { exact: true })).toHaveValue('Ada');
  await expect(editor.getByLabel('Email 2', { exact: true })).toHaveValue('ada.home@example.org');
  await editor.getByLabel('Job title').fill('Mathematician');
  await editor.getByLabel('Phone 1', { exact: true }).fill('+44 20 7946 0099');
  await editor.getByRole('button', { name: 'Remove email 2' }).click();
  await editor.getByRole('button', { name: '+ Add email' }).click();
  await editor.getByLabel('Email 2', { exact: true }).fill('not an address');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor.getByRole('alert')).toContainText('“not an address” is not an email address');
  await editor.getByRole('button', { name: 'Remove email 2' }).click();
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(editor).toBeHidden();
  await expect(detail(page)).toContainText('Mathematician · Analytical Engines Ltd');
  await expect(detail(page)).toContainText('+44 20 7946 0099');
  await expect(detail(page).getByRole('button', { name: 'ada.home@example.org' })).toHaveCount(0);
  await expect
    .poll(async () => (await onServer(user)).contacts.find((c) => c.lastName === 'Lovelace'), { timeout: 20_000 })
    .toMatchObject({ firstName: 'Ada', jobTitle: 'Mathematician', emails: [{ value: 'ada@engines.example' }], phones: [{ value: '+44 20 7946 0099' }] });

  // A group of both.
  await page.getByRole('button', { name: 'New group' }).click();
  const groupEditor = page.getByTestId('group-editor');
  await expect(groupEditor.getByLabel('Group name')).toBeFocused();
  await page.keyboard.type('Engine team');
  await groupEditor.getByRole('button', { name: 'Add Ada Lovelace' }).click();
  await groupEditor.getByLabel('Filter people to add').fill('charl');
  await groupEditor.getByRole('button', { name: 'Add Charles Babbage' }).click();
  await expect(groupEditor.getByRole('heading', { name: 'Members (2)' })).toBeVisible();
  problems.push(...(await lookAndAudit(page, 'contacts-group-editor')));
  await groupEditor.getByRole('button', { name: 'Save' }).click();
  await expect(groupEditor).toBeHidden();
  await expect(detail(page).getByRole('heading', { name: 'Engine team' })).toBeFocused();
  await expect(detail(page).getByRole('heading', { name: 'Members (2)' })).toBeVisible();
  await expect.poll(async () => (await onServer(user)).groups.map((g) => [g.name, g.contactIds.length]), { timeout: 20_000 }).toEqual([['Engine team', 2]]);
  const groupButton = page.getByRole('navigation', { name: 'Address books and groups' }).getByRole('button', { name: 'Engine team, 2 members' });
  await expect(groupButton).toBeVisible();
  await groupButton.click();
  await expect(rows(page)).toHaveText([/Ada Lovelace/, /Charles Babbage/]);
  await rows(page).first().click();
  await expect(detail(page).getByRole('button', { name: 'Engine team' })).toBeVisible();

  // After a reload everything is still there (the space is remembered too).
  await page.reload();
  await expect(page.getByTestId('contacts-space')).toBeVisible({ timeout: 30_000 });
  await expect(rows(page)).toHaveCount(3, { timeout: 30_000 });
  await rows(page).filter({ hasText: 'Ada Lovelace' }).click();
  await expect(detail(page)).toContainText('Mathematician · Analytical Engines Ltd');
  // The photo went to the server (Cyrus keeps it as the contact's avatar) and comes back from it.
  await expect(detail(page).locator('img[src^="data:image/jpeg;base64,"]')).toBeVisible();
  await expect(detail(page)).toContainText('+44 20 7946 0099');
  await expect(detail(page).getByRole('button', { name: 'ada@engines.example' })).toBeVisible();
  await expect(detail(page).getByRole('button', { name: 'Engine team' })).toBeVisible();

  // Delete asks first.
  await rows(page).filter({ hasText: 'Charles Babbage' }).click();
  await detail(page).getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete this contact?' });
  await expect(confirm).toContainText('Charles Babbage');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(rows(page).filter({ hasText: 'Charles Babbage' })).toHaveCount(0);
  await expect.poll(async () => (await onServer(user)).contacts.map((c) => c.lastName), { timeout: 20_000 }).toEqual(['Lovelace']);

  expect(problems, problems.join('\n')).toEqual([]);
});

test('adds a message’s sender to contacts from the reading pane, and opens the card from there', async ({ page, host }) => {
  const user = freshUser('sender');
  await importRaw(
    user,
    'inbox',
    [
      'From: Pal Person <pal.person@friends.example>',
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
  await signIn(page, host.url, user);
  await page.getByTestId('message-row').first().click();
  const view = page.getByTestId('message-view');
  const action = view.getByTestId('sender-contact');
  await expect(action).toHaveText(/Add to contacts/, { timeout: 30_000 });
  const problems = await lookAndAudit(page, 'contacts-add-sender');

  await action.click();
  await expect(page.getByTestId('toast').filter({ hasText: 'Added Pal Person to contacts' })).toBeVisible();
  await expect(action).toHaveText(/Open contact/);
  await expect
    .poll(async () => (await onServer(user)).contacts.map((c) => [c.firstName, c.lastName, c.emails.map((e) => e.value)]), { timeout: 20_000 })
    .toEqual([['Pal', 'Person', ['pal.person@friends.example']]]);

  await action.click();
  await expect(page.getByTestId('contacts-space')).toBeVisible();
  await expect(detail(page).getByRole('heading', { name: 'Pal Person' })).toBeVisible();
  await expect(detail(page).getByRole('button', { name: 'pal.person@friends.example' })).toBeVisible();
  await expect(rows(page).filter({ hasText: 'Pal Person' })).toHaveAttribute('aria-selected', 'true');

  // Back in mail the sender is known now.
  await page.getByTestId('space-mail').click();
  await expect(view.getByTestId('sender-contact')).toHaveText(/Open contact/);
  expect(problems, problems.join('\n')).toEqual([]);
});

test('imports a .vcf with three cards, offers them in compose, and exports them again', async ({ page, host }) => {
  test.setTimeout(120_000);
  const user = freshUser('vcf');
  await signIn(page, host.url, user);
  await openContacts(page);

  await page.getByRole('button', { name: 'Import…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import contacts' });
  await dialog.getByTestId('import-file').setInputFiles(join(repoRoot, 'test/fixtures/contacts/three-cards.vcf'));
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByTestId('import-result')).toContainText('Imported 3 contacts');
  const problems = await lookAndAudit(page, 'contacts-import');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(rows(page)).toHaveText([/Alan Turing/, /Grace Hopper/, /Katherine Johnson/]);
  await expect.poll(async () => (await onServer(user)).contacts.map((c) => c.lastName).sort(), { timeout: 20_000 }).toEqual(['Hopper', 'Johnson', 'Turing']);
  await rows(page).filter({ hasText: 'Alan Turing' }).click();
  await expect(detail(page).getByRole('button', { name: 'a.turing@npl.example' })).toBeVisible();
  await expect(detail(page)).toContainText('Ask about the Bombe.');

  // Compose offers an imported card's address (nobody has written to or from it).
  await detail(page).getByRole('button', { name: 'alan@bletchley.example' }).click();
  const compose = page.getByTestId('compose');
  await expect(compose.locator('.token')).toHaveText(['Alan Turing']);
  await compose.getByRole('combobox', { name: 'To' }).click();
  await page.keyboard.type('hopper');
  const option = compose.getByRole('option', { name: /Grace Hopper/ });
  await expect(option).toBeVisible();
  await expect(option).toContainText('grace.hopper@navy.example');
  await page.keyboard.press('Enter');
  await expect(compose.locator('.token')).toHaveText(['Alan Turing', 'Grace Hopper']);
  await compose.getByRole('button', { name: 'Discard draft' }).click();

  // Export all, as vCard 3.0: the three cards come back in one file.
  await page.getByRole('button', { name: 'Export…' }).click();
  const exportDialog = page.getByRole('dialog', { name: 'Export contacts' });
  await exportDialog.getByLabel('vCard 3.0').check();
  const downloadAll = page.waitForEvent('download');
  await exportDialog.getByRole('button', { name: 'Export' }).click();
  const all = readFileSync(await (await downloadAll).path(), 'utf8');
  expect(all.match(/BEGIN:VCARD/g)).toHaveLength(3);
  expect(all).toMatch(/VERSION:3\.0/);
  for (const name of ['Grace Hopper', 'Alan Turing', 'Katherine Johnson']) expect(all).toContain(`FN:${name}`);

  // And just the picked ones (ctrl-click picks a second).
  await rows(page).filter({ hasText: 'Grace Hopper' }).click();
  await rows(page).filter({ hasText: 'Katherine Johnson' }).click({ modifiers: ['Control'] });
  await page.getByRole('button', { name: 'Export…' }).click();
  await expect(exportDialog.getByLabel('Selected (2 contacts)')).toBeChecked();
  const downloadSome = page.waitForEvent('download');
  await exportDialog.getByRole('button', { name: 'Export' }).click();
  const some = readFileSync(await (await downloadSome).path(), 'utf8');
  expect(some.match(/BEGIN:VCARD/g)).toHaveLength(2);
  expect(some).toContain('Grace Hopper');
  expect(some).not.toContain('Alan Turing');
  expect(problems, problems.join('\n')).toEqual([]);
});
