import { expect, type Locator, type Page } from '@playwright/test';

/** The project list: create (blank or from a preset), open, rename, delete. */
export class ProjectsPage {
  readonly root: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('project-list');
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.root).toBeVisible();
  }

  item(name: string): Locator {
    return this.root.getByTestId('project-item').filter({ has: this.page.getByTestId('project-open').getByText(name, { exact: true }) });
  }

  async createFromPreset(presetId: string, name: string): Promise<void> {
    await this.root.getByTestId('project-name').fill(name);
    await this.root.getByTestId('preset-select').selectOption(presetId);
    await this.root.getByTestId('create-from-preset').click();
  }

  async createBlank(name: string): Promise<void> {
    await this.root.getByTestId('project-name').fill(name);
    await this.root.getByTestId('create-blank').click();
  }

  async open(name: string): Promise<void> {
    await this.item(name).getByTestId('project-open').click();
  }

  async rename(from: string, to: string): Promise<void> {
    await this.item(from).getByTestId('project-rename').click();
    await this.root.getByTestId('rename-input').fill(to);
    await this.root.getByTestId('rename-save').click();
    await expect(this.item(to)).toBeVisible();
  }

  /** Deletes the first project of that name, through the confirmation. */
  async delete(name: string): Promise<void> {
    const before = await this.item(name).count();
    const item = this.item(name).first();
    await item.getByTestId('project-delete').click();
    await expect(item.getByTestId('delete-confirm')).toBeVisible();
    await item.getByTestId('delete-confirm-yes').click();
    await expect(this.item(name)).toHaveCount(before - 1);
  }
}
