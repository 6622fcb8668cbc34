// One-line summaries of layers, shared by the CLI's table and the editor's cards.
import { size2, type LayerSpec, type Size2 } from './model-spec.js';

const window = (s: Size2) => size2(s).join('×');

export function describeLayer(layer: LayerSpec): string {
  const act = (a?: string) => (a && a !== 'linear' ? ` ${a}` : '');
  switch (layer.type) {
    case 'input':
      return 'input';
    case 'dense':
      return `dense ${layer.units}${act(layer.activation)}`;
    case 'conv2d': {
      const stride = layer.strides && window(layer.strides) !== '1×1' ? ` /${window(layer.strides)}` : '';
      return `conv2d ${layer.filters} ${window(layer.kernelSize)}${stride}${layer.padding === 'same' ? ' same' : ''}${act(layer.activation)}`;
    }
    case 'maxPool2d':
    case 'avgPool2d':
      return `${layer.type} ${window(layer.poolSize)}${layer.padding === 'same' ? ' same' : ''}`;
    case 'dropout':
      return `dropout ${layer.rate}`;
    case 'activation':
      return layer.activation;
    case 'residual':
      return `residual${act(layer.activation)}`;
    case 'inception':
      return `inception ×${layer.branches.length}`;
    default:
      return layer.type;
  }
}
