import { defineLayer, NO_TRICKS } from '../descriptor.js';
import { size2, text, windowParam, type Size2 } from '../params.js';
import { imageInput, windowText } from '../shapes.js';

export const INTERPOLATIONS = ['nearest', 'bilinear'] as const;

export interface UpSampling2dLayer {
  type: 'upSampling2d';
  name?: string;
  /** Factor per axis (default 2). */
  size?: Size2;
  interpolation?: (typeof INTERPOLATIONS)[number];
}

export const upSampling2d = defineLayer<UpSampling2dLayer>({
  type: 'upSampling2d',
  category: 'convolution',
  text: {
    label: text('Up-sampling', '上采样'),
    summary: text(
      'Enlarges an image by repeating (or interpolating) its pixels: the way back up in decoders and segmentation nets.',
      '通过重复（或插值）像素放大图像：解码器和分割网络中恢复分辨率的方法。',
    ),
  },
  params: {
    size: { ...windowParam(text('Factor', '倍数')), optional: true, default: 2 },
    interpolation: { kind: 'enum', label: text('Interpolation', '插值'), options: INTERPOLATIONS, optional: true, default: 'nearest' },
  },
  create: () => ({ type: 'upSampling2d', size: 2 }),
  describe: (l) => `upSampling2d ×${windowText(l.size ?? 2)}${l.interpolation === 'bilinear' ? ' bilinear' : ''}`,
  infer(layer, input, ctx) {
    const x = imageInput('upSampling2d', input, ctx);
    if (!x) return null;
    const [sh, sw] = size2(layer.size ?? 2);
    return { outputShape: [x[0]! * sh, x[1]! * sw, x[2]!] };
  },
  tricks: NO_TRICKS,
});
