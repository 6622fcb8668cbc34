import { expect, type Locator, type Page } from '@playwright/test';

/** The Runs tab: every run of the project, picks for a comparison, and the saved comparisons. */
export class RunsPage {
  readonly root: Locator;
  readonly rows: Locator;
  readonly saved: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('runs-list');
    this.rows = this.root.getByTestId('run-row');
    this.saved = this.root.getByTestId('saved-comparison');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('tab-runs').click();
    await expect(this.root).toBeVisible();
  }

  row(runId: number): Locator {
    return this.root.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
  }

  /** Ticks these runs and presses Compare. */
  async compare(runIds: number[]): Promise<void> {
    for (const id of runIds) await this.row(id).getByTestId('run-pick').check();
    await this.root.getByTestId('compare-picked').click();
  }

  async openRun(runId: number): Promise<void> {
    await this.row(runId).getByTestId('run-open').click();
  }

  async openSaved(name: string): Promise<void> {
    await this.saved.filter({ hasText: name }).getByTestId('saved-open').click();
  }
}
