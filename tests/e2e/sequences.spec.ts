// Issue 20's sequence data end to end in Debian's Chromium against `layerwise serve` on a fresh data folder: a CSV
// file uploaded through the page as a text column of tokens is previewed as its texts read back, and as numeric
// windows its first windows are drawn as lines. No timing is asserted: waits are hang guards (tests/support/patience.ts).
import { join } from 'node:path';
import { expect, shot, test, watchConsole } from './fixtures.js';
import { DataPage } from './pages/data-page.js';
import { ProjectPage } from './pages/project-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { HANG_MS } from '../support/patience.js';

const examples = join(import.meta.dirname, '../../examples');

test('a CSV file uploaded as tokens and as windows, each previewed as what it is', async ({ page, studio }, testInfo) => {
  test.setTimeout(HANG_MS);
  const problems = watchConsole(page);
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const data = new DataPage(page);

  await projects.goto(studio.url);
  await projects.createBlank('Sequences');
  await project.expectTitle('Sequences');
  await project.tab('data');

  await data.uploadSequences(join(examples, 'reviews.csv'), 'text', { target: 'label', length: '12' });
  await expect(page.getByTestId('import-note')).toContainText('vocabulary', { timeout: HANG_MS });
  await expect(page.getByTestId('dataset-imported')).toContainText('reviews');
  // Rows read back as words, each after its class; never a scatter of two token ids.
  await expect(data.tokenRows.first()).toHaveText(/^(pos|neg) [a-z]+( [a-z<>]+)*$/);
  expect(await data.tokenRows.count()).toBeGreaterThan(1);
  await expect(data.scatter).toHaveCount(0);
  await shot(page, testInfo, 'sequences-01-text');

  await data.uploadSequences(join(examples, 'sensor.csv'), 'series', { label: 'direction', 'label-column': 'temp', window: '16' });
  await expect(page.getByTestId('dataset-imported')).toContainText('sensor', { timeout: HANG_MS });
  await data.seriesLines.locator('svg path').first().waitFor({ state: 'attached' });
  await expect(page.getByTestId('dataset-picker')).toContainText('feature 1 over their 16 steps');
  await shot(page, testInfo, 'sequences-02-series');

  expect(problems, 'errors in the page console').toEqual([]);
});
