/**
 * How much fine structure a frame holds, and in which direction: per scale s (the luma
 * averaged over s x s blocks), the mean absolute step between horizontal neighbours and
 * between vertical neighbours. Blur takes the small scales away first; a picture that
 * collapsed into horizontal bands keeps vertical steps (the band edges) but loses the
 * horizontal ones; texture keeps both at every scale. Compared with the engine's frames
 * of the same moment, these six numbers say whether a generator kept the engine's look.
 */
import { FrameSize, luma } from '../eval/image-metrics';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { abs, floor } = Math;

/** Block sizes in pixels; each is twice the previous one. */
export const DETAIL_SCALES = [1, 2, 4] as const;
/** Component names, in the order `detailSpectrum` returns them. */
export const DETAIL_COMPONENTS = DETAIL_SCALES.flatMap((s) => [`x${s}`, `y${s}`]);

/** A w x h luma plane halved by 2 x 2 block means. */
function halve(l: Float64Array, w: number, h: number): Float64Array {
  const hw = floor(w / 2);
  const out = new Float64Array(hw * floor(h / 2));
  for (let y = 0; y < floor(h / 2) * 2; y++) {
    for (let x = 0; x < hw * 2; x++) out[floor(y / 2) * hw + floor(x / 2)] += l[y * w + x] / 4;
  }
  return out;
}

/** Mean |step| between horizontal and between vertical neighbours of a w x h plane. */
function steps(l: Float64Array, w: number, h: number): [number, number] {
  let across = 0;
  let down = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (x + 1 < w) across += abs(l[i + 1] - l[i]);
      if (y + 1 < h) down += abs(l[i + w] - l[i]);
    }
  }
  return [across / ((w - 1) * h), down / (w * (h - 1))];
}

/** [x1, y1, x2, y2, x4, y4]: mean |step| between horizontal (x) and vertical (y) neighbours per scale. */
export function detailSpectrum(frame: Uint8Array, size: FrameSize): Float64Array {
  const out = new Float64Array(DETAIL_COMPONENTS.length);
  let w = size.width;
  let h = size.height;
  let plane = luma(frame, size);
  DETAIL_SCALES.forEach((_, k) => {
    // Each scale is the previous one halved: the scales are 1, 2, 4.
    if (k > 0) {
      plane = halve(plane, w, h);
      w = floor(w / 2);
      h = floor(h / 2);
    }
    out.set(steps(plane, w, h), 2 * k);
  });
  return out;
}

/**
 * How much the fine structure changed from `previous` to `frame`: the mean absolute
 * change of the horizontal and vertical luma steps between neighbouring pixels. A moving
 * textured view changes them everywhere; a frozen picture not at all; a blurred one
 * little, since it has few steps left to change.
 */
export function detailChange(previous: Uint8Array, frame: Uint8Array, size: FrameSize): number {
  const { width: W, height: H } = size;
  const before = luma(previous, size);
  const after = luma(frame, size);
  let total = 0;
  for (let y = 0; y < H - 1; y++) {
    for (let x = 0; x < W - 1; x++) {
      const p = y * W + x;
      const across = after[p + 1] - after[p] - (before[p + 1] - before[p]);
      const down = after[p + W] - after[p] - (before[p + W] - before[p]);
      total += abs(across) + abs(down);
    }
  }
  return total / (2 * (W - 1) * (H - 1));
}
