import { expect, type Locator, type Page } from '@playwright/test';

/** The layer-stack editor: cards by path (`layers[3]`), their fields, shapes and counts, and the total. */
export class EditorPage {
  readonly root: Locator;
  readonly total: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('editor');
    this.total = page.getByTestId('total-params');
  }

  card(path: string): Locator {
    return this.page.getByTestId(`card-${path}`);
  }

  shape(path: string): Locator {
    return this.page.getByTestId(`card-${path}-shape`);
  }

  params(path: string): Locator {
    return this.page.getByTestId(`card-${path}-params`);
  }

  field(path: string, key: string): Locator {
    return this.page.getByTestId(`card-${path}-${key}`);
  }

  async setField(path: string, key: string, value: string): Promise<void> {
    await this.field(path, key).fill(value);
  }

  async totalNumber(): Promise<number> {
    return Number((await this.total.innerText()).replace(/[^\d]/g, ''));
  }

  async expectFlagged(path: string, flagged: boolean): Promise<void> {
    await expect(this.card(path)).toHaveAttribute('data-flagged', String(flagged));
  }

  async add(type: string): Promise<void> {
    await this.page.getByTestId(`palette-${type}`).click();
  }
}
