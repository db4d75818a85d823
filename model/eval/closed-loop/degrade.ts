/**
 * Engine frames made worse on purpose, the negative controls the closed-loop measures
 * are validated on: a Gaussian blur (what a regression model's average looks like), a
 * 2x down- and up-sampling (a decoder that lost the finest scale), and a slow sideways
 * slide (a view that drifts while the player stands still).
 */
import { ENGINE_FPS } from '../../engine/engine';
import type { FrameSize } from '../image-metrics';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { ceil, exp, floor, max, min, round } = Math;

export const BLUR_SIGMA = 1.5;
/** The slide of `drifted`, in pixels per second: twice the idle drift allowed. */
export const DRIFT_PX_PER_S = 2;

function gaussianTaps(sigma: number): Float64Array {
  const radius = ceil(3 * sigma);
  const taps = Float64Array.from({ length: 2 * radius + 1 }, (_, i) =>
    exp(-((i - radius) ** 2) / (2 * sigma * sigma)),
  );
  const total = taps.reduce((s, v) => s + v, 0);
  return taps.map((v) => v / total);
}

/** Separable Gaussian blur of an RGB frame, edges clamped. */
export function gaussianBlur(frame: Uint8Array, size: FrameSize, sigma = BLUR_SIGMA): Uint8Array {
  const taps = gaussianTaps(sigma);
  const blurred = blurAlong(
    blurAlong(Float64Array.from(frame), size, taps, 1),
    size,
    taps,
    size.width,
  );
  const out = new Uint8Array(frame.length);
  for (let i = 0; i < out.length; i++) out[i] = round(blurred[i]);
  return out;
}

/** One pass of the blur along rows (step 1 pixel) or columns (step one row of pixels). */
function blurAlong(
  src: Float64Array,
  size: FrameSize,
  taps: Float64Array,
  step: number,
): Float64Array {
  const { width: W, height: H } = size;
  const radius = (taps.length - 1) / 2;
  const [length, lines, lineStep] = step === 1 ? [W, H, W] : [H, W, 1];
  const out = new Float64Array(src.length);
  for (let line = 0; line < lines; line++) {
    const start = line * lineStep;
    for (let i = 0; i < length; i++) {
      const to = (start + i * step) * 3;
      for (let k = -radius; k <= radius; k++) {
        const from = (start + min(length - 1, max(0, i + k)) * step) * 3;
        const w = taps[k + radius];
        out[to] += w * src[from];
        out[to + 1] += w * src[from + 1];
        out[to + 2] += w * src[from + 2];
      }
    }
  }
  return out;
}

/** 2x2 block means, then bilinear upsampling back to the frame's size. */
export function downUp(frame: Uint8Array, size: FrameSize): Uint8Array {
  const { width: W, height: H } = size;
  const w = floor(W / 2);
  const h = floor(H / 2);
  const small = new Float64Array(w * h * 3);
  for (let y = 0; y < h * 2; y++) {
    for (let x = 0; x < w * 2; x++) {
      for (let c = 0; c < 3; c++)
        small[(floor(y / 2) * w + floor(x / 2)) * 3 + c] += frame[(y * W + x) * 3 + c] / 4;
    }
  }
  // Output pixel i sits at (i + 0.5) / 2 - 0.5 in the small grid: two neighbours and a weight.
  const taps = (n: number, small: number) =>
    Array.from({ length: n }, (_, i) => {
      const at = min(small - 1, max(0, (i + 0.5) / 2 - 0.5));
      const lo = floor(at);
      return { lo, hi: min(small - 1, lo + 1), t: at - lo };
    });
  const across = taps(W, w);
  const down = taps(H, h);
  const out = new Uint8Array(frame.length);
  for (let y = 0; y < H; y++) {
    const { lo: y0, hi: y1, t: fy } = down[y];
    for (let x = 0; x < W; x++) {
      const { lo: x0, hi: x1, t: fx } = across[x];
      for (let c = 0; c < 3; c++) {
        const a = small[(y0 * w + x0) * 3 + c];
        const b = small[(y0 * w + x1) * 3 + c];
        const d = small[(y1 * w + x0) * 3 + c];
        const e = small[(y1 * w + x1) * 3 + c];
        const top = a + (b - a) * fx;
        const bottom = d + (e - d) * fx;
        out[(y * W + x) * 3 + c] = round(top + (bottom - top) * fy);
      }
    }
  }
  return out;
}

/** Frame `index` of a play slid right by DRIFT_PX_PER_S per second so far (edges clamped). */
export function drifted(frame: Uint8Array, size: FrameSize, index: number): Uint8Array {
  const { width: W, height: H } = size;
  const shift = floor((index * DRIFT_PX_PER_S) / ENGINE_FPS);
  const out = new Uint8Array(frame.length);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const from = (y * W + max(0, x - shift)) * 3;
      out.set(frame.subarray(from, from + 3), (y * W + x) * 3);
    }
  }
  return out;
}
