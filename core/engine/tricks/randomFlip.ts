// Random horizontal flip: each image of the batch is mirrored left to right with probability p.
import { randomFlip as descriptor } from '../../../shared/tricks/defs/random-flip.js';
import { defineAugmentation, imageShape, rowRng } from './augment.js';

export const randomFlip = defineAugmentation({
  descriptor,
  prepare: (p, data) => {
    const [h, w, c] = imageShape(data);
    const features = h * w * c;
    return (x, from, to, seed) => {
      for (let r = from; r < to; r++) {
        if (rowRng(seed, r)() >= p.probability) continue;
        const image = r * features;
        for (let y = 0; y < h; y++) {
          const line = image + y * w * c;
          for (let left = 0, right = w - 1; left < right; left++, right--) {
            for (let ch = 0; ch < c; ch++) {
              const a = line + left * c + ch;
              const b = line + right * c + ch;
              const t = x[a]!;
              x[a] = x[b]!;
              x[b] = t;
            }
          }
        }
      }
    };
  },
});
