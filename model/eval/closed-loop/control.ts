/**
 * Control in the scripted plays. A held turn's motion is the view's summed horizontal
 * slide (model/metrics/view-shift.ts, + = a left turn); a forward walk's the summed
 * flat-ground warp over FORWARD_SPAN-frame steps (model/eval/motion.ts); both over the
 * held segment. Cases are the segments where the engine's motion labels show the
 * movement (a walk blocked by a tree is not one). The engine passes a case when the
 * measure reads its clip as the held action (this validates the measure); another
 * source when its motion has the sign of the engine's measured motion and is within
 * MAGNITUDE of it (cases the measure misreads on the engine are no reference). Idle:
 * after settling, the view slides less than IDLE_DRIFT px per second.
 */
import { ENGINE_FPS } from '../../engine/engine';
import { forwardClass, turnClass } from '../motion';
import type { FrameSize } from '../image-metrics';
import { mean, median } from '../summary';
import { ControlCase, ControlKind } from './cases';
import { PlayRun, Source } from './play';
import { Score, score } from './score';
import { Track } from './track';

export const MAGNITUDE = 0.3;
export const IDLE_DRIFT = 1;

const EXPECTED = { turn_left: 'left', turn_right: 'right', forward: 'forward' } as const;

/**
 * A clip's motion: pixels of slide for turns and idle, warp k for forward. A slide at
 * the search limit means the frames did not align (a near tree sweeping past faster
 * than the far view, over a horizontally uniform sky): it counts as the clip's median
 * slide instead.
 */
export function caseMotion(track: Track, c: ControlCase, size: FrameSize): number {
  const frames = Array.from({ length: c.to - c.from }, (_, k) => c.from + 1 + k);
  if (c.kind === 'forward') return frames.reduce((sum, f) => sum + (track.forward.get(f) ?? 0), 0);
  const limit = size.width / 8;
  const slides = frames.map((f) => track.shift.get(f) ?? 0);
  const typical = median(slides.filter((s) => Math.abs(s) < limit));
  return slides.reduce((sum, s) => sum + (Math.abs(s) < limit ? s : typical || 0), 0);
}

/** Engine motion over a held segment that counts as having moved: radians, cells. */
const MIN_YAW = 0.2;
const MIN_FORWARD = 0.5;

/** Whether the engine's motion labels show the held movement. */
export function engineMoved(run: PlayRun, c: ControlCase): boolean {
  const steps = run.motion.slice(c.from, c.to);
  if (c.kind === 'forward') return steps.reduce((s, m) => s + m.forward, 0) >= MIN_FORWARD;
  const yaw = steps.reduce((s, m) => s + m.yaw, 0);
  return Math.abs(yaw) >= MIN_YAW && Math.sign(yaw) === (c.kind === 'turn_left' ? 1 : -1);
}

const close = (value: number, reference: number) =>
  Math.sign(value) === Math.sign(reference) &&
  Math.abs(value - reference) <= MAGNITUDE * Math.abs(reference);

interface MotionResult {
  pass: boolean;
  motion: number;
  engine: number;
}

/** Per moved case of the given kinds: whether the source moved like the engine. */
export function controlResults(
  runs: readonly PlayRun[],
  cases: readonly ControlCase[][],
  kinds: readonly ControlKind[],
  source: Source,
  size: FrameSize,
): MotionResult[] {
  return runs.flatMap((run, r) =>
    cases[r]
      .filter((c) => kinds.includes(c.kind) && c.kind !== 'idle' && engineMoved(run, c))
      .flatMap((c): MotionResult[] => {
        const engine = caseMotion(run.tracks.engine, c, size);
        const cls = c.kind === 'forward' ? forwardClass(engine) : turnClass(engine);
        const readsRight = cls === EXPECTED[c.kind as keyof typeof EXPECTED];
        if (source === 'engine') return [{ pass: readsRight, motion: engine, engine }];
        const motion = caseMotion(run.tracks[source], c, size);
        return readsRight ? [{ pass: close(motion, engine), motion, engine }] : [];
      }),
  );
}

export function motionScore(
  runs: readonly PlayRun[],
  cases: readonly ControlCase[][],
  kinds: readonly ControlKind[],
  source: Source,
  size: FrameSize,
): Score {
  const results = controlResults(runs, cases, kinds, source, size);
  const forward = kinds.includes('forward');
  const show = (v: number) => (forward ? `k ${v.toFixed(4)}` : `${v.toFixed(0)} px`);
  return score(
    results.map((r) => r.pass),
    `mean size of motion ${show(mean(results.map((r) => Math.abs(r.motion))))}, engine ${show(mean(results.map((r) => Math.abs(r.engine))))}`,
  );
}

export function idleScore(
  runs: readonly PlayRun[],
  cases: readonly ControlCase[][],
  source: Source,
  size: FrameSize,
): Score {
  const drifts = runs.flatMap((run, r) =>
    cases[r]
      .filter((c) => c.kind === 'idle')
      .map(
        (c) => Math.abs(caseMotion(run.tracks[source], c, size)) / ((c.to - c.from) / ENGINE_FPS),
      ),
  );
  return score(
    drifts.map((d) => d < IDLE_DRIFT),
    `largest drift ${Math.max(...drifts).toFixed(1)} px/s`,
  );
}
