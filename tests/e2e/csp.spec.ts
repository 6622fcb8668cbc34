// The strict CSP in Chromium (core/host/csp.ts: style-src 'self', no 'unsafe-inline'): the studio loaded
// from `layerwise serve`, every screen with a chart opened and its tooltip brought up by the mouse (the
// place ECharts would write HTML with style attributes), and not one violation. The fixture checks every
// e2e test the same way; this one makes sure each chart screen is visited.
import { cspViolations, expect, test } from './fixtures.js';
import { ComparePage } from './pages/compare-page.js';
import { DataPage } from './pages/data-page.js';
import { ProjectPage } from './pages/project-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { RunPage } from './pages/run-page.js';
import { RunsPage } from './pages/runs-page.js';
import { TrainingPage } from './pages/training-page.js';
import type { Locator, Page } from '@playwright/test';

/** Moves the mouse across a chart (tooltips, axis pointers, hover styles), then away. */
async function hover(page: Page, chart: Locator): Promise<void> {
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.boundingBox();
  expect(box, 'the chart is laid out').not.toBeNull();
  for (const f of [0.3, 0.5, 0.7]) {
    await page.mouse.move(box!.x + box!.width * f, box!.y + box!.height * 0.5, { steps: 4 });
  }
  await page.mouse.move(0, 0);
}

test('every chart screen under the strict CSP: no inline style or script is refused', async ({ page, studio }) => {
  test.setTimeout(300_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const data = new DataPage(page);
  const training = new TrainingPage(page);
  const runs = new RunsPage(page);
  const run = new RunPage(page);
  const compare = new ComparePage(page);

  const response = await page.goto(studio.url);
  const csp = response!.headers()['content-security-policy']!;
  expect(csp).toContain("style-src 'self';");
  expect(csp).not.toContain('unsafe-inline');
  await expect(page.getByTestId('projects-empty')).toBeVisible();

  await projects.createFromPreset('spiral-mlp', 'Strict CSP');
  await project.expectTitle('Strict CSP');

  // Data: the class histogram (and the scatter of the 2-D points).
  await project.tab('data');
  await data.histogram.locator('svg path').first().waitFor({ state: 'attached' });
  await hover(page, data.histogram);

  // Two short runs: the live loss and accuracy charts.
  await project.setEpochs(2);
  await project.train.click();
  await expect(training.root).toBeVisible();
  await project.train.click();
  await expect(training.runs).toHaveCount(2);
  for (const item of await training.runs.all()) await expect(item).toHaveAttribute('data-status', 'completed', { timeout: 180_000 });
  await training.line(training.lossChart).waitFor({ state: 'attached' });
  await hover(page, training.lossChart);
  await hover(page, training.accuracyChart);

  // A run's own view: its curves and the per-layer panel.
  await runs.open();
  await runs.openRun(1);
  await expect(run.root).toBeVisible();
  await run.expectStatus('completed');
  await expect.poll(async () => Number(await run.curve('loss').getAttribute('data-points'))).toBeGreaterThan(1);
  await hover(page, run.curve('loss'));
  await expect(run.layerChart).toBeVisible();
  await hover(page, run.layerChart);

  // The comparison: the canvas curves and the compute scatter.
  await runs.open();
  await runs.compare([1, 2]);
  await expect(compare.root).toBeVisible();
  await expect.poll(() => compare.series()).toBe(2);
  await hover(page, compare.chart);
  const compute = page.getByTestId('compute-seconds');
  await expect(compute.locator('svg path').first()).toBeAttached();
  await hover(page, compute);

  // The fixture asserts this too at the end; here it names the screen list above as the one checked.
  expect(await cspViolations(page)).toEqual([]);
  expect(problems, 'errors on the page').toEqual([]);
});
