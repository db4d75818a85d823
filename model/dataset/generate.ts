/**
 * Writes a whole dataset: plans it, plays every episode on the engine into its shard,
 * counts coverage, and writes the manifest. Same spec, same bytes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACTION_KEYS } from '../engine/actions';
import { ENGINE_FPS } from '../engine/engine';
import { INSTRUCTION_SLOTS, SLOT_NAMES } from '../engine/instructions';
import { CoverageCounter } from './coverage';
import { runEpisode } from './episode';
import {
  CHANNELS,
  dataOffsetFor,
  EpisodeEntry,
  EPISODE_ENTRY_BYTES,
  FORMAT_VERSION,
  HEADER_BYTES,
  MOTION_COMPONENTS,
  recordLayout,
  RecordLayout,
  SHARD_MAGIC,
} from './format';
import { DatasetManifest, MANIFEST_FORMAT, writeManifest } from './manifest';
import {
  chooseHeldout,
  DatasetSpec,
  EpisodePlan,
  planEpisodes,
  planShards,
  ShardPlan,
} from './plan';
import { episodeEntries, ShardWriter } from './shards';

export interface Progress {
  episodesDone: number;
  episodesTotal: number;
  frames: number;
}

export function generateDataset(
  spec: DatasetSpec,
  outDir: string,
  onProgress: (progress: Progress) => void = () => {},
): DatasetManifest {
  const started = performance.now();
  const size = { width: spec.width, height: spec.height };
  const layout = recordLayout(size.width, size.height);
  const plans = planEpisodes(spec.seed, spec.episodes, spec.steps);
  const heldout = chooseHeldout(spec.seed, spec.episodes, spec.heldout);
  const shardPlans = planShards(spec.episodes, heldout, spec.shardEpisodes);
  const coverage = new CoverageCounter();
  fs.mkdirSync(outDir, { recursive: true });

  const tables = shardPlans.map((shard) => episodeTable(shard, plans));
  let episodesDone = 0;
  const shards = shardPlans.map((shard, k) => {
    const writer = ShardWriter.create(path.join(outDir, shard.file), layout, tables[k]);
    for (const index of shard.episodes) {
      for (const step of runEpisode(plans[index], size)) {
        writer.write(step.record);
        coverage.observe(step);
      }
      episodesDone++;
      onProgress({ episodesDone, episodesTotal: spec.episodes, frames: coverage.frames });
    }
    const records = tables[k].reduce((sum, e) => sum + e.records, 0);
    return { ...shard, records, ...writer.close() };
  });

  const seconds = (performance.now() - started) / 1000;
  const counted = coverage.result();
  const bytes = shards.reduce((sum, s) => sum + s.bytes, 0);
  const manifest: DatasetManifest = {
    format: MANIFEST_FORMAT,
    version: FORMAT_VERSION,
    fps: ENGINE_FPS,
    width: spec.width,
    height: spec.height,
    channels: CHANNELS,
    spec,
    shardFormat: {
      magic: SHARD_MAGIC,
      headerBytes: HEADER_BYTES,
      episodeEntryBytes: EPISODE_ENTRY_BYTES,
    },
    record: { size: layout.size, fields: layout.fields, motionComponents: [...MOTION_COMPONENTS] },
    actionKeys: [...ACTION_KEYS],
    instructionSlots: Object.fromEntries(
      SLOT_NAMES.map((slot) => [slot, [...INSTRUCTION_SLOTS[slot]]]),
    ),
    slotOrder: [...SLOT_NAMES],
    shards,
    episodes: describeEpisodes(plans, shardPlans, tables, layout),
    coverage: counted,
    run: { bytes, seconds, framesPerSecond: counted.frames / seconds },
  };
  writeManifest(outDir, manifest);
  return manifest;
}

function episodeTable(shard: ShardPlan, plans: readonly EpisodePlan[]): EpisodeEntry[] {
  return episodeEntries(
    shard.episodes.map((i) => ({
      episode: i,
      seed: plans[i].worldSeed,
      records: plans[i].steps + 1,
    })),
  );
}

/** The manifest's episode list, in index order, with where each one is stored. */
function describeEpisodes(
  plans: readonly EpisodePlan[],
  shards: readonly ShardPlan[],
  tables: readonly EpisodeEntry[][],
  layout: RecordLayout,
): DatasetManifest['episodes'] {
  const described = shards.flatMap((shard, k) =>
    tables[k].map((entry) => {
      const plan = plans[entry.episode];
      return {
        index: plan.index,
        split: shard.split,
        seed: plan.worldSeed,
        agentSeed: plan.agentSeed,
        steps: plan.steps,
        records: entry.records,
        shard: shard.file,
        offset: dataOffsetFor(tables[k].length) + entry.firstRecord * layout.size,
        start: plan.start,
        instructions: plan.schedule.map(({ tick, instruction }) => ({
          step: tick,
          ...instruction,
        })),
      };
    }),
  );
  return described.sort((a, b) => a.index - b.index);
}
