import type { Locator, Page } from '@playwright/test';

/** The dataset picker with its preview and class histogram. */
export class DataPage {
  readonly root: Locator;
  readonly digits: Locator;
  readonly histogram: Locator;
  readonly scatter: Locator;
  readonly tokenRows: Locator;
  readonly seriesLines: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('dataset-picker');
    this.digits = page.getByTestId('digit-grid');
    this.histogram = page.getByTestId('histogram');
    this.scatter = page.getByTestId('scatter');
    this.tokenRows = page.getByTestId('token-samples').locator('li');
    this.seriesLines = page.getByTestId('series-lines');
  }

  async chooseMnist(): Promise<void> {
    await this.page.getByTestId('dataset-mnist').check();
  }

  async chooseSynthetic(name: string): Promise<void> {
    await this.page.getByTestId('dataset-synthetic').check();
    await this.page.getByTestId('synthetic-name').selectOption(name);
  }

  private async openDetails(testId: string): Promise<void> {
    const section = this.page.getByTestId(testId);
    if (!(await section.evaluate((d) => (d as unknown as { open: boolean }).open))) await section.locator('summary').first().click();
  }

  /** Imports a CSV file from the host's disk through "Import your own data…" → "Or a path on the machine the host runs on". */
  async importCsv(path: string, target?: string): Promise<void> {
    await this.openDetails('dataset-import');
    await this.page.getByTestId('import-kind').selectOption('csv');
    await this.openDetails('import-host-path');
    await this.page.getByTestId('import-path').fill(path);
    if (target) await this.page.getByTestId('import-target').fill(target);
    await this.page.getByTestId('import-run').click();
  }

  /** Uploads a CSV file from this machine through the page's file picker (the browser host streams it). */
  async uploadCsv(file: string, target?: string): Promise<void> {
    await this.openDetails('dataset-import');
    await this.page.getByTestId('import-kind').selectOption('csv');
    if (target) await this.page.getByTestId('import-target').fill(target);
    await this.page.getByTestId('upload-csv').setInputFiles(file);
  }

  /**
   * Uploads a CSV file read as sequences: `text` (a text column as tokens) or `series` (numeric columns in windows),
   * with the sequence fields given by their test ids without the `seq-` prefix (`{ target: 'label', window: '16' }`).
   */
  async uploadSequences(file: string, kind: 'text' | 'series', fields: Record<string, string>): Promise<void> {
    await this.openDetails('dataset-import');
    await this.page.getByTestId('import-kind').selectOption(kind);
    for (const [field, value] of Object.entries(fields)) {
      const input = this.page.getByTestId(`seq-${field}`);
      if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption(value);
      else await input.fill(value);
    }
    await this.page.getByTestId('upload-csv').setInputFiles(file);
  }

  /** Uploads an image folder (its class sub-folders) through the folder picker. */
  async uploadFolder(dir: string): Promise<void> {
    await this.openDetails('dataset-import');
    await this.page.getByTestId('import-kind').selectOption('images');
    await this.page.getByTestId('upload-folder').setInputFiles(dir);
  }
}
