import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,sensor,server,cli,web}/{src,test,e2e}/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite instances are heavy (0.4-0.9 GB each): keep a small pool on this 2-core box.
    pool: 'forks',
    maxWorkers: 2,
  },
});
