import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/cyrus-global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Each file owns its Cyrus users; files still run one at a time to keep the 2-core CI calm.
          fileParallelism: false,
        },
      },
    ],
  },
});
