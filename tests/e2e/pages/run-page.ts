import { expect, type Locator, type Page } from '@playwright/test';
import { HANG_MS } from '../../support/patience.js';

/** The run view: facts, curves, per-layer panel, report, checkpoints, Ablate… and Repeat. */
export class RunPage {
  readonly root: Locator;
  readonly status: Locator;
  readonly confusionCells: Locator;
  readonly misclassified: Locator;
  readonly checkpoints: Locator;
  readonly layerChart: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('run-view');
    this.status = page.getByTestId('run-view-status');
    this.confusionCells = page.getByTestId('confusion-matrix').locator('tbody td');
    this.misclassified = page.getByTestId('misclassified-digit');
    this.checkpoints = page.getByTestId('checkpoint');
    this.layerChart = page.getByTestId('layer-chart');
  }

  fact(name: 'backend' | 'device' | 'seconds' | 'parameters' | 'seed' | 'test-accuracy' | 'train-accuracy' | 'val-accuracy' | 'weights'): Locator {
    return this.page.getByTestId(`fact-${name}`);
  }

  curve(id: 'loss' | 'accuracy' | 'lr' | 'grad'): Locator {
    return this.page.getByTestId(`curve-${id}`);
  }

  async expectStatus(status: string, timeout = HANG_MS): Promise<void> {
    await expect(this.status).toHaveAttribute('data-status', status, { timeout });
  }

  /** Ablate… → ticks exactly these tricks (the dialog preselects the run's own) → queues the ablation. */
  async ablate(tricks: string[], seeds = 1): Promise<void> {
    await this.root.getByTestId('ablate-open').click();
    const dialog = this.page.getByTestId('ablate-dialog');
    await expect(dialog).toBeVisible();
    const ticked = dialog.locator('input[type="checkbox"]:checked');
    while ((await ticked.count()) > 0) await ticked.first().uncheck();
    for (const id of tricks) await dialog.getByTestId(`ablate-${id}`).check();
    if (seeds > 1) await dialog.getByTestId('ablate-seeds').fill(String(seeds));
    await dialog.getByTestId('ablate-start').click();
    await expect(dialog).toBeHidden();
  }
}
