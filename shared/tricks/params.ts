// Parameters several tricks share, declared once so their ranges never drift apart.
import type { IntegerParam, NumberParam } from './descriptor.js';

export const learningRate = (defaultValue: number): NumberParam => ({
  kind: 'number',
  label: 'Learning rate',
  help: 'Step size of each update.',
  default: defaultValue,
  min: 0,
  minExclusive: true,
  max: 10,
  scale: 'log',
});

export const momentumCoefficient = (defaultValue: number): NumberParam => ({
  kind: 'number',
  label: 'Momentum',
  help: 'Fraction of the previous update carried into the next one.',
  default: defaultValue,
  min: 0,
  max: 1,
  maxExclusive: true,
});

export const epsilon = (defaultValue: number): NumberParam => ({
  kind: 'number',
  label: 'Epsilon',
  help: 'Added to the denominator so that a near-zero statistic cannot blow the step up.',
  default: defaultValue,
  min: 0,
  minExclusive: true,
  max: 1,
  scale: 'log',
});

export const penalty = (defaultValue: number, help: string): NumberParam => ({
  kind: 'number',
  label: 'Strength λ',
  help,
  default: defaultValue,
  min: 0,
  minExclusive: true,
  max: 1,
  scale: 'log',
});

export const decayFactor = (defaultValue: number): NumberParam => ({
  kind: 'number',
  label: 'Factor γ',
  help: 'The learning rate is multiplied by γ at each decay.',
  default: defaultValue,
  min: 0,
  minExclusive: true,
  max: 1,
});

export const epochCount = (defaultValue: number, label: string, help: string, min = 1): IntegerParam => ({
  kind: 'integer',
  label,
  help,
  default: defaultValue,
  min,
  max: 10_000,
});
