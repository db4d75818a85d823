/**
 * World seeds for closed-loop plays that no training episode used. Dataset world seeds
 * are 32-bit hashes (model/dataset/plan.ts), so no range is free by construction: the
 * seeds come from a fixed block and are checked against every episode of the dataset
 * given to the evaluation and of the dataset the model's manifest says it was trained
 * on (regenerated from its plan). A clash is an error, never silently skipped.
 */
import { planEpisodes } from '../../dataset/plan';
import { DatasetManifest } from '../../dataset/manifest';

/** "7e57" (test) block; plays take the seeds after it in order. */
export const HELD_OUT_SEED_BASE = 0x7e570000;

/** The world seeds of a dataset's episodes (train and held-out alike). */
export function datasetSeeds(manifest: DatasetManifest): number[] {
  return manifest.episodes.map((e) => e.seed);
}

/**
 * The world seeds of the dataset a model manifest's `training.dataset` names (seed,
 * episodes, steps), or none when the manifest does not say.
 */
export function trainingSeeds(training: Record<string, unknown> | undefined): number[] {
  const spec = training?.dataset as Record<string, unknown> | undefined;
  const { seed, episodes, steps } = spec ?? {};
  if (typeof seed !== 'number' || typeof episodes !== 'number' || typeof steps !== 'number')
    return [];
  return planEpisodes(seed, episodes, steps).map((plan) => plan.worldSeed);
}

/** `count` seeds from the held-out block; throws if any is among `used`. */
export function heldOutSeeds(count: number, used: Iterable<number>): number[] {
  const taken = new Set(used);
  const seeds = Array.from({ length: count }, (_, i) => HELD_OUT_SEED_BASE + 1 + i);
  const clash = seeds.filter((s) => taken.has(s));
  if (clash.length > 0)
    throw new Error(`held-out play seeds ${clash.join(', ')} are world seeds of training episodes`);
  return seeds;
}
