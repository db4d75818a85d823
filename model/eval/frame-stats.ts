/**
 * Per-frame statistics for the stability check, and the range engine data spans. A
 * collapsing rollout drifts to flat, saturated, washed-out or flickering frames, which
 * shows as a channel mean or spread, or a frame-to-frame change, outside anything the
 * engine produces.
 */
import { quantile } from './summary';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { abs, max, sqrt } = Math;

export const STAT_NAMES = [
  'mean_r',
  'mean_g',
  'mean_b',
  'std_r',
  'std_g',
  'std_b',
  'mean_abs_diff',
] as const;
export type StatName = (typeof STAT_NAMES)[number];

/**
 * Channel means and standard deviations (8-bit levels) and the mean absolute difference
 * to `previous` over all bytes (NaN without a previous frame).
 */
export function frameStats(frame: Uint8Array, previous: Uint8Array | null): number[] {
  const sum = [0, 0, 0];
  const squares = [0, 0, 0];
  for (let i = 0; i < frame.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const v = frame[i + c];
      sum[c] += v;
      squares[c] += v * v;
    }
  }
  const pixels = frame.length / 3;
  const means = sum.map((s) => s / pixels);
  const stds = squares.map((s, c) => sqrt(max(0, s / pixels - means[c] * means[c])));
  let diff = NaN;
  if (previous) {
    let total = 0;
    for (let i = 0; i < frame.length; i++) total += abs(frame[i] - previous[i]);
    diff = total / frame.length;
  }
  return [...means, ...stds, diff];
}

export interface StatRange {
  stat: StatName;
  low: number;
  high: number;
  /** The engine frames' median, to read a rollout's values against. */
  median: number;
}

export interface RangeOptions {
  /** Percentiles (0..1) of the engine values that bound the range. */
  lowQuantile: number;
  highQuantile: number;
  /** Widening on each side, as a share of the percentile span. */
  margin: number;
}

/** Per statistic, the range engine frames span (samples: one frameStats row per frame). */
export function statRanges(samples: readonly number[][], options: RangeOptions): StatRange[] {
  return STAT_NAMES.map((stat, s) => {
    const column = samples.map((row) => row[s]);
    const low = quantile(column, options.lowQuantile);
    const high = quantile(column, options.highQuantile);
    const pad = (high - low) * options.margin;
    return { stat, low: low - pad, high: high + pad, median: quantile(column, 0.5) };
  });
}

/** The first statistic of `stats` outside its range, or null (NaN counts as inside). */
export function outOfRange(
  stats: readonly number[],
  ranges: readonly StatRange[],
): StatName | null {
  for (let s = 0; s < ranges.length; s++) {
    const v = stats[s];
    if (v < ranges[s].low || v > ranges[s].high) return ranges[s].stat;
  }
  return null;
}
