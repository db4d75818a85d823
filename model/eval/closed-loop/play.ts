/**
 * Runs closed-loop plays: per play a fresh engine on a held-out seed and one session
 * per generator, opened with the engine's start frame alone; then every step the
 * engine and every generator get the identical action and instructions, and each
 * generator goes on from its own frames only (it knows, as the server does for a seed,
 * the start environment the first instructions replace). The engine's frames are also degraded
 * (degrade.ts) into the negative-control sources. All plays step together, so each
 * generator serves them as one batch per tick. `onFrames` sees the engine's and the
 * model's frames as they come (the side-by-side clip); nothing else keeps them.
 */
import { Engine, EnvironmentState, environmentInstructions } from '../../engine/engine';
import { Motion } from '../../engine/player';
import { GeneratorRuntime } from '../../../server/generator/generator-runtime';
import { progress } from '../progress';
import { TickInput } from '../rollouts';
import { frameNeeds } from './cases';
import { downUp, drifted, gaussianBlur } from './degrade';
import { Play } from './script';
import { Track, TrackTools } from './track';

export const SOURCES = ['engine', 'model', 'baseline', 'blur', 'downup', 'drift'] as const;
export type Source = (typeof SOURCES)[number];

/** Sees frame `frame` of play `play` from the engine and the model, and the step's input that made it. */
export type FrameSink = (
  play: number,
  frame: number,
  engine: Uint8Array,
  model: Uint8Array,
  input: TickInput,
) => void;

export interface Generator {
  source: 'model' | 'baseline';
  runtime: GeneratorRuntime;
}

export interface PlayRun {
  play: Play;
  inputs: TickInput[];
  /** Per frame: the engine's environment (frame 0: at the start). */
  environment: EnvironmentState[];
  /** Per step: the engine's motion labels. */
  motion: Motion[];
  tracks: Record<Source, Track>;
}

/**
 * Plays every play to its end. `generators` may leave out the baseline when it is the
 * evaluated model itself: its track is then the model's.
 */
export async function runPlays(
  plays: readonly Play[],
  generators: readonly Generator[],
  tools: TrackTools,
  log: (line: string) => void,
  onFrames?: FrameSink,
): Promise<PlayRun[]> {
  const runs: PlayRun[] = [];
  const engines: Engine[] = [];
  for (const play of plays) {
    const engine = new Engine({ seed: play.seed, ...tools.size });
    const start = engine.render();
    const tracks = Object.fromEntries(SOURCES.map((s) => [s, new Track(tools)])) as Record<
      Source,
      Track
    >;
    if (!generators.some((g) => g.source === 'baseline')) tracks.baseline = tracks.model;
    const first = frameNeeds(play, [], 0);
    new Set(Object.values(tracks)).forEach((track) => track.push(start, first));
    // As the server opens a seed's session: the start's environment is known.
    const showing = environmentInstructions(engine.environment());
    for (const { source, runtime } of generators)
      await runtime.open(sessionId(source, runs.length), [start], [], showing);
    engines.push(engine);
    runs.push({ play, inputs: [], environment: [engine.environment()], motion: [], tracks });
  }
  const longest = Math.max(...plays.map((p) => p.ticks));
  const done = progress(log, 'closed loop: steps', longest);
  try {
    for (let step = 0; step < longest; step++) {
      const live = runs.map((_, i) => i).filter((i) => step < runs[i].play.ticks);
      const engineFrames = live.map((i) => stepEngine(runs[i], engines[i], step));
      const generated = new Map<Source, Uint8Array[]>();
      for (const { source, runtime } of generators) {
        const requests = live.map((i) => ({
          sessionId: sessionId(source, i),
          ...runs[i].inputs[step],
        }));
        generated.set(source, await runtime.step(requests));
      }
      live.forEach((i, k) => {
        const run = runs[i];
        const needs = frameNeeds(run.play, run.inputs, step + 1);
        const frame = engineFrames[k];
        run.tracks.engine.push(frame, needs);
        run.tracks.blur.push(gaussianBlur(frame, tools.size), needs);
        run.tracks.downup.push(downUp(frame, tools.size), needs);
        run.tracks.drift.push(drifted(frame, tools.size, step + 1), needs);
        for (const [source, frames] of generated) run.tracks[source].push(frames[k], needs);
        onFrames?.(i, step + 1, frame, generated.get('model')![k], run.inputs[step]);
      });
      done(step + 1);
    }
  } finally {
    for (const { source, runtime } of generators)
      runs.forEach((_, i) => runtime.close(sessionId(source, i)));
  }
  return runs;
}

function sessionId(source: Source, play: number): string {
  return `closed-loop-${source}-${play}`;
}

/** The engine's side of a step: the play's input (recorded for the generators), the frame. */
function stepEngine(run: PlayRun, engine: Engine, step: number): Uint8Array {
  const input = run.play.next(step, engine.environment());
  run.inputs.push(input);
  const { motion } = engine.step(input.action, input.instructions);
  run.motion.push(motion);
  run.environment.push(engine.environment());
  return engine.render();
}
