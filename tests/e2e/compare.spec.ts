// Issue 7 end to end, in Debian's Chromium against `layerwise serve` on a fresh data folder: two runs that
// differ only in dropout compared (two curves, exactly one diff row), saved and reopened; a run's own view;
// an ablation of two tricks filling in live; lesson (e) on the small budget with its verdict and its diverged arm; and the compare
// view under 20 runs × 10,000 live points, with the worst frame printed. Screenshots under test-results/e2e/.
import { expect, shot, test, watchConsole } from './fixtures.js';
import { ComparePage, startFrameWatch, stopFrameWatch } from './pages/compare-page.js';
import { LessonsPage } from './pages/lessons-page.js';
import { ProjectPage } from './pages/project-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { RunPage } from './pages/run-page.js';
import { RunsPage } from './pages/runs-page.js';
import { TrainingPage } from './pages/training-page.js';
import { TricksPage } from './pages/tricks-page.js';
import { HANG_MS } from '../support/patience.js';

test('compare two runs that differ only in dropout, look into one, and ablate two tricks', async ({ page, studio }, testInfo) => {
  test.setTimeout(3 * HANG_MS);
  const problems = watchConsole(page);
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const tricks = new TricksPage(page);
  const training = new TrainingPage(page);
  const runs = new RunsPage(page);
  const compare = new ComparePage(page);
  const run = new RunPage(page);

  await projects.goto(studio.url);
  await projects.createFromPreset('mnist-mlp', 'Dropout study');
  await project.expectTitle('Dropout study');
  await project.setEpochs(2);
  await project.tab('tricks');
  await tricks.set('dropout', false);
  await project.train.click();
  await expect(training.runs).toHaveCount(1);
  await project.tab('tricks');
  await tricks.set('dropout', true);
  await project.train.click();
  await expect(training.runs).toHaveCount(2);
  for (const item of await training.runs.all()) await expect(item).toHaveAttribute('data-status', 'completed', { timeout: HANG_MS });

  // Pick both → two curves and exactly one diff row, `dropout`.
  await runs.open();
  await expect(runs.rows).toHaveCount(2);
  await runs.compare([1, 2]);
  await expect(compare.root).toBeVisible();
  await expect.poll(() => compare.series()).toBe(2);
  await expect(compare.diffRows).toHaveCount(1);
  await expect(compare.diffRows.first()).toHaveAttribute('data-field', 'dropout');
  await expect(compare.summaryRows).toHaveCount(2);
  await expect(compare.canvas()).toBeVisible();
  await expect(page.getByTestId('compute-seconds').locator('svg path').first()).toBeAttached();
  await shot(page, testInfo, '01-compare-dropout');

  // Save it with notes, and reopen it from the run list.
  await compare.save('Dropout or not', 'Two epochs each; the only difference is dropout.');
  await runs.open();
  await expect(runs.saved).toHaveCount(1);
  await runs.openSaved('Dropout or not');
  await expect(compare.root.getByTestId('compare-notes')).toHaveValue('Two epochs each; the only difference is dropout.');
  await expect(compare.diffRows).toHaveCount(1);
  await expect.poll(() => compare.series()).toBe(2);

  // The first run in detail.
  await runs.open();
  await runs.openRun(1);
  await expect(run.root).toBeVisible();
  await run.expectStatus('completed');
  await expect(run.fact('backend')).not.toHaveText('');
  await expect(run.fact('parameters')).toHaveText(/\d/);
  await expect(run.fact('seconds')).toHaveText(/\d/);
  await expect(run.fact('seed')).toHaveText('1');
  await expect(run.confusionCells).toHaveCount(100);
  await expect(run.misclassified.first()).toBeVisible();
  await expect(run.checkpoints.first()).toBeVisible();
  await expect.poll(async () => Number(await run.curve('loss').getAttribute('data-points'))).toBeGreaterThan(1);
  await expect(run.layerChart).toBeVisible();
  await shot(page, testInfo, '02-run-view');

  // Ablate… dropout and batch norm: a comparison that fills in live as the siblings train.
  await run.ablate(['dropout', 'batchNorm']);
  await expect(compare.root).toHaveAttribute('data-kind', 'ablation');
  await expect(compare.progress).toHaveAttribute('data-total', '3');
  await startFrameWatch(page);
  await expect(compare.summaryRows.locator('xpath=self::*[@data-status="running"]').first()).toBeAttached({ timeout: HANG_MS });
  await shot(page, testInfo, '03-ablation-filling');
  await compare.expectAllFinished(3, HANG_MS);
  const frames = await stopFrameWatch(page);
  console.log(`[frames] compare view while the ablation filled in: ${frames.frames} frames, worst ${frames.worst} ms between frames, ${frames.long} long frames (worst ${frames.longWorst} ms)`);
  await expect.poll(() => compare.series()).toBe(3);
  await expect(compare.diffRows).toHaveCount(2);
  expect(await compare.diffRows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-field')).sort())).toEqual(['batchNorm', 'dropout']);
  await shot(page, testInfo, '04-ablation-done');

  expect(problems, 'errors in the page console').toEqual([]);
});

test('lesson (e) clipping on the small budget: the verdict names what it judged, the diverged arm is on the chart', async ({ page, studio }, testInfo) => {
  test.setTimeout(3 * HANG_MS);
  const problems = watchConsole(page);
  const projects = new ProjectsPage(page);
  const lessons = new LessonsPage(page);
  const compare = new ComparePage(page);
  await projects.goto(studio.url);
  await lessons.open();
  await expect(lessons.lessons).toHaveCount(10);
  await expect(lessons.lesson('e')).toHaveAttribute('data-lesson', 'clipping');
  await shot(page, testInfo, '05-lessons');
  await lessons.run('e', 'small');
  await expect(compare.root).toHaveAttribute('data-kind', 'lesson');
  await expect(compare.verdict).toBeVisible();
  await expect(page.getByTestId('verdict-status')).toBeVisible();
  await shot(page, testInfo, '06-lesson-running');
  await expect(compare.verdict).toHaveAttribute('data-ready', 'true', { timeout: HANG_MS });
  const verdict = await page.getByTestId('verdict-text').innerText();
  console.log(`[lesson e] ${await page.getByTestId('verdict-status').innerText()} ${verdict}`);
  expect(verdict).toMatch(/\d/);
  await expect(page.getByTestId('verdict-arm')).toHaveCount(3);
  // One judged quantity per clipped arm, each naming the test accuracy it judged.
  await expect(page.getByTestId('verdict-judged-item')).toHaveCount(2);
  await expect(page.getByTestId('verdict-judged-item').first()).toContainText('test accuracy');
  // At learning rate 2 the unclipped runs diverge in their first epoch: no points, but a mark on the chart.
  await expect(compare.chart).toHaveAttribute('data-diverged', '2');
  await expect.poll(() => compare.series()).toBeGreaterThanOrEqual(3);
  await shot(page, testInfo, '07-lesson-verdict');
  expect(problems, 'errors in the page console').toEqual([]);
});

test('the compare view stays smooth with 20 runs × 10,000 points filling in live', async ({ page, studio }, testInfo) => {
  test.setTimeout(2 * HANG_MS);
  const problems = watchConsole(page);
  // The page is served without the token: the performance page needs no API.
  await page.goto(`${new URL(studio.url).origin}/?perf=compare`);
  const result = page.getByTestId('perf-result');
  await expect(result).toHaveAttribute('data-done', 'true', { timeout: HANG_MS });
  const perf = (await page.evaluate('window.__layerwisePerf')) as {
    baselineMs: number;
    medianFrameMs: number;
    p95FrameMs: number;
    frames: number;
    worstFrameMs: number;
    worstLongFrameMs: number;
    longFrames: number;
    initialMs: number;
    points: number;
  };
  console.log(
    `[perf] compare view, 20 runs × 10,000 points live: ${perf.frames} frames, median ${perf.medianFrameMs} ms, p95 ${perf.p95FrameMs} ms, ` +
      `worst frame ${perf.worstFrameMs} ms (rAF delta), ` +
      `${perf.longFrames} long animation frames (worst ${perf.worstLongFrameMs} ms); first paint ${perf.initialMs} ms; ` +
      `the same page idle (before loading and after the live phase, the worse): worst frame ${perf.baselineMs} ms`,
  );
  await shot(page, testInfo, '08-perf-compare');
  expect(perf.points).toBe(200_000);
  expect(await page.getByTestId('compare-chart').getAttribute('data-series')).toBe('20');
  // Frame times are printed above, not asserted: a speed figure depends on what else the machine runs, so its
  // target (median frame under one vsync, worst under 50 ms) lives in docs/PERFORMANCE.md, measured on a quiet machine.
  expect(perf.frames).toBeGreaterThan(0);
  expect(problems, 'errors in the page console').toEqual([]);
});
