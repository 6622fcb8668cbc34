// The studio end to end, in Debian's Chromium against `layerwise serve` on a fresh data folder: the
// scenario of issue 6, with a screenshot of every screen under the test's output folder.
import { writeFileSync } from 'node:fs';
import { expect, shot, test, watchConsole } from './fixtures.js';
import { DataPage } from './pages/data-page.js';
import { EditorPage } from './pages/editor-page.js';
import { ProjectPage } from './pages/project-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { TrainingPage } from './pages/training-page.js';
import { TricksPage } from './pages/tricks-page.js';
import { HANG_MS } from '../support/patience.js';

test('build, break, fix, train and find it again after a reload', async ({ page, studio }, testInfo) => {
  const problems = watchConsole(page);

  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const editor = new EditorPage(page);
  const tricks = new TricksPage(page);
  const data = new DataPage(page);
  const training = new TrainingPage(page);

  await projects.goto(studio.url);
  // The token is kept in memory and removed from the address bar.
  expect(page.url()).not.toContain('token=');
  await expect(page.getByTestId('projects-empty')).toBeVisible();
  await shot(page, testInfo, '01-projects-empty');

  // Create a project from mnist-cnn.
  await projects.createFromPreset('mnist-cnn', 'Digits');
  await project.expectTitle('Digits');
  await expect(editor.root).toBeVisible();
  await expect(editor.shape('layers[1]')).toHaveText('→ [26, 26, 8]');
  await expect(editor.shape('layers[5]')).toHaveText('→ [400]');
  const total0 = await editor.totalNumber();
  expect(total0).toBe(80 + 1168 + 400 * 64 + 64 + 650);
  await shot(page, testInfo, '02-editor');

  // Change a conv layer's filters: its shape, the next conv's count and the total follow.
  await editor.setField('layers[1]', 'filters', '16');
  await expect(editor.shape('layers[1]')).toHaveText('→ [26, 26, 16]');
  await expect(editor.params('layers[3]')).toHaveText((3 * 3 * 16 * 16 + 16).toLocaleString('en'));
  await expect.poll(() => editor.totalNumber()).toBe(160 + 2320 + 400 * 64 + 64 + 650);

  // An impossible kernel: the card is flagged, its field says why, Train is disabled.
  await expect(project.train).toBeEnabled();
  await editor.setField('layers[3]', 'kernelSize', '40');
  await editor.expectFlagged('layers[3]', true);
  await editor.expectFlagged('layers[1]', false);
  await expect(editor.card('layers[3]').getByRole('alert').first()).toContainText('layers[3].kernelSize');
  await expect(page.getByTestId('error-count')).toBeVisible();
  await expect(project.train).toBeDisabled();
  await shot(page, testInfo, '03-editor-error');

  // Fix it; then undo and redo the fix from the keyboard.
  await editor.setField('layers[3]', 'kernelSize', '3');
  await editor.expectFlagged('layers[3]', false);
  await expect(project.train).toBeEnabled();
  await editor.card('layers[2]').focus();
  await page.keyboard.press('Control+z');
  await editor.expectFlagged('layers[3]', true);
  await page.keyboard.press('Control+Shift+z');
  await editor.expectFlagged('layers[3]', false);
  // Keyboard navigation: the arrow keys move the selection between cards.
  await editor.card('layers[2]').focus();
  await page.keyboard.press('ArrowDown');
  await expect(editor.card('layers[3]')).toHaveClass(/selected/);

  // Tricks: dropout and batch norm on, an explanation one click away.
  await project.tab('tricks');
  await expect(tricks.root).toBeVisible();
  await tricks.set('dropout', true);
  await tricks.set('batchNorm', true);
  await expect(await tricks.showSummary('dropout')).toContainText('dropout');
  await shot(page, testInfo, '04-tricks');
  await project.tab('model');
  // The model that trains has batch norm's parameters too.
  await expect(page.getByTestId('expanded-total')).toBeVisible();

  // Data: MNIST with its digits and histogram.
  await project.tab('data');
  await expect(data.digits.locator('canvas').first()).toBeVisible();
  await data.histogram.locator('svg path').first().waitFor({ state: 'attached' });
  await shot(page, testInfo, '05-data');

  // Train one short epoch: the chart gets points and the run completes.
  await project.setEpochs(1);
  await project.train.click();
  await expect(training.root).toBeVisible();
  await expect(training.runs).toHaveCount(1);
  await expect.poll(() => training.points(training.lossChart), { timeout: HANG_MS }).toBeGreaterThan(0);
  await training.line(training.lossChart).waitFor({ state: 'attached' });
  await shot(page, testInfo, '06-training-live');
  await expect(training.runs.first()).toHaveAttribute('data-status', 'completed', { timeout: HANG_MS });
  await expect.poll(() => training.points(training.accuracyChart)).toBeGreaterThan(0);
  await shot(page, testInfo, '07-training-done');

  // Reload (the address bar no longer holds the token; the tab keeps it): the page stays where it was (issue 17:
  // the project's training tab), with the run and its curve; the edited model is there too.
  await page.reload();
  await expect(training.root).toBeVisible();
  await project.expectTitle('Digits');
  await project.tab('model');
  await expect(editor.shape('layers[1]')).toHaveText('→ [26, 26, 16]');
  await project.tab('training');
  await expect(training.runs).toHaveCount(1);
  await expect(training.runs.first()).toHaveAttribute('data-status', 'completed');
  await expect.poll(() => training.points(training.lossChart)).toBeGreaterThan(0);
  await training.line(training.lossChart).waitFor({ state: 'attached' });
  await shot(page, testInfo, '08-after-reload');

  // Chinese and back.
  await project.setLocale('zh-CN');
  await expect(page.getByTestId('tab-training')).toHaveText('训练');
  await expect(page.getByTestId('run-status').first()).toHaveText('已完成');
  await shot(page, testInfo, '09-chinese');
  await project.tab('model');
  await shot(page, testInfo, '10-editor-chinese');
  await project.setLocale('en');
  await expect(page.getByTestId('tab-training')).toHaveText('Training');

  expect(problems, 'errors in the page console').toEqual([]);
});

test('projects: blank project, rename, export and import, delete with confirmation; dark theme', async ({ page, studio }, testInfo) => {
  // The look follows the OS: this test runs with a dark colour scheme.
  await page.emulateMedia({ colorScheme: 'dark' });
  const projects = new ProjectsPage(page);
  const project = new ProjectPage(page);
  const editor = new EditorPage(page);
  await projects.goto(studio.url);
  await projects.createBlank('Scratch');
  await project.expectTitle('Scratch');
  await page.getByTestId('start-model').click();
  await expect(editor.root).toBeVisible();
  // Build a small model from the palette; Train stays off while the stack cannot classify.
  await editor.add('flatten');
  await editor.add('dense');
  await expect(editor.shape('layers[1]')).toHaveText('→ [784]');
  await expect(editor.shape('layers[2]')).toHaveText('→ [32]');
  await editor.add('residual');
  await expect(editor.card('layers[3].layers[0]')).toBeVisible();
  // A convolution inside the residual block cannot read a vector: the inner card is the one flagged.
  await editor.expectFlagged('layers[3].layers[0]', true);
  await expect(project.train).toBeDisabled();
  await shot(page, testInfo, 'blank-editor-dark');
  // Undo makes the model valid again: it is saved a moment later, and is there when the project reopens.
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/models.save') && r.ok());
  await page.keyboard.press('Control+z');
  await expect(editor.card('layers[3]')).toHaveCount(0);
  await saved;
  // A synthetic 2-D set: a scatter preview, its histogram, and a warning that the model's input does not fit.
  await project.tab('data');
  const data = new DataPage(page);
  await data.chooseSynthetic('circles');
  await data.scatter.locator('svg path').first().waitFor({ state: 'attached' });
  await data.histogram.locator('svg path').first().waitFor({ state: 'attached' });
  await expect(page.getByTestId('dataset-mismatch')).toContainText('[2]');
  await expect(project.train).toBeDisabled();
  await shot(page, testInfo, 'synthetic-data-dark');
  // The user's own CSV file: a bad one is refused naming the row; a good one becomes the selected dataset.
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2 ? 'odd' : 'even'}`);
  const bad = testInfo.outputPath('bad.csv');
  writeFileSync(bad, ['a,b,parity', ...rows.slice(0, 10), '1,oops,odd', ...rows.slice(10)].join('\n'));
  await data.importCsv(bad, 'parity');
  await expect(page.getByTestId('import-error')).toContainText('bad.csv');
  await expect(page.getByTestId('import-error')).toContainText('row');
  const good = testInfo.outputPath('points.csv');
  writeFileSync(good, ['a,b,parity', ...rows].join('\n'));
  await data.importCsv(good, 'parity');
  await expect(page.getByTestId('import-note')).toContainText('target "parity" (classification)');
  await expect(page.getByTestId('dataset-imported').locator('input')).toBeChecked();
  await data.scatter.locator('svg path').first().waitFor({ state: 'attached' });
  await shot(page, testInfo, 'imported-csv-dark');
  await project.back();
  await projects.open('Scratch');
  await expect(editor.shape('layers[2]')).toHaveText('→ [32]');
  await project.back();
  await projects.rename('Scratch', 'Sketch');

  // Export the project as a .layerwise file and import it back as a new project.
  const [download] = await Promise.all([page.waitForEvent('download'), projects.item('Sketch').getByTestId('project-export').click()]);
  const file = testInfo.outputPath('Sketch.layerwise');
  await download.saveAs(file);
  await page.getByTestId('import-bundle').setInputFiles(file);
  await expect(page.getByTestId('project-view')).toBeVisible();
  await project.back();
  await expect(projects.root.getByTestId('project-item')).toHaveCount(2);
  await shot(page, testInfo, 'projects-list-dark');

  for (let i = 0; i < 2; i++) {
    const name = await projects.root.getByTestId('project-open').first().innerText();
    await projects.delete(name);
  }
  await expect(page.getByTestId('projects-empty')).toBeVisible();
});
