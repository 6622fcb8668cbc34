// The decision-boundary picture of a 2-D classification set (as TensorFlow Playground draws it): the model's class
// probabilities over a grid of the input plane, computed at each epoch's end and sent with the epoch report, so the
// page redraws it while the run trains. The grid is in the data's own units; it is scaled as training inputs are.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { DecisionBoundary } from '../../../shared/index.js';
import type { Split } from '../data/dataset.js';
import type { Scaling } from '../data/scaling.js';
import type { Head } from '../head.js';

/** Cells per side: 40 × 40 = 1,600 points, a few kilobytes per epoch for a handful of classes. */
export const BOUNDARY_SIZE = 40;
/** Around the training points' range, so the picture shows a little beyond the data. */
const MARGIN = 0.1;

/** Whether a dataset gets a boundary picture: two input features and at least two classes. */
export function hasBoundary(inputShape: readonly number[], classes: number): boolean {
  return inputShape.length === 1 && inputShape[0] === 2 && classes >= 2;
}

/** The plane to draw: the raw training points' range on each axis, widened by a margin (never empty). */
export function boundaryExtent(train: Split): DecisionBoundary['extent'] {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < train.count; i++) {
    const x = train.x[i * 2]!;
    const y = train.x[i * 2 + 1]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (!(x1 >= x0)) [x0, x1] = [-1, 1];
  if (!(y1 >= y0)) [y0, y1] = [-1, 1];
  const padX = Math.max((x1 - x0) * MARGIN, 1e-3);
  const padY = Math.max((y1 - y0) * MARGIN, 1e-3);
  return [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
}

/** The grid's points in the data's units, row-major from the top-left cell (see DecisionBoundary). */
export function boundaryGrid(extent: DecisionBoundary['extent'], size: number): Float32Array {
  const [x0, x1, y0, y1] = extent;
  const out = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const i = (r * size + c) * 2;
      out[i] = x0 + ((c + 0.5) * (x1 - x0)) / size;
      out[i + 1] = y1 - ((r + 0.5) * (y1 - y0)) / size;
    }
  }
  return out;
}

/** The members' averaged class probabilities over the grid (one member: its own). */
export async function decisionBoundary(
  models: readonly tfl.LayersModel[],
  head: Head,
  scaling: Scaling,
  extent: DecisionBoundary['extent'],
  size = BOUNDARY_SIZE,
): Promise<DecisionBoundary> {
  const grid = boundaryGrid(extent, size);
  if (scaling.kind !== 'none') {
    const perFeature = scaling.shift.length > 1;
    for (let i = 0; i < grid.length; i++) {
      const g = perFeature ? i % 2 : 0;
      grid[i] = (grid[i]! - scaling.shift[g]!) * scaling.scale[g]!;
    }
  }
  const probs = tf.tidy(() => {
    const xs = tf.tensor2d(grid, [size * size, 2]);
    const outs = models.map((m) => head.probabilities(m.apply(xs, { training: false }) as tf.Tensor));
    return outs.length === 1 ? outs[0]! : tf.div(tf.addN(outs), outs.length);
  });
  const classes = probs.shape[1]!;
  const values = await probs.data();
  probs.dispose();
  const rounded = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) rounded[i] = Number.isFinite(values[i]!) ? Math.round(values[i]! * 1000) / 1000 : 0;
  return { size, classes, extent, probs: rounded };
}
