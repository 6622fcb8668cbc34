// A sweep from the studio's form, end to end in Debian's Chromium against `layerwise serve` on a fresh data
// folder: four learning rates of the spiral MLP, pruned by ASHA; the trial table fills in live, a trial is pruned
// (and says so in the runs list), the parallel plot and the importance fill, and the best run is one click from
// the comparison of the best trials. Screenshots under test-results/e2e/.
import { expect, shot, test, watchConsole } from './fixtures.js';
import { ProjectPage } from './pages/project-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { RunPage } from './pages/run-page.js';
import { SweepsPage } from './pages/sweeps-page.js';
import { HANG_MS } from '../support/patience.js';

test('start a tiny sweep from the form and watch the table fill, with a pruned trial', async ({ page, studio }, testInfo) => {
  test.setTimeout(2 * HANG_MS);
  const problems = watchConsole(page);
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const sweeps = new SweepsPage(page);
  const run = new RunPage(page);

  await projects.goto(studio.url);
  await projects.createFromPreset('spiral-mlp', 'Spiral sweep');
  await project.expectTitle('Spiral sweep');
  await project.setEpochs(6);
  await project.tab('sweeps');
  await expect(sweeps.form).toBeVisible();

  // A bad range is refused in the form, naming the field and the value.
  await sweeps.form.getByTestId('param-min').fill('0.1');
  await sweeps.form.getByTestId('param-max').fill('0.01');
  await expect(sweeps.form.getByTestId('sweep-form-errors')).toContainText('parameters[0].max must be greater than min (0.1) (got 0.01)');
  await expect(sweeps.form.getByTestId('sweep-start')).toBeDisabled();

  await sweeps.fill({ name: 'Four learning rates', method: 'grid', concurrency: 1, minEpochs: 1, eta: 2 });
  await sweeps.listParameter(0, 'tricks.adam.learningRate', '0.0001, 0.003, 0.03, 0.3');
  await expect(page.getByTestId('sweep-plan')).toContainText('Up to 4 trials of 6 epochs each. ASHA judges trials at epochs 1, 2, 4.');
  await shot(page, testInfo, '01-sweep-form');
  await sweeps.start();

  // The table fills in live, and ASHA prunes at least one trial.
  await expect(sweeps.rows.first()).toBeVisible({ timeout: HANG_MS });
  await expect(sweeps.rowsIn('pruned').first()).toBeVisible({ timeout: HANG_MS });
  await sweeps.expectStatus('completed');
  await expect(sweeps.rows).toHaveCount(4);
  await expect(page.getByTestId('sweep-status')).toContainText('grid done: 4 points');
  const pruned = sweeps.rowsIn('pruned');
  const nPruned = await pruned.count();
  expect(nPruned).toBeGreaterThanOrEqual(1);
  await expect(sweeps.summary).toHaveAttribute('data-pruned', String(nPruned));
  await expect(pruned.first().locator('[data-col="state"]')).toHaveText('pruned');
  await expect(sweeps.rowsIn('completed').first()).toBeVisible();
  // Sorting by validation loss puts the best trial (★) first.
  await page.getByTestId('trial-sort-valLoss').click();
  await expect(sweeps.rows.first().locator('[data-col="number"]')).toContainText('★');
  await expect(sweeps.parallel).toHaveAttribute('data-lines', '4');
  await expect(sweeps.parallel.locator('svg path').first()).toBeAttached();
  await expect(sweeps.importance).toHaveCount(1);
  await shot(page, testInfo, '02-sweep-done');

  // The pruned trial's run says so in the runs list.
  const prunedRun = await pruned.first().getByTestId('trial-open-run').getAttribute('data-run-id');
  await project.tab('runs');
  const row = page.locator(`[data-testid="run-row"][data-run-id="${prunedRun}"]`);
  await expect(row).toHaveAttribute('data-status', 'stopped');
  await expect(row).toHaveAttribute('data-sweep-state', 'pruned');
  await expect(row.getByTestId('run-pruned')).toBeVisible();

  // The best trials compared; the best run is one click from there.
  await project.tab('sweeps');
  await page.getByTestId('sweep-compare').click();
  await expect(page.getByTestId('comparison-view')).toBeVisible();
  const bestButton = page.getByTestId('compare-best-run');
  await expect(bestButton).toBeVisible();
  const bestRunId = await bestButton.getAttribute('data-run-id');
  await expect(page.locator(`[data-testid="summary-row"][data-run-id="${prunedRun}"] [data-col="status"]`)).toHaveText('stopped · pruned');
  await shot(page, testInfo, '03-compare-best');
  // Called by its number there as in the comparison's button (`#N`).
  const bestNumber = /#\d+/.exec(await bestButton.innerText())![0];
  await bestButton.click();
  await expect(run.root).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/runs/${bestRunId}$`));
  await expect(page.getByTestId(`tab-run`)).toContainText(bestNumber);
  await run.expectStatus('completed');
  expect(problems).toEqual([]);
});
