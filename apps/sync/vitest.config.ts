import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // `pnpm test` runs every package's suite at once on a 2-core machine: tests that start
    // servers, gpg or child processes need more than vitest's 5 s default there.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
