// `npm run bench:fit` (and other Vitest benches): plain Vitest files under bench/ that measure and print, never assert
// on time (speed targets live here, not in the test suite).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    environment: 'node',
    testTimeout: 30 * 60_000,
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
