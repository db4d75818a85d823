/**
 * Is the player's character drawn, and which one? The engine draws the character's
 * pixel art (model/engine/sprites.ts) at a fixed size, centred horizontally, its feet
 * on a row that moves with the camera height and jumps, each colour scaled by the
 * scene's light. The matcher slides every character's art (each walking pose) over the
 * possible feet rows, reads the frame at the centre of each opaque art pixel, fits one
 * gain per colour channel (the light) and keeps the template with the least relative
 * misfit: residual = sum of squared misfit / sum of squared deviation from the mean.
 * A crisp sprite of the right character fits almost exactly (weather particles aside);
 * a blurred one smears the art's pixel edges; background or a wrong character fit
 * badly. `VISIBLE_RESIDUAL` splits "drawn" from "not drawn" and is validated on engine
 * frames (the closed-loop report shows the engine's and the blurred frames' rates).
 */
import { Character, INSTRUCTION_SLOTS } from '../../engine/instructions';
import { SPRITES } from '../../engine/sprites';
import { characterPlace } from '../character-place';
import type { FrameSize } from '../image-metrics';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { floor } = Math;
const INFINITY = 1 / 0;

/** At most this relative misfit counts as the character being drawn. */
export const VISIBLE_RESIDUAL = 0.12;
/** Feet rows are searched every COARSE_STEP px, then refined every FINE_STEP px around the best two. */
const COARSE_STEP = 2;
const FINE_STEP = 0.25;
/** Templates refined, and the share of worst-fitting pixels the refined fit leaves out. */
const REFINED = 3;
const TRIM = 0.15;

export interface CharacterMatch {
  /** The best-fitting character, and its relative misfit (0 = exact). */
  character: Character;
  residual: number;
  /** Whether the misfit is small enough for the character to count as drawn. */
  visible: boolean;
}

interface Template {
  character: Character;
  /** Per opaque art pixel: its screen column, its row offset from the feet row, its colour. */
  columns: Int32Array;
  rowOffsets: Float64Array;
  colours: Float64Array;
}

function templates(size: FrameSize): Template[] {
  const { width: W } = size;
  const { spriteHeight } = characterPlace(size);
  const list: Template[] = [];
  for (const character of INSTRUCTION_SLOTS.character) {
    for (const sprite of SPRITES[character]) {
      const pixel = spriteHeight / sprite.height;
      const spriteWidth = (spriteHeight * sprite.width) / sprite.height;
      const left = W / 2 - spriteWidth / 2;
      const columns: number[] = [];
      const rowOffsets: number[] = [];
      const colours: number[] = [];
      for (let sy = 0; sy < sprite.height; sy++) {
        for (let sx = 0; sx < sprite.width; sx++) {
          const s = (sy * sprite.width + sx) * 4;
          if (sprite.pixels[s + 3] === 0) continue;
          columns.push(floor(left + (sx + 0.5) * (spriteWidth / sprite.width)));
          rowOffsets.push((sy + 0.5) * pixel - spriteHeight);
          colours.push(sprite.pixels[s], sprite.pixels[s + 1], sprite.pixels[s + 2]);
        }
      }
      list.push({
        character,
        columns: Int32Array.from(columns),
        rowOffsets: Float64Array.from(rowOffsets),
        colours: Float64Array.from(colours),
      });
    }
  }
  return list;
}

export class CharacterMatcher {
  private readonly list: Template[];
  private readonly feetRows: number[];
  /** Scratch: per on-screen art pixel its index and observed RGB. */
  private readonly observed: Float64Array;
  private readonly errors: Float64Array;
  private readonly gains = new Float64Array(3);

  constructor(private readonly size: FrameSize) {
    const list = templates(size);
    this.list = list;
    const most = Math.max(...list.map((t) => t.columns.length));
    this.observed = new Float64Array(most * 4);
    this.errors = new Float64Array(most);
    // From feet just under the horizon (the highest jump) to a sprite half below the frame.
    const { highestFeet, lowestFeet } = characterPlace(size);
    this.feetRows = [];
    for (let f = highestFeet; f <= lowestFeet; f += COARSE_STEP) this.feetRows.push(f);
  }

  match(frame: Uint8Array): CharacterMatch {
    // Coarse: every template at every COARSE_STEP feet row, plain least squares.
    const coarse = this.list
      .map((template) => {
        let best = { residual: INFINITY, feet: 0 };
        for (const feet of this.feetRows) {
          const residual = this.misfit(frame, template, feet, false);
          if (residual < best.residual) best = { residual, feet };
        }
        return { template, ...best };
      })
      .sort((a, b) => a.residual - b.residual);
    // Fine: the best few, every FINE_STEP px, with the worst-fitting pixels left out
    // (rain streaks and snow flakes cross the sprite; a smeared or wrong sprite misfits everywhere).
    let best = { ...coarse[0], residual: INFINITY };
    for (const candidate of coarse.slice(0, REFINED)) {
      for (let d = -COARSE_STEP; d <= COARSE_STEP; d += FINE_STEP) {
        const residual = this.misfit(frame, candidate.template, candidate.feet + d, true);
        if (residual < best.residual) best = { ...candidate, residual, feet: candidate.feet + d };
      }
    }
    return {
      character: best.template.character,
      residual: best.residual,
      visible: best.residual <= VISIBLE_RESIDUAL,
    };
  }

  /**
   * Relative misfit of a template with its feet on row `feet` (Infinity when too little
   * is on screen); `trimmed` refits without the TRIM share of worst-fitting pixels.
   */
  private misfit(frame: Uint8Array, template: Template, feet: number, trimmed: boolean): number {
    const { width: W, height: H } = this.size;
    const { columns, rowOffsets, colours } = template;
    const n = columns.length;
    const observed = this.observed;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const row = floor(feet + rowOffsets[i]);
      if (row < 0 || row >= H) continue;
      const p = (row * W + columns[i]) * 3;
      observed[count * 4] = i;
      observed[count * 4 + 1] = frame[p];
      observed[count * 4 + 2] = frame[p + 1];
      observed[count * 4 + 3] = frame[p + 2];
      count++;
    }
    // Most of the sprite must be on screen for a judgement.
    if (count < n * 0.6) return INFINITY;
    const all = relativeMisfit(observed, count, colours, null, this.gains);
    if (!trimmed) return all;
    // Each pixel's squared error under the fitted gains; refit on the best (1 - TRIM).
    const errors = this.errors;
    const g = this.gains;
    for (let k = 0; k < count; k++) {
      const i = observed[k * 4];
      errors[k] =
        (observed[k * 4 + 1] - g[0] * colours[i * 3]) ** 2 +
        (observed[k * 4 + 2] - g[1] * colours[i * 3 + 1]) ** 2 +
        (observed[k * 4 + 3] - g[2] * colours[i * 3 + 2]) ** 2;
    }
    const limit = quantileOf(errors.subarray(0, count), 1 - TRIM);
    return relativeMisfit(observed, count, colours, (k) => errors[k] <= limit, this.gains);
  }
}

/** The q-quantile of a few values (sorts a copy). */
function quantileOf(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[floor(q * (sorted.length - 1))];
}

/**
 * Per channel the least-squares gain g of art a to observed o, written into `gains`;
 * returns sum (o - g a)^2 / sum (o - mean o)^2 over the kept pixels.
 */
function relativeMisfit(
  observed: Float64Array,
  count: number,
  colours: Float64Array,
  keep: ((k: number) => boolean) | null,
  gains: Float64Array,
): number {
  let misfit = 0;
  let spread = 0;
  for (let c = 0; c < 3; c++) {
    let oa = 0;
    let aa = 0;
    let o1 = 0;
    let oo = 0;
    let used = 0;
    for (let k = 0; k < count; k++) {
      if (keep && !keep(k)) continue;
      const o = observed[k * 4 + 1 + c];
      const a = colours[observed[k * 4] * 3 + c];
      oa += o * a;
      aa += a * a;
      o1 += o;
      oo += o * o;
      used++;
    }
    gains[c] = aa > 0 ? oa / aa : 0;
    // sum (o - g a)^2 = oo - g oa at the least-squares gain g = oa / aa.
    misfit += oo - gains[c] * oa;
    spread += oo - (o1 * o1) / used;
  }
  return spread > 1e-9 ? misfit / spread : INFINITY;
}
