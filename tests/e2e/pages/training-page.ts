import type { Locator, Page } from '@playwright/test';

/** The training view: the run queue and the selected run's live curves. */
export class TrainingPage {
  readonly root: Locator;
  readonly runs: Locator;
  readonly lossChart: Locator;
  readonly accuracyChart: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('training-view');
    this.runs = page.getByTestId('run-item');
    this.lossChart = page.getByTestId('loss-chart');
    this.accuracyChart = page.getByTestId('accuracy-chart');
  }

  /** The drawn line of a chart (ECharts renders SVG paths). */
  line(chart: Locator): Locator {
    return chart.locator('svg path').first();
  }

  async points(chart: Locator): Promise<number> {
    return Number(await chart.getAttribute('data-points'));
  }

  /** Validation points (one per epoch) on a chart. */
  async valPoints(chart: Locator): Promise<number> {
    return Number(await chart.getAttribute('data-val-points'));
  }

  /** The live decision boundary of a 2-D run and the epoch it shows (0: none yet). */
  get boundary(): Locator {
    return this.page.getByTestId('live-boundary');
  }

  async boundaryEpoch(): Promise<number> {
    return Number(await this.boundary.getAttribute('data-epoch'));
  }

  /** The boundary picture's pixels, to tell two epochs' pictures apart. */
  async boundaryPixels(): Promise<string> {
    return (await this.boundary.getByTestId('boundary-canvas').evaluate((c) => (c as unknown as { toDataURL(): string }).toDataURL())) as string;
  }
}
