// Issue 17, the trust half, end to end in Debian's Chromium against `layerwise serve` on a fresh data folder
// per test: the draft is the experiment (finding 1), every disabled Train says why with a link to the field
// (findings 2 and 4), one name per run and layers by editor position (6), comparisons that show noise (7), the
// theme switch and the small items (8). Training stays tiny: the 2-D spiral set, one epoch. Screenshots under
// test-results/e2e/<test>/.
import { expect, shot, test, watchConsole } from './fixtures.js';
import { ComparePage } from './pages/compare-page.js';
import { DataPage } from './pages/data-page.js';
import { EditorPage } from './pages/editor-page.js';
import { ProjectPage } from './pages/project-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { RunPage } from './pages/run-page.js';
import { RunsPage } from './pages/runs-page.js';
import { TrainingPage } from './pages/training-page.js';
import { TricksPage } from './pages/tricks-page.js';
import { HANG_MS } from '../support/patience.js';

test('the draft is the experiment: kept as left, never replaced by an ablation, a repeat or a reload', async ({ page, studio }, testInfo) => {
  test.setTimeout(3 * HANG_MS);
  const problems = watchConsole(page);
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const tricks = new TricksPage(page);
  const training = new TrainingPage(page);
  const runs = new RunsPage(page);
  const run = new RunPage(page);
  const compare = new ComparePage(page);

  await projects.goto(studio.url);
  await projects.createFromPreset('spiral-mlp', 'Draft');
  await project.expectTitle('Draft');
  await project.setEpochs(1);
  await project.tab('tricks');
  await tricks.set('dropout', true);
  await tricks.param('dropout', 'rate').fill('0.2');
  // Never trained: back to the list and in again, then a reload — the ticked trick and its rate are there.
  await project.back();
  await projects.open('Draft');
  await project.tab('tricks');
  await expect(tricks.toggle('dropout')).toBeChecked();
  await expect(tricks.param('dropout', 'rate')).toHaveValue('0.2');
  // A reload keeps the place (the project's tricks tab).
  await page.reload();
  await project.expectTitle('Draft');
  await project.tab('tricks');
  await expect(tricks.toggle('dropout')).toBeChecked();
  await expect(tricks.param('dropout', 'rate')).toHaveValue('0.2');
  await expect(page.getByTestId('epochs')).toHaveValue('1');
  await expect(project.seedSummary).toHaveText('Seed 1 (fixed)');
  await shot(page, testInfo, '01-draft-after-reload');

  // Train #1, then repeat it with 3 seeds and ablate its dropout: runs #2–#4, none of them the draft.
  await project.train.click();
  await expect(training.runs).toHaveCount(1);
  await expect(training.runs.first()).toHaveAttribute('data-status', 'completed', { timeout: HANG_MS });
  await expect(training.runs.first()).toHaveAttribute('data-seed', '1');
  await runs.open();
  await runs.openRun(1);
  await run.expectStatus('completed');
  await run.root.getByTestId('repeat').click();
  await expect(compare.root).toHaveAttribute('data-kind', 'seeds');
  await runs.open();
  await runs.openRun(1);
  await run.ablate(['dropout']);
  await expect(compare.root).toHaveAttribute('data-kind', 'ablation');
  await compare.expectAllFinished(2, HANG_MS);
  // The panel still shows the user's config, not the last arm's (dropout off).
  await project.tab('tricks');
  await expect(tricks.toggle('dropout')).toBeChecked();
  await expect(tricks.param('dropout', 'rate')).toHaveValue('0.2');
  await shot(page, testInfo, '02-tricks-after-ablation');

  // A plain Train uses the draft's seed policy (seed 1), not the repeat's last seed (3).
  await project.tab('training');
  for (const item of await training.runs.all()) await expect(item).not.toHaveAttribute('data-status', /queued|running/, { timeout: HANG_MS });
  await project.train.click();
  const fifth = page.locator('[data-testid="run-item"][data-run-number="5"]');
  await expect(fifth).toHaveAttribute('data-seed', '1');
  await expect(fifth.getByTestId('run-seed')).toHaveText('seed 1');
  // "A new seed each run": one no run of the project used.
  await project.tab('tricks');
  await tricks.seedPolicy('fresh');
  await expect(project.seedSummary).toHaveText('New seed each run (next: 4)');
  await project.train.click();
  await expect(page.locator('[data-testid="run-item"][data-run-number="6"]')).toHaveAttribute('data-seed', '4');
  await shot(page, testInfo, '03-runs-with-seeds');

  // "Use these settings" on the ablation arm (#4: dropout off) is the one way a run's settings reach the draft.
  await runs.open();
  await runs.openRun(4);
  await run.expectStatus('completed');
  await run.root.getByTestId('use-settings').click();
  await expect(page.getByTestId('settings-used')).toContainText('#4');
  await project.tab('tricks');
  await expect(tricks.toggle('dropout')).not.toBeChecked();
  await expect(project.seedSummary).toHaveText('Seed 1 (fixed)');
  await shot(page, testInfo, '04-used-settings');
  expect(problems, 'errors in the page console').toEqual([]);
});

test('every disabled Train says why, beside it and on the field, with a link there', async ({ page, studio }, testInfo) => {
  const problems = watchConsole(page);
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const editor = new EditorPage(page);
  const tricks = new TricksPage(page);
  const data = new DataPage(page);

  await projects.goto(studio.url);
  // The first screen points at the presets where they are: above.
  await expect(page.getByTestId('projects-empty')).toContainText('Start from a preset above');
  await projects.createBlank('Blank');
  await expect(project.train).toBeDisabled();
  await expect(project.blocker('model')).toContainText('no model yet');
  await expect(project.blocker('data')).toContainText('No dataset is picked');
  await page.getByTestId('start-model').click();
  await editor.add('flatten');
  await editor.add('dense');
  // A dense 32 relu head under cross-entropy: the activation is refused on its field, before any data.
  await expect(project.blocker('model:layers[2].activation')).toContainText('reads class scores through softmax');
  await shot(page, testInfo, '01-blank-why');

  // No dataset: "Show me" opens the Data tab at the choice.
  await project.showBlocker('data');
  await expect(data.root).toBeVisible();
  await expect(page.getByTestId('dataset-mnist')).toBeFocused();
  await data.chooseMnist();
  await expect(project.blocker('data')).toHaveCount(0);
  // 32 outputs for MNIST's 10 classes: caught now, on the units field — not by the trainer after Train.
  await expect(project.blocker('model:layers[2].units')).toContainText('the model outputs [32] but MNIST has 10 classes: the last layer needs 10 units');
  await project.showBlocker('model:layers[2].units');
  await expect(editor.field('layers[2]', 'units')).toBeFocused();
  await expect(editor.card('layers[2]').getByRole('alert').first()).toContainText('needs 10 units');
  await expect(page.getByTestId('model-ok')).toHaveCount(0);
  await shot(page, testInfo, '02-output-size');
  await editor.setField('layers[2]', 'units', '10');
  await editor.field('layers[2]', 'activation').selectOption('softmax');
  await expect(page.getByTestId('model-ok')).toBeVisible();
  await expect(project.train).toBeEnabled();
  await expect(page.getByTestId('train-blockers')).toHaveCount(0);

  // Weight averaging over its default 5 epochs of a 2-epoch run.
  await project.setEpochs(2);
  await project.tab('tricks');
  await tricks.set('weightAveraging', true);
  await expect(project.train).toBeDisabled();
  await expect(project.blocker('tricks:tricks.weightAveraging.lastEpochs')).toContainText('lastEpochs must be at most epochs (2)');
  await expect(tricks.range('weightAveraging', 'lastEpochs')).toHaveText('Allowed: an integer in [2, 2]');
  await expect(tricks.param('weightAveraging', 'lastEpochs').locator('xpath=ancestor::label')).toContainText('must be at most epochs (2)');
  await shot(page, testInfo, '03-last-epochs');
  await project.tab('model');
  await project.showBlocker('tricks:tricks.weightAveraging.lastEpochs');
  await expect(tricks.param('weightAveraging', 'lastEpochs')).toBeFocused();
  await tricks.param('weightAveraging', 'lastEpochs').fill('2');
  await expect(project.train).toBeEnabled();
  expect(problems, 'errors in the page console').toEqual([]);
});

test('one name per run, layers by editor position, noise in comparisons, the theme remembered, presets and the ablation dialog', async ({ page, studio }, testInfo) => {
  test.setTimeout(3 * HANG_MS);
  const problems = watchConsole(page);
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const tricks = new TricksPage(page);
  const training = new TrainingPage(page);
  const runs = new RunsPage(page);
  const run = new RunPage(page);
  const compare = new ComparePage(page);

  await projects.goto(studio.url);
  // A preset's first run is short: the MNIST CNN starts at 3 epochs, not 10.
  await projects.createFromPreset('mnist-cnn', 'Digits');
  await expect(page.getByTestId('epochs')).toHaveValue('3');
  // The inception block's controls wrap inside its branches instead of being cut off.
  await project.back();
  await projects.createFromPreset('inception-mini', 'Inception');
  await expect(page.getByTestId('epochs')).toHaveValue('2');
  const clipped = await page.locator('.branch .card').evaluateAll((cards) => cards.filter((c) => c.scrollWidth > c.clientWidth + 1).length);
  expect(clipped).toBe(0);
  await shot(page, testInfo, '01-inception-editor');

  await project.back();
  await projects.createFromPreset('spiral-mlp', 'Names');
  await project.setEpochs(1);
  await project.train.click();
  await project.tab('tricks');
  await tricks.set('dropout', true);
  await project.train.click();
  await expect(training.runs).toHaveCount(2);
  for (const item of await training.runs.all()) await expect(item).toHaveAttribute('data-status', 'completed', { timeout: HANG_MS });
  // The same name in the run cards, the run list and the run view.
  await expect(training.runs.locator('[data-testid="run-card-title"]')).toHaveText(['#2 · dropout on (rate 0.5)', '#1']);
  await expect(training.runs.first().getByTestId('figure-final')).toContainText('train');
  await expect(training.runs.first().getByTestId('figure-final')).toContainText('validation');
  await expect(training.runs.first().getByTestId('figure-final')).toContainText('test');
  await runs.open();
  await expect(runs.rows.getByTestId('run-row-title')).toHaveText(['#1', '#2 · dropout on (rate 0.5)']);
  await shot(page, testInfo, '02-run-list-names');
  await runs.openRun(2);
  await expect(run.root.getByTestId('run-title')).toHaveText('#2 · dropout on (rate 0.5)');
  await expect(page.getByTestId('tab-run')).toContainText('#2 · dropout on');
  await expect(run.fact('weights')).not.toHaveText('');
  await expect(run.fact('train-accuracy')).toHaveText(/%/);
  await expect(run.fact('val-accuracy')).toHaveText(/%/);
  // Per-layer statistics name the editor's cards: dropout inserts layers, the legend still says `2 · dense 64 relu`.
  await expect(run.layerChart).toHaveAttribute('data-names', /(^|\|)1 · dense 64 relu(\||$)/);
  await expect(run.layerChart).toHaveAttribute('data-names', /(^|\|)2 · dense 64 relu(\||$)/);
  await expect(run.layerChart).not.toHaveAttribute('data-names', /layers\[/);
  await shot(page, testInfo, '03-run-view-names');

  // The ablation dialog starts from the run's own tricks and says what each arm replaces.
  await run.root.getByTestId('ablate-open').click();
  const dialog = page.getByTestId('ablate-dialog');
  await expect(dialog.getByTestId('ablate-dropout')).toBeChecked();
  await expect(dialog.getByTestId('ablate-adam')).toBeDisabled();
  await expect(dialog.getByTestId('ablate-change-sgd')).toHaveText('(replaces Adam)');
  await shot(page, testInfo, '04-ablate-dialog');
  await dialog.getByTestId('ablate-cancel').click();

  // Two runs, one seed each: the comparison says so and repeats them in place; then it can call the gap.
  await runs.open();
  await runs.compare([1, 2]);
  await expect(compare.root).toBeVisible();
  await expect(page.getByTestId('single-seed')).toBeVisible();
  await expect(page.getByTestId('noise-call')).toHaveAttribute('data-beyond', 'unknown');
  await expect(page.getByTestId('compute-seconds')).toHaveAttribute('data-min-span', '0.01');
  await shot(page, testInfo, '05-one-seed');
  await page.getByTestId('repeat-arms').click();
  await compare.expectAllFinished(6, HANG_MS);
  await expect(page.getByTestId('single-seed')).toHaveCount(0);
  await expect(compare.chart).toHaveAttribute('data-bands', '2');
  await expect(page.getByTestId('noise-call')).toHaveAttribute('data-beyond', /true|false/);
  expect(Number(await compare.chart.getAttribute('data-min-span'))).toBeGreaterThan(0);
  await shot(page, testInfo, '06-seed-bands');

  // The theme: dark, kept in the data folder (a page with no cached choice still opens dark), then light.
  await project.setTheme('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.evaluate('localStorage.clear()');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByTestId('theme')).toHaveValue('dark');
  await shot(page, testInfo, '07-dark-theme');
  await page.emulateMedia({ colorScheme: 'dark' });
  await project.setTheme('light');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  const background = await page.evaluate('getComputedStyle(document.documentElement).getPropertyValue("--bg").trim()');
  expect(background).toBe('#f6f7fb');
  await shot(page, testInfo, '08-light-on-dark-os');
  expect(problems, 'errors in the page console').toEqual([]);
});
