/**
 * Look, static and banded: window-by-window comparisons of a source's frames with the
 * engine's frames of the same window of the same play (same seed, same inputs).
 *
 * - Look: per component of the detail spectrum (model/metrics/detail.ts: horizontal and
 *   vertical steps at 1, 2 and 4 px), the window's mean over the source's frames divided
 *   by the engine's; a window passes when every ratio is within [LOOK_RATIO, 1/LOOK_RATIO].
 *   Blur loses the small scales, bands the horizontal steps, a decoder grid adds to the
 *   smallest scale only: each moves some ratio out.
 * - Static: the window's mean detail change per frame over the engine's, within
 *   [STATIC_RATIO, 1/STATIC_RATIO]: a frozen or blurred picture changes too little.
 * - Banded: the ratio of horizontal to vertical steps (scales 2 and 4) over the engine's,
 *   within [LOOK_RATIO, 1/LOOK_RATIO]: horizontal bands have vertical steps only.
 */
import { ENGINE_FPS } from '../../engine/engine';
import { mean } from '../summary';
import { Score, score } from './score';
import { Track } from './track';

export const WINDOW_FRAMES = 10 * ENGINE_FPS;
export const LOOK_RATIO = 0.7;
export const STATIC_RATIO = 0.5;

export interface Window {
  from: number;
  /** Frames from..to - 1. */
  to: number;
}

/** Consecutive windows of `length` frames over frames first..last (a short tail is dropped). */
export function windows(first: number, last: number, length = WINDOW_FRAMES): Window[] {
  const out: Window[] = [];
  for (let from = first; from + length - 1 <= last; from += length)
    out.push({ from, to: from + length });
  return out;
}

const within = (ratio: number, bound: number) => ratio >= bound && ratio <= 1 / bound;

function windowMean(track: Track, w: Window, pick: (track: Track, frame: number) => number) {
  return mean(Array.from({ length: w.to - w.from }, (_, k) => pick(track, w.from + k)));
}

/** Per window, the detail spectrum's ratios to the engine's. */
export function detailRatios(source: Track, engine: Track, w: Window): number[] {
  return Array.from(engine.detail[0], (_, c) => {
    const pick = (t: Track, f: number) => t.detail[f][c];
    return windowMean(source, w, pick) / windowMean(engine, w, pick);
  });
}

/** The ratio furthest from 1, as a factor below 1 (0.5 = half or double the engine's). */
function worst(ratios: readonly number[]): number {
  return Math.min(...ratios.map((r) => Math.min(r, 1 / r)));
}

export function lookScore(pairs: readonly [Track, Track, Window][]): Score {
  const ratios = pairs.map(([source, engine, w]) => detailRatios(source, engine, w));
  return score(
    ratios.map((r) => r.every((v) => within(v, LOOK_RATIO))),
    `worst detail ratio ${Math.min(...ratios.map(worst)).toFixed(2)}`,
  );
}

export function staticScore(pairs: readonly [Track, Track, Window][]): Score {
  const ratios = pairs.map(
    ([source, engine, w]) =>
      windowMean(source, w, (t, f) => t.change[f]) / windowMean(engine, w, (t, f) => t.change[f]),
  );
  return score(
    ratios.map((r) => within(r, STATIC_RATIO)),
    `detail change vs engine ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
  );
}

/** Horizontal over vertical steps at scales 2 and 4, averaged over a window. */
function anisotropy(track: Track, w: Window): number {
  const across = windowMean(track, w, (t, f) => t.detail[f][2] + t.detail[f][4]);
  const down = windowMean(track, w, (t, f) => t.detail[f][3] + t.detail[f][5]);
  return across / down;
}

export function bandedScore(pairs: readonly [Track, Track, Window][]): Score {
  const ratios = pairs.map(([source, engine, w]) => anisotropy(source, w) / anisotropy(engine, w));
  return score(
    ratios.map((r) => within(r, LOOK_RATIO)),
    `across/down steps vs engine ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
  );
}
