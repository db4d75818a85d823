/**
 * Motion measures for controllability, applied alike to engine and generated clips.
 *
 * Turning: the horizontal slide of the upper view (sky and far terrain) summed over
 * consecutive frames (model/metrics/view-shift.ts); + = the picture slid right, which
 * is what a left turn does.
 *
 * Forward: walking forward brings the ground toward the camera, so every ground point
 * moves away from the horizon, the more the nearer it is. For a flat ground seen from a
 * camera at height h with focal length f, a point r rows below the horizon comes from
 * r0 = 1 / (1/r + d/(h f)) rows after walking d forward, and its column scales by r0/r
 * about the centre. `forwardFlow` searches the one parameter k = d/(h f) of that warp
 * which best maps the first frame of a clip onto its last (mean absolute difference);
 * + = forward, - = back. Comparing the clip's ends, not frame pairs, keeps the
 * displacement large enough to see.
 *
 * Both leave out the follow box (character-place.ts): the player's character stays put
 * on screen while the view turns or walks, and would pull the alignment towards no
 * motion.
 */
import { horizontalShift } from '../metrics/view-shift';
import { Box, followBox, HORIZON } from './character-place';
import type { FrameSize } from './image-metrics';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { abs, floor, round } = Math;
const INFINITY = 1 / 0;

/** Rows this close to the horizon barely move; they are skipped. */
const HORIZON_MARGIN = 4;
/** Warp parameters tried: k = i * K_STEP for |i| <= K_STEPS (walking 8 ticks gives about 0.006). */
const K_STEP = 0.0005;
const K_STEPS = 32;

export type MotionClass = 'left' | 'right' | 'forward' | 'back' | 'none';

/** Below these magnitudes a clip counts as showing no motion along that axis. */
export const TURN_THRESHOLD_PX = 4;
export const FORWARD_THRESHOLD = 0.002;

/** The flat-ground forward warp parameter k that best maps `before` onto `after`. */
export function forwardFlow(before: Uint8Array, after: Uint8Array, size: FrameSize): number {
  const { width: W, height: H } = size;
  const horizon = round(H * HORIZON);
  const top = horizon + HORIZON_MARGIN;
  const centre = W / 2;
  const box = boxOf(size);
  const inSprite = (x: number, y: number) =>
    y >= box.top && y < box.bottom && x >= box.left && x < box.right;
  let best = 0;
  let bestCost = INFINITY;
  // Try 0, +1, -1, +2, ... so that on ties the smaller motion wins (a static view reads 0).
  for (let i = 0; i <= 2 * K_STEPS; i++) {
    const k = (i % 2 === 1 ? (i + 1) / 2 : 0 - i / 2) * K_STEP;
    let cost = 0;
    let count = 0;
    for (let y = top; y < H; y++) {
      const r = y + 0.5 - horizon;
      const inverse = 1 / r + k;
      if (inverse <= 0) continue;
      const r0 = 1 / inverse;
      const y0 = floor(horizon + r0);
      if (y0 < top || y0 >= H) continue;
      const scale = r0 / r;
      for (let x = 0; x < W; x++) {
        if (inSprite(x, y)) continue;
        const x0 = floor(centre + (x + 0.5 - centre) * scale);
        if (x0 < 0 || x0 >= W || inSprite(x0, y0)) continue;
        const a = (y0 * W + x0) * 3;
        const b = (y * W + x) * 3;
        cost +=
          abs(before[a] - after[b]) +
          abs(before[a + 1] - after[b + 1]) +
          abs(before[a + 2] - after[b + 2]);
        count++;
      }
    }
    const mean = count > 0 ? cost / count : INFINITY;
    if (mean < bestCost - 1e-9) {
      bestCost = mean;
      best = k;
    }
  }
  return best;
}

/** The follow box of a frame size, made once per size. */
const boxes = new Map<string, Box>();
function boxOf(size: FrameSize): Box {
  const key = `${size.width}x${size.height}`;
  let box = boxes.get(key);
  if (!box) boxes.set(key, (box = followBox(size)));
  return box;
}

/** The horizontal slide of the upper view between two frames, the follow box left out. */
export function viewShift(before: Uint8Array, after: Uint8Array, size: FrameSize): number {
  const { width, height } = size;
  return horizontalShift(before, after, { width, height, exclude: boxOf(size) });
}

/** Summed horizontal slide of the upper view over a clip, in pixels. */
export function turnMotion(frames: readonly Uint8Array[], size: FrameSize): number {
  let sum = 0;
  for (let i = 1; i < frames.length; i++) sum += viewShift(frames[i - 1], frames[i], size);
  return sum;
}

/** The class of a clip along the axis an action moves. */
export function turnClass(turn: number): MotionClass {
  return turn >= TURN_THRESHOLD_PX ? 'left' : turn <= -TURN_THRESHOLD_PX ? 'right' : 'none';
}

export function forwardClass(forward: number): MotionClass {
  return forward >= FORWARD_THRESHOLD ? 'forward' : forward <= -FORWARD_THRESHOLD ? 'back' : 'none';
}
