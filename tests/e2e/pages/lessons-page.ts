import { expect, type Locator, type Page } from '@playwright/test';

/** The lessons page: the claims, each with "Run lesson (small)" and "(standard)". */
export class LessonsPage {
  readonly root: Locator;
  readonly lessons: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('lesson-list');
    this.lessons = this.root.getByTestId('lesson');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('open-lessons').click();
    await expect(this.root).toBeVisible();
  }

  lesson(letter: string): Locator {
    return this.root.locator(`[data-testid="lesson"][data-letter="${letter}"]`);
  }

  async run(letter: string, budget: 'small' | 'standard'): Promise<void> {
    await this.lesson(letter).getByTestId(`lesson-run-${budget}`).click();
  }
}
