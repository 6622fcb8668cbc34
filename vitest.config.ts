import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  // Compiles the studio's .vue components for tests/renderer (which pick happy-dom with a file comment).
  plugins: [vue()],
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    environment: 'node',
    // Hang guards, not speed budgets (tests/support/patience.ts): a 3× slower, busy machine must still pass.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // tfjs and the wasm backend are heavy: give each file its own worker but keep the 2-core machine calm.
    maxWorkers: 2,
    reporters: ['default', './tests/support/summary-reporter.ts'],
  },
});
