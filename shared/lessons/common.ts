// Building blocks the lesson definitions share: small MNIST models, validated configs, seeds per budget and
// the one-line plan description the lesson list shows.
import type { LessonBudget } from '../api/entities.js';
import { datasetRefName, type MnistRef } from '../data/dataset-ref.js';
import type { ActivationName, LayerSpec, ModelSpec } from '../spec/model-spec.js';
import { parseTrainingConfig, type TrainingConfig } from '../tricks/config.js';
import type { LessonPlan } from './lesson.js';

/**
 * Seeds every arm runs with: two on the small budget (the fewest that give a spread to judge by), three on the
 * standard one unless a lesson needs more.
 */
export function seedsFor(budget: LessonBudget, counts: { small?: number; standard?: number } = {}): number[] {
  const n = budget === 'small' ? (counts.small ?? 2) : (counts.standard ?? 3);
  return Array.from({ length: n }, (_, i) => i + 1);
}

export const mnist = (trainSamples?: number): MnistRef =>
  trainSamples === undefined ? { kind: 'mnist' } : { kind: 'mnist', trainSamples };

const input: LayerSpec = { type: 'input', shape: [28, 28, 1] };
const head: LayerSpec = { type: 'dense', units: 10, activation: 'softmax' };

/** An MNIST MLP: flatten, the hidden dense layers, a softmax over the 10 digits. */
export function mlp(hidden: readonly number[], activation: ActivationName = 'relu'): ModelSpec {
  return {
    version: 1,
    name: `MLP 784-${hidden.join('-')}-10 ${activation}`,
    loss: 'categoricalCrossentropy',
    layers: [input, { type: 'flatten' }, ...hidden.map((units): LayerSpec => ({ type: 'dense', units, activation })), head],
  };
}

/** An MNIST MLP whose middle is `blocks` residual blocks of two dense layers (relu after the addition). */
export function residualMlp(width: number, blocks: number): ModelSpec {
  const block: LayerSpec = {
    type: 'residual',
    activation: 'relu',
    layers: [
      { type: 'dense', units: width, activation: 'relu' },
      { type: 'dense', units: width },
    ],
  };
  return {
    version: 1,
    name: `MLP 784-${width}, ${blocks} residual blocks of 2×${width}, 10`,
    loss: 'categoricalCrossentropy',
    layers: [input, { type: 'flatten' }, { type: 'dense', units: width, activation: 'relu' }, ...Array.from({ length: blocks }, () => block), head],
  };
}

/** A validated config (every default filled in); throws naming the problem, so a broken lesson fails its tests. */
export function trainingConfig(epochs: number, batchSize: number, tricks: Record<string, unknown>): TrainingConfig {
  const parsed = parseTrainingConfig({ epochs, batchSize, seed: 1, tricks });
  if (!parsed.ok) throw new Error(`lesson config is invalid: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return parsed.value;
}

/** e.g. `MNIST (first 1000 training digits), MLP 784-128-10 relu, 3 epochs, 2 arms (SGD, Adam) × 1 seed = 2 runs`. */
export function describePlan(plan: LessonPlan): string {
  const models = [...new Set(plan.arms.map((a) => a.spec.name))].join(' / ');
  const epochs = [...new Set(plan.arms.map((a) => a.config.epochs))].join('/');
  const seeds = plan.seeds.length;
  const runs = plan.arms.length * seeds;
  const epochWord = epochs === '1' ? 'epoch' : 'epochs';
  const arms = plan.arms.map((a) => a.label).join(', ');
  return `${datasetRefName(plan.dataset)}, ${models}, ${epochs} ${epochWord}, ${plan.arms.length} arms (${arms}) × ${seeds} seed${seeds === 1 ? '' : 's'} = ${runs} runs`;
}
