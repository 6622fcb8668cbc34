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
}
