// Playwright fixtures: a fresh headless host per test, a network guard that lets the page
// talk to that host only, and a watch on the page's console for errors (CSP violations
// among them).
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { repoRoot } from '../../support/cyrus';
import { startHost, type RunningHost } from './host';

export interface NetworkGuard {
  /** URLs the page tried to reach outside the host; each was aborted. */
  blocked: string[];
  /** Requests that reached an allowed origin other than the host's. */
  allowed: string[];
  /** Lets the page reach one more exact origin (e.g. a test's own loopback server). */
  allow(origin: string): void;
}

export interface ConsoleWatch {
  errors: string[];
  /** Console errors matching these are expected by the test (e.g. after stopping the host). */
  allow(pattern: RegExp): void;
}

export const test = base.extend<{ host: RunningHost; network: NetworkGuard; consoleWatch: ConsoleWatch }>({
  // eslint-disable-next-line no-empty-pattern
  host: async ({}, use, testInfo) => {
    const host = await startHost();
    try {
      await use(host);
    } finally {
      // A failed test prints what the host said: a host that stopped answering says why here.
      if (testInfo.status !== testInfo.expectedStatus) {
        const log = host.log();
        await testInfo.attach('host-stderr', { body: log, contentType: 'text/plain' });
        console.log(`[host stderr, last 4 kB]\n${log.slice(-4096)}`);
      }
      await host.stop();
    }
  },

  network: [
    async ({ context, host }, use) => {
      const origins = new Set<string>();
      const guard: NetworkGuard = {
        blocked: [],
        allowed: [],
        allow: (origin) => {
          // Exact origins only: an allowlist entry must not widen to a whole host or scheme.
          if (new URL(origin).origin !== origin) throw new Error(`not an origin: ${origin}`);
          origins.add(origin);
        },
      };
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        const origin = new URL(url).origin;
        if (origin === host.origin) return route.continue();
        if (origins.has(origin)) {
          guard.allowed.push(url);
          return route.continue();
        }
        guard.blocked.push(url);
        return route.abort('blockedbyclient');
      });
      await use(guard);
      expect(guard.blocked, 'requests outside the host').toEqual([]);
    },
    { auto: true },
  ],

  consoleWatch: [
    async ({ page }, use) => {
      const allowed: RegExp[] = [];
      const watch: ConsoleWatch = { errors: [], allow: (pattern) => allowed.push(pattern) };
      page.on('console', (message) => {
        if (message.type() === 'error') watch.errors.push(message.text());
      });
      page.on('pageerror', (error) => watch.errors.push(`uncaught: ${error.message}`));
      await use(watch);
      const unexpected = watch.errors.filter((text) => !allowed.some((pattern) => pattern.test(text)));
      expect(unexpected, 'console errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export const screenshotDir = join(repoRoot, 'test-results/e2e/screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(screenshotDir, name);
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path });
}
