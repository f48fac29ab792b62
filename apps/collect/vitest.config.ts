import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Child processes (tsx start-up) are slow on a busy 2-core machine.
    testTimeout: 90_000,
    hookTimeout: 30_000,
  },
});
