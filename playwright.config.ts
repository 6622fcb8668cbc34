// End-to-end tests of the studio page (tests/e2e/) in Debian's Chromium against `layerwise serve`
// (each test starts its own host on a fresh data folder). No browser is ever downloaded:
// `apt-get install chromium` (.ci/apt-packages.sh). Needs the build (`npm run build`) first.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  // Hang guards, not speed budgets (tests/support/patience.ts): a 3× slower, busy machine must still pass.
  timeout: 900_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  // One retry: a test that passes on its second try is reported as flaky (not hidden) by the list reporter. Added
  // after one unexplained hang in trust.spec's third test (1 of 5 full runs; its second Train never ran); see
  // the closing note of that round.
  retries: 1,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1360, height: 900 },
    // A click waits at most this long for its element to become actionable (else it would wait out the test).
    actionTimeout: 300_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.LAYERWISE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
