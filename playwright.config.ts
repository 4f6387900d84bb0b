import { defineConfig } from '@playwright/test';

// End-to-end tests drive the built renderer through the headless host in the system
// Chromium. `npm run test:e2e` builds the renderer first.
export default defineConfig({
  testDir: 'test/e2e',
  // Starts the project's Cyrus when running as root (idempotent); see test/server/.
  globalSetup: './test/support/cyrus-global-setup.ts',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  // One retry, reported as "flaky" in the output: in 1 of 5 full runs the host stopped answering
  // during the hostile-mail remote-content test (under investigation); a retry keeps such a
  // hiccup from blocking CI while the flaky report keeps it visible.
  retries: 1,
  fullyParallel: false,
  reporter: 'list',
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
  },
});
