// FLOPs per training sample of a model spec, counted from its layer shapes (pure: no tfjs).
//   Counted: the multiply-adds of dense and conv2d layers (residual projections included), 2 FLOPs each.
//   Forward: one pass. Backward: the weight gradient of every weighted layer, plus its input gradient except where
//   the input is the network's own input (nothing upstream needs it; tfjs and PyTorch both skip it).
//   Not counted: biases, activations, pooling, the loss and the optimizer (together < 3% for the bench models).
import { size2, type LayerSpec, type ModelSpec } from '../shared/index.js';

export interface LayerFlops {
  path: string;
  type: 'dense' | 'conv2d' | 'projection';
  /** Forward multiply-adds per sample. */
  macs: number;
  /** Whether the backward pass computes this layer's input gradient. */
  inputGradient: boolean;
}

export interface FlopCount {
  forward: number;
  backward: number;
  /** forward + backward, FLOPs per training sample. */
  total: number;
  layers: LayerFlops[];
}

interface Flow {
  shape: number[];
  /** True when a gradient must flow into this tensor (it depends on weights). */
  needsGrad: boolean;
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

function outSize(size: number, window: number, stride: number, padding: 'valid' | 'same'): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - window) / stride) + 1;
}

class Counter {
  readonly layers: LayerFlops[] = [];

  stack(layers: readonly LayerSpec[], x: Flow, base: string, offset = 0): Flow {
    return layers.reduce((acc, layer, i) => this.layer(layer, acc, `${base}[${offset + i}]`), x);
  }

  private weighted(path: string, type: LayerFlops['type'], macs: number, x: Flow, shape: number[]): Flow {
    this.layers.push({ path, type, macs, inputGradient: x.needsGrad });
    return { shape, needsGrad: true };
  }

  private layer(layer: LayerSpec, x: Flow, path: string): Flow {
    const s = x.shape;
    switch (layer.type) {
      case 'input':
        throw new Error(`${path}: an input layer may only be the first layer`);
      case 'dense': {
        const inUnits = s[s.length - 1]!;
        const rows = prod(s.slice(0, -1));
        return this.weighted(path, 'dense', rows * inUnits * layer.units, x, [...s.slice(0, -1), layer.units]);
      }
      case 'conv2d': {
        const [kh, kw] = size2(layer.kernelSize);
        const [sh, sw] = size2(layer.strides ?? 1);
        const padding = layer.padding ?? 'valid';
        const [h, w, c] = s as [number, number, number];
        const oh = outSize(h, kh, sh, padding);
        const ow = outSize(w, kw, sw, padding);
        return this.weighted(path, 'conv2d', oh * ow * layer.filters * kh * kw * c, x, [oh, ow, layer.filters]);
      }
      case 'maxPool2d':
      case 'avgPool2d': {
        const [ph, pw] = size2(layer.poolSize);
        const [sh, sw] = size2(layer.strides ?? layer.poolSize);
        const padding = layer.padding ?? 'valid';
        return { shape: [outSize(s[0]!, ph, sh, padding), outSize(s[1]!, pw, sw, padding), s[2]!], needsGrad: x.needsGrad };
      }
      case 'globalAvgPool2d':
        return { shape: [s[s.length - 1]!], needsGrad: x.needsGrad };
      case 'flatten':
        return { shape: [prod(s)], needsGrad: x.needsGrad };
      case 'dropout':
      case 'batchNorm':
      case 'activation':
        return x;
      case 'residual': {
        const y = this.stack(layer.layers, x, `${path}.layers`);
        if (y.shape.join() === s.join()) return { shape: y.shape, needsGrad: true };
        const channels = y.shape[y.shape.length - 1]!;
        const inChannels = s[s.length - 1]!;
        // A 1×1 projection (conv for images, dense for vectors) brings the shortcut to the block's output shape.
        const positions = y.shape.length === 1 ? 1 : y.shape[0]! * y.shape[1]!;
        return this.weighted(`${path}.projection`, 'projection', positions * inChannels * channels, x, y.shape);
      }
      case 'inception': {
        const outs = layer.branches.map((branch, b) => this.stack(branch, x, `${path}.branches[${b}]`));
        const first = outs[0]!.shape;
        const channels = outs.reduce((n, o) => n + o.shape[o.shape.length - 1]!, 0);
        return { shape: [...first.slice(0, -1), channels], needsGrad: outs.some((o) => o.needsGrad) };
      }
      default:
        // The bench models use the layers above; the sequence and separable layers have no FLOP rule here yet.
        throw new Error(`${path}: no FLOP count for a ${layer.type} layer`);
    }
  }
}

export function countFlops(spec: ModelSpec): FlopCount {
  const [first, ...rest] = spec.layers;
  if (!first || first.type !== 'input') throw new Error('layers[0] must be the input layer');
  const counter = new Counter();
  counter.stack(rest, { shape: [...first.shape], needsGrad: false }, 'layers', 1);
  let forwardMacs = 0;
  let backwardMacs = 0;
  for (const l of counter.layers) {
    forwardMacs += l.macs;
    backwardMacs += l.macs * (l.inputGradient ? 2 : 1);
  }
  return { forward: 2 * forwardMacs, backward: 2 * backwardMacs, total: 2 * (forwardMacs + backwardMacs), layers: counter.layers };
}
