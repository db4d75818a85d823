/**
 * Stability: one long generator rollout (6,000 ticks = 5 minutes at 20 Hz) with random
 * held actions and an occasional weather, time, event or character instruction, from a
 * held-out context. Each generated frame's statistics (frame-stats.ts) must stay inside
 * the range engine frames span: the 0.1 to 99.9 percentiles over sampled train frames,
 * widened by 10% of that span on each side. Biome instructions are left out of the
 * rollout and journey frames out of the range: their fade to white is a legitimate
 * engine frame that would make a washed-out collapse look in range.
 */
import { ActionBits, actionFromKeys, IDLE_ACTION } from '../engine/actions';
import { INSTRUCTION_SLOTS, Instruction, makeInstruction } from '../engine/instructions';
import { Rng } from '../dataset/prng';
import { GeneratorRuntime } from '../../server/generator/generator-runtime';
import { EvalDataset, inJourney, sampleRecords, SampleOptions, selectStarts } from './data';
import { progress } from './progress';
import { TickInput } from './rollouts';
import { mean } from './summary';
import { frameStats, outOfRange, StatName, StatRange, statRanges } from './frame-stats';

export const RANGE_OPTIONS = { lowQuantile: 0.001, highQuantile: 0.999, margin: 0.1 };
const SEED = 0x5eab1e;
/** Actions are held for a random 5..40 ticks; an instruction comes every 100..300 ticks. */
const HOLD = [5, 40] as const;
const INSTRUCTION_EVERY = [100, 300] as const;
const ROLLOUT_SLOTS = ['weather', 'time', 'event', 'character'] as const;
const ACTIONS: ActionBits[] = [
  [],
  ['forward'],
  ['forward', 'sprint'],
  ['back'],
  ['turn_left'],
  ['turn_right'],
  ['forward', 'turn_left'],
  ['forward', 'turn_right'],
  ['strafe_left'],
  ['strafe_right'],
  ['jump'],
  ['forward', 'jump'],
].map((keys) => actionFromKeys(keys));
/** Ticks per window of the coarse trace kept in the report. */
const TRACE_WINDOW = 500;

export interface StabilityFigures {
  steps: number;
  rangeFrames: number;
  ranges: StatRange[];
  inRange: number;
  fractionInRange: number;
  /** The first step (1-based) with a statistic out of range, and which; null if none. */
  firstOutOfRange: { step: number; stat: StatName } | null;
  /** Per statistic, the smallest and largest value over the rollout. */
  observed: Record<StatName, { min: number; max: number }>;
  /** Mean of each statistic per TRACE_WINDOW ticks. */
  trace: { fromStep: number; means: number[] }[];
}

/** The statistics' range over engine frames (sampled from the train split, no journeys). */
export function engineRanges(
  dataset: EvalDataset,
  options: SampleOptions,
): { frames: number; ranges: StatRange[] } {
  const rows: number[][] = [];
  sampleRecords(dataset, 'train', options, (episode, record, previous) => {
    // The predecessor's fade also shows in the frame difference.
    if (!inJourney(episode, record.step) && !inJourney(episode, previous.step))
      rows.push(frameStats(record.frame, previous.frame));
  });
  return { frames: rows.length, ranges: statRanges(rows, RANGE_OPTIONS) };
}

/** The scripted random play: per tick the action and any instruction. */
export function* randomPlay(seed: number): Generator<TickInput, never> {
  const rng = new Rng(seed);
  let action = IDLE_ACTION;
  let hold = 0;
  let nextInstruction = rng.int(...INSTRUCTION_EVERY);
  for (let tick = 1; ; tick++) {
    if (hold-- <= 0) {
      action = rng.pick(ACTIONS);
      hold = rng.int(...HOLD);
    }
    const instructions: Instruction[] = [];
    if (tick === nextInstruction) {
      const slot = rng.pick(ROLLOUT_SLOTS);
      instructions.push(makeInstruction(slot, rng.pick(INSTRUCTION_SLOTS[slot])));
      nextInstruction += rng.int(...INSTRUCTION_EVERY);
    }
    yield { action, instructions };
  }
}

export async function evaluateStability(
  runtime: GeneratorRuntime,
  dataset: EvalDataset,
  options: { steps: number; ranges: SampleOptions },
  log: (line: string) => void,
): Promise<StabilityFigures> {
  const { frames: rangeFrames, ranges } = engineRanges(dataset, options.ranges);
  const K = runtime.contextLength;
  const episode = dataset.episodes('heldout')[0];
  const [start] = selectStarts(episode, {
    context: K,
    span: 1,
    holdTicks: runtime.manifest.instructions.holdTicks,
    count: 1,
  });
  const context = dataset.records(episode, start.step - K, K).map((r) => r.frame);
  const id = 'eval-stability';
  await runtime.open(id, context);
  const observed = Object.fromEntries(
    ranges.map((r) => [r.stat, { min: 1 / 0, max: -1 / 0 }]),
  ) as StabilityFigures['observed'];
  const trace: StabilityFigures['trace'] = [];
  let window: number[][] = [];
  let inRange = 0;
  let firstOutOfRange: StabilityFigures['firstOutOfRange'] = null;
  // No change is measured into the first frame: it would compare a true frame with a
  // generated one, i.e. the autoencoder's error, not the rollout's.
  let previous: Uint8Array | null = null;
  const play = randomPlay(SEED);
  const done = progress(log, 'stability: steps', options.steps);
  try {
    for (let step = 1; step <= options.steps; step++) {
      const [frame] = await runtime.step([{ sessionId: id, ...play.next().value }]);
      const stats = frameStats(frame, previous);
      previous = frame;
      const bad = outOfRange(stats, ranges);
      if (bad === null) inRange++;
      else if (firstOutOfRange === null) firstOutOfRange = { step, stat: bad };
      ranges.forEach((r, s) => {
        if (Number.isNaN(stats[s])) return;
        observed[r.stat].min = Math.min(observed[r.stat].min, stats[s]);
        observed[r.stat].max = Math.max(observed[r.stat].max, stats[s]);
      });
      window.push(stats);
      if (step % TRACE_WINDOW === 0 || step === options.steps) {
        trace.push({
          fromStep: step - window.length + 1,
          means: ranges.map((_, s) => mean(window.map((row) => row[s]))),
        });
        window = [];
      }
      done(step);
    }
  } finally {
    runtime.close(id);
  }
  return {
    steps: options.steps,
    rangeFrames,
    ranges,
    inRange,
    fractionInRange: inRange / options.steps,
    firstOutOfRange,
    observed,
    trace,
  };
}
