// Try the model's picture preparation (shared/data/image-prep.ts) on real MNIST digits: a digit drawn large and
// off-centre on a canvas comes out as MNIST prepared its own digits (20 × 20 box, centre of mass at the centre).
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../core/engine/data/mnist.js';
import { centreOfMass, invertIfLight, mnistStyle, MNIST_CENTRE, MNIST_SIDE, resizeArea, rgbaToGray } from '../../shared/data/image-prep.js';

const mnist = loadMnist();
const digit = (i: number) => mnist.test.x.subarray(i * 784, (i + 1) * 784);

/** The digit drawn 10× larger at (x, y) on a black w × h canvas (nearest neighbour: blocky, as a drawing is). */
function drawLarge(pixels: Float32Array, w: number, h: number, at: [number, number], factor = 10): Float32Array {
  const out = new Float32Array(w * h);
  for (let y = 0; y < 28 * factor; y++) {
    for (let x = 0; x < 28 * factor; x++) {
      const tx = at[0] + x;
      const ty = at[1] + y;
      if (tx < w && ty < h) out[ty * w + tx] = pixels[Math.floor(y / factor) * 28 + Math.floor(x / factor)]!;
    }
  }
  return out;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('MNIST-style preparation', () => {
  it('gives back real test digits drawn 10× larger and off-centre, to within their own centring', () => {
    let worst = 1;
    const corr: number[] = [];
    for (let i = 0; i < 50; i++) {
      const big = drawLarge(digit(i), 400, 360, [17 + (i % 7) * 13, 5 + (i % 5) * 11]);
      const back = mnistStyle(big, 400, 360);
      expect(back).toHaveLength(MNIST_SIDE * MNIST_SIDE);
      worst = Math.min(worst, correlation(back, digit(i)));
      const [cx, cy] = centreOfMass(back, 28, 28)!;
      expect(Math.abs(cx - MNIST_CENTRE)).toBeLessThanOrEqual(0.5 + 1e-9);
      expect(Math.abs(cy - MNIST_CENTRE)).toBeLessThanOrEqual(0.5 + 1e-9);
      corr.push(correlation(back, digit(i)));
    }
    // MNIST's own digits were prepared the same way, so the round trip gives them back.
    expect(worst, corr.map((c) => c.toFixed(3)).join(' ')).toBeGreaterThan(0.99);
  });

  it('fits the ink into a 20 × 20 box keeping its aspect ratio, and leaves a blank canvas blank', () => {
    const w = 300;
    const h = 300;
    const bar = new Float32Array(w * h);
    for (let y = 50; y < 250; y++) for (let x = 140; x < 160; x++) bar[y * w + x] = 255;
    const out = mnistStyle(bar, w, h);
    let rows = 0;
    let cols = 0;
    for (let y = 0; y < 28; y++) if (out.subarray(y * 28, y * 28 + 28).some((v) => v > 0)) rows++;
    for (let x = 0; x < 28; x++) if (Array.from({ length: 28 }, (_, y) => out[y * 28 + x]!).some((v) => v > 0)) cols++;
    expect(rows).toBe(20);
    expect(cols).toBe(2);
    expect(mnistStyle(new Float32Array(w * h), w, h).every((v) => v === 0)).toBe(true);
  });

  it('inverts a dark digit on white paper, and reads canvas RGBA (transparent = background)', () => {
    const paper = new Float32Array(100).fill(250);
    paper[55] = 10;
    expect(invertIfLight(paper, 10, 10)[55]).toBe(245);
    const dark = new Float32Array(100);
    expect(invertIfLight(dark, 10, 10)).toBe(dark);
    expect(Array.from(rgbaToGray([255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 255, 255], 3, 1))).toEqual([255, 0, Math.fround(0.114 * 255)]);
  });

  it('resizes by area: integer factors average exactly', () => {
    const src = new Float32Array([0, 4, 8, 12, 1, 5, 9, 13]);
    expect(Array.from(resizeArea(src, 4, 2, 2, 1))).toEqual([2.5, 10.5]);
    const rgb = new Float32Array([255, 0, 0, 0, 0, 255]);
    expect(Array.from(resizeArea(rgb, 2, 1, 1, 1, 3))).toEqual([127.5, 0, 127.5]);
  });
});
