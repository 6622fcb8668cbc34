import { expect, type Locator, type Page } from '@playwright/test';

/** The open project's frame: tabs, epochs and the Train button. */
export class ProjectPage {
  readonly root: Locator;
  readonly train: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('project-view');
    this.train = page.getByTestId('train');
  }

  async tab(name: 'model' | 'tricks' | 'data' | 'training' | 'runs' | 'sweeps' | 'run' | 'compare'): Promise<void> {
    await this.page.getByTestId(`tab-${name}`).click();
  }

  async expectTitle(name: string): Promise<void> {
    await expect(this.page.getByTestId('project-title')).toHaveText(name);
  }

  async setEpochs(n: number): Promise<void> {
    await this.page.getByTestId('epochs').fill(String(n));
  }

  async back(): Promise<void> {
    await this.page.getByTestId('back').click();
  }

  async setLocale(code: 'en' | 'zh-CN'): Promise<void> {
    await this.page.getByTestId('locale').selectOption(code);
  }

  async setTheme(theme: 'system' | 'light' | 'dark'): Promise<void> {
    await this.page.getByTestId('theme').selectOption(theme);
  }

  /** Why Train is off: one line per reason, beside Train. */
  get blockers(): Locator {
    return this.page.getByTestId('train-blocker');
  }

  blocker(id: string): Locator {
    return this.page.locator(`[data-testid="train-blocker"][data-blocker="${id}"]`);
  }

  /** "Show me" on a reason: opens its tab and focuses its field. */
  async showBlocker(id: string): Promise<void> {
    await this.blocker(id).getByTestId('blocker-show').click();
  }

  /** The seed the next Train uses, beside Train: `Seed 1 (fixed)`, `New seed each run (next: 4)`. */
  get seedSummary(): Locator {
    return this.page.getByTestId('seed-summary');
  }
}
