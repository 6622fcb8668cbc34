// Random shift: each image of the batch moves by (dy, dx), each drawn uniformly from [-pixels, pixels], the
// uncovered border filled with zero (a raw black pixel, as padding then cropping does) or the nearest edge pixel.
import { randomShift as descriptor } from '../../../shared/tricks/defs/random-shift.js';
import { defineAugmentation, imageShape, rowRng } from './augment.js';

export const randomShift = defineAugmentation({
  descriptor,
  prepare: (p, data) => {
    const [h, w, c] = imageShape(data);
    const features = h * w * c;
    const span = 2 * p.pixels + 1;
    const edge = p.fill === 'edge';
    // One image's copy: the source of the shifted pixels (each augmenter owns its scratch).
    const scratch = new Float32Array(features);
    return (x, from, to, seed) => {
      for (let r = from; r < to; r++) {
        const rng = rowRng(seed, r);
        const dy = Math.floor(rng() * span) - p.pixels;
        const dx = Math.floor(rng() * span) - p.pixels;
        if (dy === 0 && dx === 0) continue;
        const image = r * features;
        scratch.set(x.subarray(image, image + features));
        for (let y = 0; y < h; y++) {
          let sy = y - dy;
          const rowInside = sy >= 0 && sy < h;
          if (!rowInside && edge) sy = sy < 0 ? 0 : h - 1;
          for (let xx = 0; xx < w; xx++) {
            let sx = xx - dx;
            const inside = rowInside && sx >= 0 && sx < w;
            const out = image + (y * w + xx) * c;
            if (!inside && !edge) {
              for (let ch = 0; ch < c; ch++) x[out + ch] = data.zero;
              continue;
            }
            if (sx < 0) sx = 0;
            else if (sx >= w) sx = w - 1;
            const src = (sy * w + sx) * c;
            for (let ch = 0; ch < c; ch++) x[out + ch] = scratch[src + ch]!;
          }
        }
      }
    };
  },
});
