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
}
