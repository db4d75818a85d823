/**
 * How far the picture slid sideways between two frames: the horizontal shift (in
 * pixels, + = content moved right) that best aligns the upper part of the frames
 * (sky and far terrain, where turning dominates and the player sprite is absent).
 * Used to check that turning moves the view the right way, for the engine and for a
 * generator alike. `exclude` leaves a box out of the comparison (a pixel counts only
 * when neither it nor its source under the shift lies in the box): the evaluation
 * leaves out the place of the character the camera follows (model/eval/character-place.ts),
 * which stays put on screen while the view turns.
 */
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { abs, floor, max, min } = Math;
const INFINITY = 1 / 0;

export interface ShiftOptions {
  width: number;
  height: number;
  /** Largest shift tried, in pixels (default width / 8). */
  maxShift?: number;
  /** Fraction of rows from the top that are compared (default 0.55). */
  rows?: number;
  /** Pixels left out: rows [top, bottom), columns [left, right) (default none). */
  exclude?: { top: number; bottom: number; left: number; right: number };
}

export function horizontalShift(
  before: Uint8Array,
  after: Uint8Array,
  options: ShiftOptions,
): number {
  const { width: W, height: H } = options;
  const maxShift = options.maxShift ?? floor(W / 8);
  const rows = floor(H * (options.rows ?? 0.55));
  const box = options.exclude;
  let bestShift = 0;
  let bestCost = INFINITY;
  // Try 0, 1, -1, 2, -2, ... so that on ties the smaller shift wins (a static view reads 0).
  for (let k = 0; k <= 2 * maxShift; k++) {
    const s = k % 2 === 1 ? (k + 1) / 2 : 0 - k / 2; // 0 - 0 is +0, not -0
    let cost = 0;
    let count = 0;
    for (let y = 0; y < rows; y++) {
      const boxed = box !== undefined && y >= box.top && y < box.bottom;
      for (let x = max(0, s); x < min(W, W + s); x++) {
        if (boxed && ((x >= box.left && x < box.right) || (x - s >= box.left && x - s < box.right)))
          continue;
        const a = (y * W + x - s) * 3;
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
      bestShift = s;
    }
  }
  return bestShift;
}
