// What a new layer of each type starts as, and the form fields each type has. The ranges and the
// validation themselves are the shared spec's (checkModelSpec names the offending field).
import { ACTIVATIONS, INITIALIZERS, PADDINGS, type LayerSpec, type LayerType } from '../../../shared/index.js';

export function defaultLayer(type: LayerType): LayerSpec {
  switch (type) {
    case 'input':
      return { type, shape: [28, 28, 1] };
    case 'dense':
      return { type, units: 32, activation: 'relu' };
    case 'conv2d':
      return { type, filters: 8, kernelSize: 3, activation: 'relu' };
    case 'maxPool2d':
    case 'avgPool2d':
      return { type, poolSize: 2 };
    case 'globalAvgPool2d':
    case 'flatten':
      return { type };
    case 'dropout':
      return { type, rate: 0.25 };
    case 'batchNorm':
      return { type };
    case 'activation':
      return { type, activation: 'relu' };
    case 'residual':
      return { type, layers: [{ type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }], activation: 'relu' };
    case 'inception':
      return {
        type,
        branches: [
          [{ type: 'conv2d', filters: 4, kernelSize: 1, padding: 'same', activation: 'relu' }],
          [{ type: 'conv2d', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }],
        ],
      };
  }
}

export type FieldKind = 'integer' | 'number' | 'size' | 'shape' | 'enum' | 'boolean';

export interface LayerField {
  key: string;
  kind: FieldKind;
  options?: readonly string[];
  /** Left out of the spec when empty (the spec's default applies). */
  optional?: boolean;
  min?: number;
  max?: number;
  step?: number;
}

const weighted: LayerField[] = [
  { key: 'activation', kind: 'enum', options: ACTIVATIONS, optional: true },
  { key: 'useBias', kind: 'boolean', optional: true },
  { key: 'initializer', kind: 'enum', options: INITIALIZERS, optional: true },
];

export const LAYER_FIELDS: Record<LayerType, LayerField[]> = {
  input: [{ key: 'shape', kind: 'shape' }],
  dense: [{ key: 'units', kind: 'integer', min: 1 }, ...weighted],
  conv2d: [
    { key: 'filters', kind: 'integer', min: 1 },
    { key: 'kernelSize', kind: 'size', min: 1 },
    { key: 'strides', kind: 'size', optional: true, min: 1 },
    { key: 'padding', kind: 'enum', options: PADDINGS, optional: true },
    ...weighted,
  ],
  maxPool2d: [
    { key: 'poolSize', kind: 'size', min: 1 },
    { key: 'strides', kind: 'size', optional: true, min: 1 },
    { key: 'padding', kind: 'enum', options: PADDINGS, optional: true },
  ],
  avgPool2d: [
    { key: 'poolSize', kind: 'size', min: 1 },
    { key: 'strides', kind: 'size', optional: true, min: 1 },
    { key: 'padding', kind: 'enum', options: PADDINGS, optional: true },
  ],
  globalAvgPool2d: [],
  flatten: [],
  dropout: [{ key: 'rate', kind: 'number', min: 0, max: 1, step: 0.05 }],
  batchNorm: [
    { key: 'momentum', kind: 'number', optional: true, min: 0, max: 1, step: 0.01 },
    { key: 'epsilon', kind: 'number', optional: true, min: 0, step: 0.001 },
  ],
  activation: [
    { key: 'activation', kind: 'enum', options: ACTIVATIONS },
    { key: 'alpha', kind: 'number', optional: true, step: 0.1 },
  ],
  residual: [{ key: 'activation', kind: 'enum', options: ACTIVATIONS, optional: true }],
  inception: [],
};

/** The palette: every type a user adds (the input layer is always the first and only one). */
export const PALETTE: LayerType[] = ['dense', 'conv2d', 'maxPool2d', 'avgPool2d', 'globalAvgPool2d', 'flatten', 'dropout', 'batchNorm', 'activation', 'residual', 'inception'];
