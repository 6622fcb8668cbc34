import { expect, type Locator, type Page } from '@playwright/test';
import { HANG_MS } from '../../support/patience.js';

/** The Sweeps tab: the form for a new sweep, the live trial table, the parallel plot and parameter importance. */
export class SweepsPage {
  readonly root: Locator;
  readonly form: Locator;
  readonly rows: Locator;
  readonly summary: Locator;
  readonly parallel: Locator;
  readonly importance: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('sweep-view');
    this.form = page.getByTestId('sweep-form');
    this.rows = page.getByTestId('trial-row');
    this.summary = page.getByTestId('sweep-summary');
    this.parallel = page.getByTestId('parallel-plot');
    this.importance = page.getByTestId('importance-row');
  }

  /** Sets parameter `i` of the form to a list of values. */
  async listParameter(i: number, path: string, values: string): Promise<void> {
    const row = this.form.getByTestId('sweep-param').nth(i);
    await row.getByTestId('param-path').fill(path);
    await row.getByTestId('param-kind').selectOption('list');
    await row.getByTestId('param-values').fill(values);
  }

  async fill(options: { name: string; method: 'grid' | 'random' | 'tpe'; runs?: number; concurrency?: number; minEpochs?: number; eta?: number }): Promise<void> {
    await this.form.getByTestId('sweep-name').fill(options.name);
    await this.form.getByTestId('sweep-method').selectOption(options.method);
    if (options.runs !== undefined) await this.form.getByTestId('sweep-runs').fill(String(options.runs));
    if (options.concurrency !== undefined) await this.form.getByTestId('sweep-concurrency').fill(String(options.concurrency));
    if (options.minEpochs !== undefined) await this.form.getByTestId('sweep-min-epochs').fill(String(options.minEpochs));
    if (options.eta !== undefined) await this.form.getByTestId('sweep-eta').fill(String(options.eta));
  }

  async start(): Promise<void> {
    await expect(this.form.getByTestId('sweep-form-errors')).toHaveCount(0);
    await this.form.getByTestId('sweep-start').click();
    await expect(this.summary).toBeVisible();
  }

  async expectStatus(status: 'running' | 'stopped' | 'completed', timeout = HANG_MS): Promise<void> {
    await expect(this.summary).toHaveAttribute('data-status', status, { timeout });
  }

  rowsIn(state: string): Locator {
    return this.page.locator(`[data-testid="trial-row"][data-state="${state}"]`);
  }
}
