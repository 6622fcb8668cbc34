// The matrix-product cases of tests/engine/kernels-matmul.test.ts, shared with relaxed-check.ts (the child process).
import type * as tf from '@tensorflow/tfjs-core';
import { random, size, ties, type Inputs } from './kernels.js';

export interface MatMulCase {
  name: string;
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
  bias?: boolean;
  activation?: 'linear' | 'relu';
  ties?: boolean;
}

export const MATMUL_CASES: MatMulCase[] = [
  { name: 'MLP forward [1,256,784]·[1,784,128] (K over 3 blocks)', a: [1, 256, 784], b: [1, 784, 128], ta: false, tb: false },
  { name: 'MLP dW1 [1,256,784]ᵀ·[1,256,128]', a: [1, 256, 784], b: [1, 256, 128], ta: true, tb: false },
  { name: 'MLP dh [1,256,10]·[1,128,10]ᵀ (N 128, K 10)', a: [1, 256, 10], b: [1, 128, 10], ta: false, tb: true },
  { name: 'both transposed, odd sizes [1,7,5]ᵀ·[1,3,7]ᵀ', a: [1, 7, 5], b: [1, 3, 7], ta: true, tb: true },
  { name: 'batch 1 row [1,1,13]·[1,13,10]', a: [1, 1, 13], b: [1, 13, 10], ta: false, tb: false },
  { name: 'M 5, N 17, K 1 (tails everywhere)', a: [5, 1], b: [1, 17], ta: false, tb: false },
  { name: 'rank 2 [6,300]·[300,9] with ties and zeros', a: [6, 300], b: [300, 9], ta: false, tb: false, ties: true },
  { name: 'batch 3 · broadcast batch 1 [3,4,6]·[1,6,8]', a: [3, 4, 6], b: [1, 6, 8], ta: false, tb: false },
  { name: 'batch 2 · batch 2, B transposed [2,9,4]·[2,11,4]ᵀ', a: [2, 9, 4], b: [2, 11, 4], ta: false, tb: true },
  { name: 'fused: dense + bias + relu [1,64,400]·[1,400,64]', a: [1, 64, 400], b: [1, 400, 64], ta: false, tb: false, bias: true, activation: 'relu', ties: true },
  { name: 'fused: bias, linear, N 10 [1,33,64]·[1,64,10]', a: [1, 33, 64], b: [1, 64, 10], ta: false, tb: false, bias: true, activation: 'linear' },
  { name: 'fused: relu, no bias, Aᵀ [1,20,7]ᵀ·[1,20,12]', a: [1, 20, 7], b: [1, 20, 12], ta: true, tb: false, activation: 'relu' },
];

export function matmulInputs(c: MatMulCase): { kernel: string; inputs: Inputs; attrs: tf.NamedAttrMap; batches: number } {
  const n = c.tb ? c.b[c.b.length - 2]! : c.b[c.b.length - 1]!;
  const fused = c.bias !== undefined || c.activation !== undefined;
  const inputs: Inputs = {
    a: { values: c.ties ? ties(size(c.a), 7) : random(size(c.a), 7), shape: c.a },
    b: { values: random(size(c.b), 8), shape: c.b },
    ...(c.bias ? { bias: { values: random(n, 9), shape: [n] } } : {}),
  };
  const attrs = { transposeA: c.ta, transposeB: c.tb, ...(fused ? { activation: c.activation ?? 'linear', leakyreluAlpha: 0.2 } : {}) } as unknown as tf.NamedAttrMap;
  const batches = Math.max(size(c.a.slice(0, -2)), size(c.b.slice(0, -2)));
  return { kernel: fused ? '_FusedMatMul' : 'BatchMatMul', inputs, attrs, batches };
}
