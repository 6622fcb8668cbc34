// Turning a picture into what a model was trained on, in plain TypeScript (the page runs it on a canvas's pixels
// before `runs.predict`; tests run it on real MNIST digits). Values are 0–255, row-major, as the datasets hold them.
//
// MNIST's own preprocessing (LeCun et al.): each digit was size-normalised to fit a 20 × 20 box keeping its aspect
// ratio (anti-aliased, so grey levels appear), then placed in a 28 × 28 field with its centre of mass at the centre.
// A digit drawn anywhere on a large canvas, at any size, is made to look like that.

export const MNIST_SIDE = 28;
export const MNIST_BOX = 20;
/** Where MNIST digits have their centre of mass, in pixel units with pixel (i, j)'s centre at (i + 0.5, j + 0.5). */
export const MNIST_CENTRE = MNIST_SIDE / 2 + 0.5;

/** Grey levels from RGBA pixels (a canvas's ImageData): ITU-R BT.601 luma, 0–255. */
export function rgbaToGray(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let i = 0; i < out.length; i++) {
    const a = rgba[i * 4 + 3]! / 255;
    // A transparent pixel is the background (black): an image with an alpha channel shows its shape.
    out[i] = a * (0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!);
  }
  return out;
}

/** RGB planes interleaved (height × width × 3) from RGBA pixels, alpha over black. */
export function rgbaToRgb(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const a = rgba[i * 4 + 3]! / 255;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = a * rgba[i * 4 + c]!;
  }
  return out;
}

/** Light background (a dark digit on white paper) → inverted, so the digit is light on dark as MNIST's are. */
export function invertIfLight(gray: Float32Array, width: number, height: number): Float32Array {
  let sum = 0;
  let n = 0;
  for (let x = 0; x < width; x++) {
    sum += gray[x]! + gray[(height - 1) * width + x]!;
    n += 2;
  }
  for (let y = 1; y < height - 1; y++) {
    sum += gray[y * width]! + gray[y * width + width - 1]!;
    n += 2;
  }
  if (n === 0 || sum / n <= 127.5) return gray;
  return gray.map((v) => 255 - v);
}

/**
 * Area-averaging resize of `channels` interleaved planes (each destination pixel is the mean of the source area it
 * covers, with fractional edges): the anti-aliasing a downscaled digit needs, exact for integer factors.
 */
export function resizeArea(src: Float32Array, sw: number, sh: number, dw: number, dh: number, channels = 1): Float32Array {
  const out = new Float32Array(dw * dh * channels);
  const fx = sw / dw;
  const fy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const y0 = y * fy;
    const y1 = y0 + fy;
    for (let x = 0; x < dw; x++) {
      const x0 = x * fx;
      const x1 = x0 + fx;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        let area = 0;
        for (let sy = Math.floor(y0); sy < Math.min(sh, Math.ceil(y1)); sy++) {
          const wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
          for (let sx = Math.floor(x0); sx < Math.min(sw, Math.ceil(x1)); sx++) {
            const w = wy * (Math.min(x1, sx + 1) - Math.max(x0, sx));
            sum += w * src[(sy * sw + sx) * channels + c]!;
            area += w;
          }
        }
        out[(y * dw + x) * channels + c] = area > 0 ? sum / area : 0;
      }
    }
  }
  return out;
}

/** The centre of mass (x, y) of a grey image, or null when it is all black. */
export function centreOfMass(gray: ArrayLike<number>, width: number, height: number): [number, number] | null {
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = gray[y * width + x]!;
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  return m > 0 ? [mx / m, my / m] : null;
}

/**
 * A light-on-dark grey picture of one digit (any size) → 28 × 28 as MNIST digits are: cropped to the ink, scaled to
 * fit 20 × 20 keeping its aspect ratio, placed so its centre of mass is at the field's centre. All black in → all
 * black out. `threshold` ignores faint noise when cropping (0–255).
 */
export function mnistStyle(gray: Float32Array, width: number, height: number, threshold = 16): Float32Array {
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x]! > threshold) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  if (x1 < 0) return out;
  const cw = x1 - x0 + 1;
  const ch = y1 - y0 + 1;
  const crop = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) crop.set(gray.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + cw), y * cw);
  const scale = MNIST_BOX / Math.max(cw, ch);
  const bw = Math.max(1, Math.round(cw * scale));
  const bh = Math.max(1, Math.round(ch * scale));
  const box = resizeArea(crop, cw, ch, bw, bh);
  const [cx, cy] = centreOfMass(box, bw, bh) ?? [bw / 2, bh / 2];
  // Whole-pixel shift putting the centre of mass nearest pixel (14, 14), where MNIST's digits have it (its centre is
  // 14.5 counting pixel centres at +0.5), kept inside the field.
  const left = Math.min(MNIST_SIDE - bw, Math.max(0, Math.round(MNIST_CENTRE - cx)));
  const top = Math.min(MNIST_SIDE - bh, Math.max(0, Math.round(MNIST_CENTRE - cy)));
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) out[(top + y) * MNIST_SIDE + left + x] = Math.min(255, Math.max(0, box[y * bw + x]!));
  }
  return out;
}
