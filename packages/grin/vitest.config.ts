import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Contract tests move 25,000-row listings over loopback HTTP; on a shared 2-core machine
    // running other packages' tests at the same time they need more than the 5 s default.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
