import { expect, type Locator, type Page } from '@playwright/test';

/** Try the model (in the run view): draw a digit, drop an image, click the boundary, type a row; the prediction. */
export class TryModelPage {
  readonly root: Locator;
  readonly pad: Locator;
  readonly result: Locator;
  readonly probabilities: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('try-model');
    this.pad = this.root.getByTestId('draw-pad');
    this.result = this.root.getByTestId('try-result');
    this.probabilities = this.root.getByTestId('try-probability');
  }

  /** Draws strokes with the mouse; each stroke is a list of points in 0–1 of the pad's box. */
  async draw(strokes: Array<Array<[number, number]>>): Promise<void> {
    await this.pad.scrollIntoViewIfNeeded();
    const box = await this.pad.boundingBox();
    expect(box, 'the drawing pad is laid out').not.toBeNull();
    for (const stroke of strokes) {
      const [first, ...rest] = stroke;
      await this.page.mouse.move(box!.x + first![0] * box!.width, box!.y + first![1] * box!.height);
      await this.page.mouse.down();
      for (const [x, y] of rest) await this.page.mouse.move(box!.x + x * box!.width, box!.y + y * box!.height, { steps: 6 });
      await this.page.mouse.up();
    }
  }

  /** Class → probability, as the bars show them. */
  async probabilityMap(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const row of await this.probabilities.all()) out[(await row.getAttribute('data-class'))!] = Number(await row.getAttribute('data-p'));
    return out;
  }
}
