// bench:launch — how long until the user sees their folders: starting the headless host,
// adding an account through the UI, and reloading with the account already there.
//   npm run bench:launch        (builds the renderer first; needs the test Cyrus on :8080)
import { chromium } from '@playwright/test';
import { cyrusEnv, freshUser } from '../support/cyrus';
import { startHost } from '../e2e/support/host';
import { seedMessages } from '../support/seed';
import { ms, print } from './bench-env-light';

const user = freshUser('launch');
await seedMessages(user, { count: 200 });

const t0 = performance.now();
const host = await startHost();
const hostReady = performance.now() - t0;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  let t = performance.now();
  await page.goto(host.url);
  await page.getByRole('heading', { name: 'Add your mail account' }).waitFor();
  const welcome = performance.now() - t;

  const form = page.getByRole('form', { name: 'Add account' });
  await form.getByLabel('Email address').fill(user);
  await form.getByLabel('Password').fill(cyrusEnv().password);
  await form.getByLabel('Server URL').fill(`${cyrusEnv().baseUrl}/`);
  t = performance.now();
  await form.getByRole('button', { name: 'Add account' }).click();
  const inbox = page.locator('[data-testid="mailbox"][data-role="inbox"]');
  await inbox.waitFor();
  const added = performance.now() - t;

  t = performance.now();
  await page.reload();
  await inbox.waitFor();
  const reload = performance.now() - t;

  print('bench:launch — headless host + Chromium, Cyrus on loopback', [
    ['host process start → ready', ms(hostReady)],
    ['page load → welcome screen', ms(welcome)],
    ['"Add account" click → mailbox list painted', ms(added)],
    ['reload with the account → mailbox list painted', ms(reload)],
    ['cold start total (host start → mailbox list, account present)', ms(hostReady + reload)],
  ]);
} finally {
  await browser.close();
  await host.stop();
}
