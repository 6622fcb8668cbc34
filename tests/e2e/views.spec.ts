// Issue 17, the views and feedback half, end to end in Debian's Chromium against `layerwise serve` on a fresh data
// folder: every view keeps its place on reload, back and forward; the live chart draws every batch's own loss and a
// validation point per epoch, each figure named; a drawn digit gets class probabilities; a 2-D run's decision
// boundary redraws while it trains; a CSV file and an image folder are uploaded through the page. Screenshots under
// test-results/e2e/. No timing is asserted: waits are hang guards (tests/support/patience.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, shot, test, watchConsole } from './fixtures.js';
import { ComparePage } from './pages/compare-page.js';
import { DataPage } from './pages/data-page.js';
import { LessonsPage } from './pages/lessons-page.js';
import { ProjectPage } from './pages/project-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { RunPage } from './pages/run-page.js';
import { RunsPage } from './pages/runs-page.js';
import { TrainingPage } from './pages/training-page.js';
import { TryModelPage } from './pages/try-model-page.js';
import { HANG_MS } from '../support/patience.js';
import { LESSONS } from '../../shared/lessons/registry.js';

/** The part of the address after `#`. */
const place = (page: import('@playwright/test').Page) => new URL(page.url()).hash;

test('every view keeps its place on reload, back and forward', async ({ page, studio }, testInfo) => {
  test.setTimeout(2 * HANG_MS);
  const problems = watchConsole(page);
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const training = new TrainingPage(page);
  const runs = new RunsPage(page);
  const run = new RunPage(page);
  const compare = new ComparePage(page);
  const lessons = new LessonsPage(page);

  await projects.goto(studio.url);
  expect(page.url()).not.toContain('token=');
  expect(place(page)).toBe('#/');

  await projects.createFromPreset('spiral-mlp', 'Places');
  await project.expectTitle('Places');
  await expect.poll(() => place(page)).toBe('#/projects/1/model');
  await page.reload();
  await project.expectTitle('Places');
  await expect(page.getByTestId('layer-stack')).toBeVisible();

  // Each tab is an address of its own: a reload shows the same tab.
  for (const tab of ['tricks', 'data'] as const) {
    await project.tab(tab);
    await expect.poll(() => place(page)).toBe(`#/projects/1/${tab}`);
    await page.reload();
    await expect(page.getByTestId(`tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
  }
  await expect(page.getByTestId('dataset-picker')).toBeVisible();
  await shot(page, testInfo, 'places-01-data-after-reload');

  // Two short runs.
  await project.setEpochs(3);
  await project.train.click();
  await expect.poll(() => place(page)).toBe('#/projects/1/training');
  await expect(training.runs).toHaveCount(1);
  await expect(training.runs.first()).toHaveAttribute('data-status', 'completed', { timeout: HANG_MS });
  await project.train.click();
  await expect(training.runs).toHaveCount(2);
  for (const item of await training.runs.all()) await expect(item).toHaveAttribute('data-status', 'completed', { timeout: HANG_MS });
  await page.reload();
  await expect(training.root).toBeVisible();
  await expect(training.runs).toHaveCount(2);

  await runs.open();
  await expect.poll(() => place(page)).toBe('#/projects/1/runs');
  await page.reload();
  await expect(runs.rows).toHaveCount(2);

  await runs.openRun(1);
  await expect.poll(() => place(page)).toBe('#/projects/1/runs/1');
  await page.reload();
  await expect(run.root).toHaveAttribute('data-run-id', '1');
  await run.expectStatus('completed');
  await shot(page, testInfo, 'places-02-run-after-reload');

  await runs.open();
  await runs.compare([1, 2]);
  await expect.poll(() => place(page)).toBe('#/projects/1/compare?runs=1,2');
  await page.reload();
  await expect(compare.root).toBeVisible();
  await expect.poll(() => compare.series()).toBeGreaterThan(0);
  await expect(compare.summaryRows).toHaveCount(2);
  // Saved: the address names the saved comparison from then on.
  await page.getByTestId('compare-name').fill('Pair');
  await page.getByTestId('compare-save').click();
  await expect.poll(() => place(page)).toBe('#/projects/1/compare/1');
  await page.reload();
  await expect(compare.root.locator('h3').first()).toHaveText('Pair');
  await expect(compare.summaryRows).toHaveCount(2);
  await shot(page, testInfo, 'places-03-saved-comparison-after-reload');

  // Back and forward walk the same places (saving replaced the unsaved comparison's entry).
  await page.goBack();
  await expect(runs.root).toBeVisible();
  await expect.poll(() => place(page)).toBe('#/projects/1/runs');
  await page.goBack();
  await expect(run.root).toHaveAttribute('data-run-id', '1');
  await page.goForward();
  await expect(runs.root).toBeVisible();
  await page.goForward();
  await expect(compare.root.locator('h3').first()).toHaveText('Pair');

  // The project list: its runs, and its best validation accuracy (a link to that run).
  await project.back();
  await expect.poll(() => place(page)).toBe('#/');
  const item = projects.item('Places');
  await expect(item.getByTestId('project-runs')).toHaveAttribute('data-runs', '2');
  await expect(item.getByTestId('project-runs')).toHaveText('2 runs');
  await expect(item.getByTestId('project-best')).toContainText('best validation accuracy');
  await shot(page, testInfo, 'places-04-project-list');
  await item.getByTestId('project-best').click();
  await expect(run.root).toBeVisible();
  await page.goBack();
  await expect(projects.root).toBeVisible();

  // The lessons, and one lesson.
  await lessons.open();
  await expect.poll(() => place(page)).toBe('#/lessons');
  await page.reload();
  await expect(lessons.lessons).toHaveCount(LESSONS.length);
  const c = lessons.lesson('c');
  const id = await c.getAttribute('data-lesson');
  await c.getByTestId('lesson-link').click();
  await expect.poll(() => place(page)).toBe(`#/lessons/${id}`);
  await page.reload();
  await expect(lessons.lesson('c')).toHaveAttribute('aria-current', 'true');
  await shot(page, testInfo, 'places-05-lesson-after-reload');
  await page.goBack();
  await expect.poll(() => place(page)).toBe('#/lessons');
  await page.goBack();
  await expect(projects.root).toBeVisible();
  // An address that names nothing lands on the project list.
  await page.goto(`${new URL(page.url()).origin}/#/nowhere/9`);
  await expect(projects.root).toBeVisible();

  expect(problems, 'errors in the page console').toEqual([]);
});

test('the live chart draws each batch’s loss and each epoch’s validation loss; a drawn digit gets class probabilities', async ({ page, studio }, testInfo) => {
  test.setTimeout(2 * HANG_MS);
  const problems = watchConsole(page);
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const training = new TrainingPage(page);
  const run = new RunPage(page);
  const trial = new TryModelPage(page);

  await projects.goto(studio.url);
  await projects.createFromPreset('mnist-mlp', 'Digits live');
  await project.expectTitle('Digits live');
  await project.setEpochs(2);
  await project.train.click();
  await expect(training.root).toBeVisible();
  // Pause once the first batches are in: the run card names its live figures.
  await expect.poll(() => training.points(training.lossChart), { timeout: HANG_MS }).toBeGreaterThan(0);
  await training.runs.first().getByTestId('run-pause').click();
  await expect(training.runs.first()).toHaveAttribute('data-status', 'paused', { timeout: HANG_MS });
  const card = training.runs.first().getByTestId('run-figures');
  await expect(card.getByTestId('figure-last-batch')).toContainText('training loss, last batch');
  await expect(card.getByTestId('figure-epoch-mean')).toContainText('training loss, mean of this epoch so far');
  await training.line(training.lossChart).waitFor({ state: 'attached' });
  await shot(page, testInfo, 'live-01-paused-mid-epoch');
  await training.runs.first().getByTestId('run-resume').click();
  await expect(training.runs.first()).toHaveAttribute('data-status', 'completed', { timeout: HANG_MS });

  // 8,000 digits in batches of 64: 125 steps per epoch, each with its own loss; one validation point per epoch.
  await expect.poll(() => training.points(training.lossChart)).toBe(250);
  await expect.poll(() => training.valPoints(training.lossChart)).toBe(2);
  await expect.poll(() => training.valPoints(training.accuracyChart)).toBe(2);
  // Raw losses (faint), the smoothed line, the training loss's epoch means and the validation loss.
  await expect(training.lossChart).toHaveAttribute('data-series', '4');
  await page.getByTestId('live-raw').uncheck();
  await expect(training.lossChart).toHaveAttribute('data-series', '3');
  await page.getByTestId('live-raw').check();
  await expect(card.getByTestId('figure-final')).toContainText('training accuracy');
  await expect(card.getByTestId('figure-final')).toContainText('validation accuracy');
  await expect(card.getByTestId('figure-final')).toContainText('test accuracy');
  await shot(page, testInfo, 'live-02-finished');
  // The smoothing is the user's: kept after a reload.
  await page.getByTestId('live-smoothing').fill('0.9');
  await page.reload();
  await expect(page.getByTestId('live-smoothing')).toHaveValue('0.9');
  await expect.poll(() => training.valPoints(training.lossChart)).toBe(2);

  // Try the model: draw a 1 (a vertical stroke) and a 7.
  await training.runs.first().getByTestId('run-details').click();
  await run.expectStatus('completed');
  await expect(trial.pad).toBeVisible();
  await trial.draw([
    [
      [0.5, 0.15],
      [0.52, 0.5],
      [0.5, 0.85],
    ],
  ]);
  await expect(trial.result).toBeVisible({ timeout: HANG_MS });
  await expect(trial.probabilities).toHaveCount(10);
  const probs = await trial.probabilityMap();
  const sum = Object.values(probs).reduce((a, b) => a + b, 0);
  expect(sum).toBeGreaterThan(0.99);
  expect(sum).toBeLessThan(1.01);
  const predicted = await trial.result.getAttribute('data-predicted');
  const top = Object.entries(probs).sort((a, b) => b[1] - a[1])[0]![0];
  expect(predicted).toBe(top);
  await expect(trial.root.getByTestId('try-prediction')).toContainText(`Predicted: ${top}`);
  await shot(page, testInfo, 'try-01-drawn-digit');
  await trial.root.getByTestId('draw-clear').click();
  await expect(trial.result).toHaveCount(0);
  await trial.draw([
    [
      [0.2, 0.2],
      [0.8, 0.2],
      [0.45, 0.85],
    ],
  ]);
  await expect(trial.result).toBeVisible({ timeout: HANG_MS });
  await expect(trial.probabilities).toHaveCount(10);
  await shot(page, testInfo, 'try-02-another-digit');

  expect(problems, 'errors in the page console').toEqual([]);
});

test('a 2-D run’s decision boundary redraws while it trains, and Try the model predicts a clicked point', async ({ page, studio }, testInfo) => {
  test.setTimeout(2 * HANG_MS);
  const problems = watchConsole(page);
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const training = new TrainingPage(page);
  const run = new RunPage(page);
  const trial = new TryModelPage(page);

  await projects.goto(studio.url);
  await projects.createFromPreset('spiral-mlp', 'Boundary');
  await project.expectTitle('Boundary');
  await project.setEpochs(40);
  await project.train.click();
  await expect(training.boundary).toBeVisible();
  await expect.poll(() => training.boundaryEpoch(), { timeout: HANG_MS }).toBeGreaterThan(0);
  // Paused in the middle of training: the picture is that of an early epoch…
  await training.runs.first().getByTestId('run-pause').click();
  await expect(training.runs.first()).toHaveAttribute('data-status', 'paused', { timeout: HANG_MS });
  const early = await training.boundaryEpoch();
  expect(early).toBeLessThan(40);
  const earlyPixels = await training.boundaryPixels();
  await shot(page, testInfo, 'boundary-01-early');
  // …and after more epochs it is redrawn from the new one.
  await training.runs.first().getByTestId('run-resume').click();
  await expect.poll(() => training.boundaryEpoch(), { timeout: HANG_MS }).toBeGreaterThan(early);
  expect(await training.boundaryPixels()).not.toBe(earlyPixels);
  await expect(training.runs.first()).toHaveAttribute('data-status', 'completed', { timeout: HANG_MS });
  await expect.poll(() => training.boundaryEpoch()).toBe(40);
  await shot(page, testInfo, 'boundary-02-done');
  // After a reload the picture comes from the run's last checkpoint.
  await page.reload();
  await expect.poll(() => training.boundaryEpoch(), { timeout: HANG_MS }).toBe(40);

  await training.runs.first().getByTestId('run-details').click();
  await run.expectStatus('completed');
  await expect(trial.root).toHaveAttribute('data-mode', 'point');
  const picture = trial.root.getByTestId('boundary-canvas');
  await expect(picture).toBeVisible({ timeout: HANG_MS });
  await picture.click({ position: { x: 200, y: 120 } });
  await expect(trial.result).toBeVisible({ timeout: HANG_MS });
  await expect(trial.probabilities).toHaveCount(3);
  await trial.root.getByTestId('try-row').fill('0.1, -0.4');
  await trial.root.getByTestId('try-predict').click();
  await expect(trial.probabilities).toHaveCount(3);
  await shot(page, testInfo, 'boundary-03-try-a-point');

  expect(problems, 'errors in the page console').toEqual([]);
});

test('a CSV file and an image folder uploaded through the page', async ({ page, studio }, testInfo) => {
  test.setTimeout(HANG_MS);
  const problems = watchConsole(page).filter((p) => !p.includes('400'));
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const data = new DataPage(page);

  await projects.goto(studio.url);
  await projects.createBlank('Uploads');
  await project.expectTitle('Uploads');
  await project.tab('data');
  await expect(page.getByTestId('data-import')).toHaveAttribute('data-access', 'upload');

  // A bad CSV: refused naming the uploaded file and its row.
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'odd' : 'even'}`);
  const bad = testInfo.outputPath('bad.csv');
  writeFileSync(bad, ['a,b,parity', ...rows.slice(0, 10), '1,oops,odd', ...rows.slice(10)].join('\n'));
  await data.uploadCsv(bad, 'parity');
  await expect(page.getByTestId('import-error')).toContainText('bad.csv');
  await expect(page.getByTestId('import-error')).toContainText('row');
  // A good one becomes the selected dataset, previewed as a scatter of its two features.
  const good = testInfo.outputPath('points.csv');
  writeFileSync(good, ['a,b,parity', ...rows].join('\n'));
  await data.uploadCsv(good, 'parity');
  await expect(page.getByTestId('import-note')).toContainText('target "parity" (classification)');
  await expect(page.getByTestId('dataset-imported').locator('input')).toBeChecked();
  await expect(page.getByTestId('dataset-imported')).toContainText('points');
  await data.scatter.locator('svg path').first().waitFor({ state: 'attached' });
  await shot(page, testInfo, 'upload-01-csv');

  // An image folder picked as a folder: photos/<class>/<image>.png.
  const dir = testInfo.outputPath('photos');
  for (const [name, color] of [
    ['red', { r: 220, g: 40, b: 40 }],
    ['blue', { r: 40, g: 40, b: 220 }],
  ] as const) {
    mkdirSync(join(dir, name), { recursive: true });
    for (let i = 0; i < 6; i++) {
      const png = await sharp({ create: { width: 10 + i, height: 10, channels: 3, background: color } }).png().toBuffer();
      writeFileSync(join(dir, name, `${i}.png`), png);
    }
  }
  await data.uploadFolder(dir);
  await expect(page.getByTestId('import-note')).toContainText('12 images', { timeout: HANG_MS });
  await expect(page.getByTestId('dataset-imported')).toContainText('photos');
  await shot(page, testInfo, 'upload-02-image-folder');

  expect(problems, 'errors in the page console').toEqual([]);
});
