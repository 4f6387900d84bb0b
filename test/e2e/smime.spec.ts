// S/MIME in the UI against the real Cyrus: messages made by `openssl cms` (signed, tampered,
// encrypted to the reader) are read with the trust anchor and the key imported through
// Settings → Security; the composer names a recipient without a certificate while Encrypt is
// on. Every screen is checked with axe and photographed in both themes:
// test-results/e2e/screenshots/smime-<screen>-<theme>.png.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { freshUser } from '../support/cyrus';
import { asMessage, opensslEncrypt, opensslSign, plainEntity, replaceInBody } from '../support/smime-messages';
import { issueUser, testPki } from '../support/smime-pki';
import { expect, screenshot, test } from './support/fixtures';
import { addAccount, importRaw } from './support/mail';

const pki = testPki();
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** Photographs the page in both themes and fails on serious or critical axe findings. */
async function shoot(page: Page, name: string): Promise<void> {
  const problems: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.waitForTimeout(250);
    await screenshot(page, `smime-${name}-${theme}.png`);
    const results = await new AxeBuilder({ page }).exclude('[data-testid="message-body-frame"]').analyze();
    for (const v of results.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') problems.push(`${name}/${theme}: ${v.id} ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  expect(problems, problems.join('\n')).toEqual([]);
}

async function openSecurity(page: Page) {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByTestId('open-security').click();
  const dialog = page.getByRole('dialog', { name: 'Security: S/MIME certificates' });
  await expect(dialog).toBeVisible();
  return dialog;
}

async function importCa(page: Page): Promise<void> {
  const dialog = await openSecurity(page);
  await dialog.getByTestId('cert-file').setInputFiles({ name: 'root.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(pki.rootPem) });
  await dialog.getByTestId('cert-kind').selectOption('ca');
  await dialog.getByRole('button', { name: 'Import certificates' }).click();
  await expect(dialog.getByRole('status')).toContainText('Imported one certificate as trusted authority');
  // Escape closes the dialog only; the Settings menu under it takes the next one.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('group', { name: 'Settings' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('group', { name: 'Settings' })).toBeHidden();
}

function open(page: Page, subject: string) {
  return page.getByTestId('message-row').filter({ hasText: subject }).filter({ hasNotText: 'Re:' }).click();
}

test('a valid signature shows the green badge and the details; a tampered one a red warning', async ({ page, host }) => {
  test.setTimeout(120_000);
  const user = freshUser('smime-ui');
  const signed = asMessage(opensslSign(pki.alice, plainEntity('Signed hello from Alice.\r\nSee you at the meeting.\r\n'), { certfile: pki.intermediatePath }), pki.alice.email, user, 'Quarterly report (signed)');
  await importRaw(user, 'inbox', latin1(signed));
  // A plain answer in the same thread, for the conversation view.
  const signedId = /^Message-ID: (<[^>]+>)/im.exec(latin1(signed))?.[1] ?? '';
  await importRaw(user, 'inbox', [
    `From: Reader <${user}>`, `To: ${pki.alice.email}`, 'Subject: Re: Quarterly report (signed)', `Date: ${new Date(Date.now() + 60_000).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <reply-${Date.now()}@e2e.example>`, `In-Reply-To: ${signedId}`, `References: ${signedId}`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'Thanks, got it.', '',
  ].join('\r\n'));
  await importRaw(user, 'inbox', latin1(replaceInBody(asMessage(opensslSign(pki.alice, plainEntity('Pay invoice 1000 EUR.\r\n'), { certfile: pki.intermediatePath }), pki.alice.email, user, 'Invoice (tampered)'), '1000', '9000')));
  await page.goto(host.url);
  await addAccount(page, user);
  await importRaw(user, 'inbox', latin1(asMessage(opensslSign(pki.untrusted, plainEntity('From a stranger CA.\r\n')), pki.untrusted.email, user, 'Offer (unknown CA)')));
  await expect(page.getByTestId('list-meta')).toContainText('4 messages');
  await importCa(page);

  await open(page, 'Quarterly report');
  const view = page.getByTestId('message-view');
  const badge = view.getByTestId('smime-badge-signed');
  await expect(badge).toHaveAttribute('data-status', 'valid');
  await expect(badge).toContainText(`Signed · ${pki.alice.email}`);
  await expect(view.getByTestId('smime-warning')).toHaveCount(0);
  await expect(view.getByTestId('message-body-text')).toContainText('See you at the meeting.');
  // The signature file is a badge, not an attachment.
  await expect(view.getByRole('list', { name: 'Attachments' })).toHaveCount(0);
  await view.getByTestId('smime-details-toggle').click();
  const details = view.getByTestId('smime-details');
  await expect(details).toContainText('SHA-256');
  await expect(details).toContainText('Meridian Test Intermediate CA');
  await expect(details).toContainText('trusted root');
  await expect(details.getByRole('list', { name: 'Certificate chain, signer first' }).getByRole('listitem')).toHaveCount(3);
  await shoot(page, 'signed-details');

  await open(page, 'Invoice (tampered)');
  const warning = page.getByTestId('message-view').getByTestId('smime-warning');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('The message was changed after it was signed');
  await expect(page.getByTestId('message-view').getByTestId('smime-badge-signed')).toHaveAttribute('data-status', 'invalid');
  await shoot(page, 'tampered-warning');

  // A good signature from a root the user does not trust: amber, with the reason, never green.
  await open(page, 'Offer (unknown CA)');
  const amber = page.getByTestId('message-view');
  await expect(amber.getByTestId('smime-badge-signed')).toHaveAttribute('data-status', 'valid-but-untrusted');
  await expect(amber.getByTestId('smime-untrusted-reason')).toContainText('Unknown Root CA');
  await expect(amber.getByTestId('smime-warning')).toHaveCount(0);
  await shoot(page, 'untrusted');

  // The conversation view shows the same verdicts.
  await page.getByRole('switch', { name: 'Conversations' }).check();
  await page.getByTestId('message-row').filter({ hasText: 'Quarterly report' }).click();
  const message = page.getByTestId('conversation-message').filter({ hasText: 'Signed hello from Alice' });
  if ((await message.getAttribute('data-expanded')) !== 'true') await message.getByTestId('conversation-toggle').click();
  await expect(message.getByTestId('smime-badge-signed')).toHaveAttribute('data-status', 'valid');
  await expect(message.getByTestId('message-body-text')).toContainText('See you at the meeting.');
});

test('an encrypted message opens once its key is imported in Settings → Security', async ({ page, host }) => {
  test.setTimeout(120_000);
  const user = freshUser('smime-enc');
  const me = issueUser(user);
  await importRaw(user, 'inbox', latin1(asMessage(opensslEncrypt([me], plainEntity('The door code is 7741.\r\nPlease keep it to yourself.\r\n')), pki.bob.email, user, 'Door code (encrypted)')));
  await page.goto(host.url);
  await addAccount(page, user);
  await expect(page.getByTestId('list-meta')).toContainText('1 message');

  await open(page, 'Door code');
  const view = page.getByTestId('message-view');
  await expect(view.getByTestId('smime-body-error')).toContainText('cannot be opened');
  await expect(view.getByTestId('smime-badge-encrypted')).toHaveAttribute('data-status', 'error');
  await shoot(page, 'encrypted-locked');

  const dialog = await openSecurity(page);
  await dialog.getByTestId('p12-file').setInputFiles({ name: 'me.p12', mimeType: 'application/x-pkcs12', buffer: me.p12 });
  await dialog.getByTestId('p12-password').fill('not the password');
  await dialog.getByRole('button', { name: 'Import key' }).click();
  await expect(dialog.getByRole('alert')).toBeVisible();
  await dialog.getByTestId('p12-password').fill(pki.p12Password);
  await dialog.getByRole('button', { name: 'Import key' }).click();
  await expect(dialog.getByRole('status')).toContainText(`Imported your certificate for ${user}`);
  await dialog.getByTestId('cert-file').setInputFiles({ name: 'root.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(pki.rootPem) });
  await dialog.getByTestId('cert-kind').selectOption('ca');
  await dialog.getByRole('button', { name: 'Import certificates' }).click();
  const rows = dialog.getByTestId('certificate-row');
  await expect(rows).toHaveCount(3);
  await expect(dialog.locator('[data-testid="certificate-row"][data-kind="own"]')).toContainText(user);
  await expect(dialog.locator('[data-testid="certificate-row"][data-kind="own"]')).toContainText('Yes');
  await shoot(page, 'settings-security');

  // Export as PEM downloads a certificate file.
  const download = page.waitForEvent('download');
  await dialog.locator('[data-testid="certificate-row"][data-kind="own"]').getByRole('button', { name: /as PEM$/ }).click();
  expect((await download).suggestedFilename()).toMatch(/\.pem$/);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.keyboard.press('Escape');

  // The open message asks again and shows what was inside.
  await expect(view.getByTestId('smime-body')).toContainText('The door code is 7741.');
  await expect(view.getByTestId('smime-badge-encrypted')).toHaveAttribute('data-status', 'decrypted');
  await shoot(page, 'encrypted-message');

  // An answer to encrypted mail starts encrypted (and says that Bob's certificate is missing).
  await view.getByRole('button', { name: 'Reply', exact: true }).click();
  const compose = page.getByTestId('compose');
  await expect(compose.getByTestId('compose-encrypt')).toBeChecked();
  await expect(compose.getByTestId('compose-missing-certificates')).toContainText(pki.bob.email);
  await compose.getByRole('button', { name: 'Close (keeps the draft)' }).click();
  await expect(compose).toBeHidden();

  // Deleting asks first.
  const again = await openSecurity(page);
  await again.locator('[data-testid="certificate-row"][data-kind="contact"]').getByRole('button', { name: /^Delete/ }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete this certificate?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(again.getByTestId('certificate-row')).toHaveCount(2);
});

test('compose: Encrypt names every recipient without a certificate; Sign needs an own certificate', async ({ page, host }) => {
  test.setTimeout(120_000);
  const user = freshUser('smime-writer');
  const me = issueUser(user);
  await page.goto(host.url);
  await addAccount(page, user);

  await page.getByRole('button', { name: 'Compose' }).click();
  const compose = page.getByTestId('compose');
  await expect(compose.getByTestId('compose-sign')).toBeDisabled();
  await expect(compose.getByTestId('compose-smime')).toContainText(`No certificate for ${user}`);
  await compose.getByRole('button', { name: 'Close (keeps the draft)' }).click();

  const dialog = await openSecurity(page);
  await dialog.getByTestId('p12-file').setInputFiles({ name: 'me.p12', mimeType: 'application/x-pkcs12', buffer: me.p12 });
  await dialog.getByTestId('p12-password').fill(pki.p12Password);
  await dialog.getByRole('button', { name: 'Import key' }).click();
  await expect(dialog.getByRole('status')).toContainText('Imported your certificate');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await page.keyboard.press('Escape');

  await page.getByRole('button', { name: 'Compose' }).click();
  await expect(compose.getByRole('combobox', { name: 'To' })).toBeFocused();
  await page.keyboard.type('stranger@example.net');
  await page.keyboard.press('Enter');
  await compose.getByLabel('Subject').fill('Secret plans');
  await expect(compose.getByTestId('compose-sign')).toBeEnabled();
  await compose.getByTestId('compose-sign').check();
  await compose.getByRole('button', { name: 'Remember as default for this identity' }).click();
  await expect(compose.getByTestId('compose-smime').getByRole('status')).toContainText(`Saved as the default for ${user}`);
  await compose.getByTestId('compose-encrypt').check();
  const missing = compose.getByTestId('compose-missing-certificates');
  await expect(missing).toContainText('stranger@example.net');
  await expect(missing).not.toContainText('(you)');
  await shoot(page, 'compose-toggles');

  // Sending is refused by the core with the same names.
  await compose.getByRole('button', { name: 'Send' }).click();
  await expect(compose.getByRole('alert').filter({ hasText: 'Could not send' })).toContainText('stranger@example.net');

  // Encrypt off: the warning goes.
  await compose.getByTestId('compose-encrypt').uncheck();
  await expect(missing).toHaveCount(0);

  // A new message starts from the identity's defaults: signed, not encrypted.
  await compose.getByRole('button', { name: 'Close (keeps the draft)' }).click();
  await expect(compose).toBeHidden();
  await page.getByRole('button', { name: 'Compose' }).click();
  await expect(compose.getByTestId('compose-sign')).toBeChecked();
  await expect(compose.getByTestId('compose-encrypt')).not.toBeChecked();
});
