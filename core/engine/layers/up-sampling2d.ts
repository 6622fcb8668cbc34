import * as tfl from '@tensorflow/tfjs-layers';
import { size2 } from '../../../shared/index.js';
import { defineBuilder, pair } from './builder.js';

export const upSampling2d = defineBuilder<'upSampling2d'>({
  type: 'upSampling2d',
  build: (layer, x, ctx) => ctx.apply(tfl.layers.upSampling2d({ size: size2(layer.size ?? 2), interpolation: layer.interpolation ?? 'nearest' }), x),
  tfjs: {
    UpSampling2D: {
      onnx([x], ctx) {
        const [sh, sw] = pair(ctx.config.size as number | number[]);
        const bilinear = ctx.config.interpolation === 'bilinear';
        // tfjs resizes without aligned corners or half-pixel centres: source = destination / scale ('asymmetric');
        // nearest takes the floor of it.
        const scales = ctx.weight('scales', Float32Array.from([1, 1, sh, sw]), [4]);
        const attributes = [
          ctx.string('mode', bilinear ? 'linear' : 'nearest'),
          ctx.string('coordinate_transformation_mode', 'asymmetric'),
          ...(bilinear ? [] : [ctx.string('nearest_mode', 'floor')]),
        ];
        return { name: ctx.node('Resize', [x!.name, '', scales], attributes), rank: 4 };
      },
      import: {
        toSpec({ config: c, size, stop }) {
          if (c.dataFormat === 'channelsFirst') throw stop('channels-first data is not supported');
          return [{ type: 'upSampling2d', size: size(c.size), interpolation: c.interpolation === 'bilinear' ? 'bilinear' : 'nearest' }];
        },
      },
    },
  },
});
