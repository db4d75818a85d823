/**
 * The dataset plan: everything about a dataset that is decided before the engine runs
 * (episode seeds, start states, instruction schedules, the held-out split, shard
 * files). It is pure and cheap, so any single episode can be regenerated exactly
 * (the preview does this) without generating the ones before it.
 */
import { z } from 'zod';
import { INSTRUCTION_SLOTS, Slot, SLOT_NAMES, SlotValue } from '../engine/instructions';
import { deriveSeed, Rng, STREAM } from './prng';
import { InstructionScheduler, ScheduledInstruction } from './schedule';

export const datasetSpecSchema = z.object({
  /** Master seed: names the whole dataset. */
  seed: z.number().int().min(0).max(0xffffffff),
  episodes: z.number().int().min(1),
  /** Engine steps per episode; an episode has steps + 1 records. */
  steps: z.number().int().min(1),
  width: z.number().int(),
  height: z.number().int(),
  /** Fraction of episodes held out for evaluation. */
  heldout: z.number().min(0).max(1),
  /** Most episodes per shard file. */
  shardEpisodes: z.number().int().min(1),
});

export type DatasetSpec = z.infer<typeof datasetSpecSchema>;

export const SPLITS = ['train', 'heldout'] as const;
export type Split = (typeof SPLITS)[number];

/** One value per slot: the environment an episode starts in. */
export type StartState = { [S in Slot]: SlotValue<S> };

export interface EpisodePlan {
  /** Global episode index. */
  index: number;
  worldSeed: number;
  agentSeed: number;
  steps: number;
  start: StartState;
  schedule: ScheduledInstruction[];
}

export interface ShardPlan {
  file: string;
  split: Split;
  /** Global episode indices, ascending. */
  episodes: number[];
}

/**
 * Plans for episodes 0..count-1. Schedules share one instruction deck across the
 * dataset, so episode i's plan depends only on episodes before it: planning a
 * prefix gives the same plans as planning the whole.
 */
export function planEpisodes(seed: number, count: number, steps: number): EpisodePlan[] {
  const scheduler = new InstructionScheduler(deriveSeed(seed, STREAM.schedule));
  return Array.from({ length: count }, (_, index) => ({
    index,
    worldSeed: deriveSeed(seed, STREAM.world, index),
    agentSeed: deriveSeed(seed, STREAM.agent, index),
    steps,
    start: randomStart(new Rng(deriveSeed(seed, STREAM.start, index))),
    schedule: scheduler.scheduleEpisode(steps),
  }));
}

/** A uniformly random start state, so the data is not dominated by one weather or biome. */
function randomStart(rng: Rng): StartState {
  return Object.fromEntries(
    SLOT_NAMES.map((slot) => [slot, rng.pick(INSTRUCTION_SLOTS[slot] as readonly string[])]),
  ) as StartState;
}

/**
 * The held-out episodes: a seeded random subset of about `fraction` of them, at least
 * one when the fraction is positive, never all of them.
 */
export function chooseHeldout(seed: number, count: number, fraction: number): Set<number> {
  const wanted = fraction > 0 ? Math.max(1, Math.round(fraction * count)) : 0;
  const size = Math.min(wanted, count - 1);
  const order = new Rng(deriveSeed(seed, STREAM.split)).shuffle(
    Array.from({ length: count }, (_, i) => i),
  );
  return new Set(order.slice(0, size));
}

/** Groups each split's episodes, in index order, into files of at most `perShard`. */
export function planShards(
  count: number,
  heldout: ReadonlySet<number>,
  perShard: number,
): ShardPlan[] {
  const all = Array.from({ length: count }, (_, i) => i);
  return SPLITS.flatMap((split) => {
    const members = all.filter((i) => heldout.has(i) === (split === 'heldout'));
    const shards: ShardPlan[] = [];
    for (let k = 0; k * perShard < members.length; k++) {
      const file = `${split}-${String(k).padStart(3, '0')}.bin`;
      shards.push({ file, split, episodes: members.slice(k * perShard, (k + 1) * perShard) });
    }
    return shards;
  });
}
