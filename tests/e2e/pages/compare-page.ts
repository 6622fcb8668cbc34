import { expect, type Locator, type Page } from '@playwright/test';

/** The comparison view: overlaid curves, the config diff, the summary, cost and gain, the verdict, save. */
export class ComparePage {
  readonly root: Locator;
  readonly chart: Locator;
  readonly diffRows: Locator;
  readonly summaryRows: Locator;
  readonly progress: Locator;
  readonly verdict: Locator;
  constructor(readonly page: Page) {
    this.root = page.getByTestId('comparison-view');
    this.chart = page.getByTestId('compare-chart');
    this.diffRows = page.getByTestId('diff-row');
    this.summaryRows = page.getByTestId('summary-row');
    this.progress = page.getByTestId('compare-progress');
    this.verdict = page.getByTestId('verdict-panel');
  }

  /** Curves drawn (runs, or seed groups). */
  async series(): Promise<number> {
    return Number(await this.chart.getAttribute('data-series'));
  }

  /** The chart's drawing surface (the compare chart draws on a canvas). */
  canvas(): Locator {
    return this.chart.locator('canvas').first();
  }

  async expectAllFinished(total: number, timeout: number): Promise<void> {
    await expect(this.progress).toHaveAttribute('data-total', String(total));
    await expect(this.progress).toHaveAttribute('data-finished', String(total), { timeout });
  }

  async save(name: string, notes: string): Promise<void> {
    await this.root.getByTestId('compare-name').fill(name);
    await this.root.getByTestId('compare-notes').fill(notes);
    await this.root.getByTestId('compare-save').click();
    await expect(this.root.getByTestId('compare-saved')).toBeVisible();
  }
}

// The watcher runs in the page; it is given as source text because this project is type-checked without DOM types.
const START_WATCH = `(() => {
  const state = { worst: 0, long: 0, longWorst: 0, frames: 0, stop: () => {} };
  let last = 0;
  let raf = 0;
  const tick = (now) => {
    if (last) { state.worst = Math.max(state.worst, now - last); state.frames++; }
    last = now;
    raf = requestAnimationFrame(tick);
  };
  raf = requestAnimationFrame(tick);
  const types = PerformanceObserver.supportedEntryTypes || [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) { state.long++; state.longWorst = Math.max(state.longWorst, e.duration); }
  });
  observer.observe({ type: types.includes('long-animation-frame') ? 'long-animation-frame' : 'longtask' });
  state.stop = () => { cancelAnimationFrame(raf); observer.disconnect(); };
  window.__frames = state;
})()`;

const STOP_WATCH = `(() => {
  const s = window.__frames;
  s.stop();
  return { worst: Math.round(s.worst * 10) / 10, long: s.long, longWorst: Math.round(s.longWorst * 10) / 10, frames: s.frames };
})()`;

/** Watches the page's frames: requestAnimationFrame deltas and long animation frames (or long tasks). */
export async function startFrameWatch(page: Page): Promise<void> {
  await page.evaluate(START_WATCH);
}

export async function stopFrameWatch(page: Page): Promise<{ worst: number; long: number; longWorst: number; frames: number }> {
  return (await page.evaluate(STOP_WATCH)) as { worst: number; long: number; longWorst: number; frames: number };
}
