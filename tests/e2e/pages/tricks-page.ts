import { expect, type Locator, type Page } from '@playwright/test';

/** The trick panel: toggles grouped by descriptor group, each with its explanation one click away. */
export class TricksPage {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('trick-panel');
  }

  toggle(id: string): Locator {
    return this.page.getByTestId(`trick-${id}`);
  }

  async set(id: string, on: boolean): Promise<void> {
    await this.toggle(id).setChecked(on);
    if (on) await expect(this.toggle(id)).toBeChecked();
    else await expect(this.toggle(id)).not.toBeChecked();
  }

  param(trick: string, key: string): Locator {
    return this.page.getByTestId(`param-${trick}-${key}`);
  }

  /** "Allowed: …" under a parameter. */
  range(trick: string, key: string): Locator {
    return this.page.getByTestId(`range-${trick}-${key}`);
  }

  async seedPolicy(mode: 'fixed' | 'fresh', seed?: number): Promise<void> {
    await this.page.getByTestId(`seed-mode-${mode}`).check();
    if (seed !== undefined) await this.page.getByTestId('setting-seed').fill(String(seed));
  }

  async showSummary(id: string): Promise<Locator> {
    await this.page.getByTestId(`trick-info-${id}`).click();
    return this.page.getByTestId(`trick-summary-${id}`);
  }
}
