/**
 * Stability frame by frame: each frame's channel means and spreads and its finest
 * horizontal and vertical detail must lie within what the engine's frames of the same
 * play show around the same moment (RANGE_FRAMES either side, so a change the
 * generator shows slightly late still counts), widened by RANGE_SLACK of the value, and
 * for the colour statistics by RANGE_FLOOR levels more (dark frames have small values). A collapsing picture drifts out of colour, contrast or detail;
 * a blurred one out of detail.
 */
import { ENGINE_FPS } from '../../engine/engine';
import { Score, score } from './score';
import { Track } from './track';

export const RANGE_FRAMES = ENGINE_FPS;
export const RANGE_SLACK = 0.15;
export const RANGE_FLOOR = 2;
export const RANGE_STATS = ['mean_r', 'mean_g', 'mean_b', 'std_r', 'std_g', 'std_b', 'x1', 'y1'];
const COLOUR_STATS = 6;

function statsOf(track: Track, frame: number): number[] {
  return [...track.stats[frame], track.detail[frame][0], track.detail[frame][1]];
}

/** Per frame 1..last, the first statistic out of the engine's local range (-1: none). */
export function outOfRange(source: Track, engine: Track, last: number): number[] {
  const engineStats = engine.stats.map((_, f) => statsOf(engine, f));
  const out: number[] = [];
  for (let f = 1; f <= last; f++) {
    const near = engineStats.slice(Math.max(1, f - RANGE_FRAMES), f + RANGE_FRAMES + 1);
    const values = statsOf(source, f);
    out.push(
      values.findIndex((v, s) => {
        const column = near.map((row) => row[s]);
        const floor = s < COLOUR_STATS ? RANGE_FLOOR : 0;
        const low = Math.min(...column) * (1 - RANGE_SLACK) - floor;
        const high = Math.max(...column) * (1 + RANGE_SLACK) + floor;
        return v < low || v > high;
      }),
    );
  }
  return out;
}

export function rangeScore(pairs: readonly [Track, Track, number][]): Score {
  const flags = pairs.flatMap(([source, engine, last]) => outOfRange(source, engine, last));
  const counts = RANGE_STATS.map((_, s) => flags.filter((f) => f === s).length);
  const most = counts.indexOf(Math.max(...counts));
  const note =
    counts[most] > 0
      ? `most often out: ${RANGE_STATS[most]} (${counts[most]} frames)`
      : 'never out';
  return score(
    flags.map((f) => f < 0),
    note,
  );
}
