/**
 * The dataset manifest (manifest.json beside the shards): what a reader needs to use
 * the shards without this code (record layout, vocabularies, fps, where each episode
 * is) plus how the dataset was made and its coverage. The zod schema is the single
 * definition: the TypeScript type is inferred from it and reading validates against it.
 * Everything is deterministic by seed except the `run` section (timing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { coverageSchema, runStatsSchema } from './coverage';
import { FIELD_DTYPES } from './format';
import { datasetSpecSchema, SPLITS } from './plan';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'worldtick-dataset';

const uint32 = z.number().int().min(0).max(0xffffffff);

const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.number().int(),
  fps: z.number(),
  width: z.number().int(),
  height: z.number().int(),
  channels: z.number().int(),
  /** The options the dataset was generated with. */
  spec: datasetSpecSchema,
  shardFormat: z.object({
    magic: z.string(),
    headerBytes: z.number().int(),
    episodeEntryBytes: z.number().int(),
  }),
  record: z.object({
    size: z.number().int(),
    fields: z.array(
      z.object({
        name: z.string(),
        offset: z.number().int(),
        dtype: z.enum(FIELD_DTYPES),
        shape: z.array(z.number().int()),
      }),
    ),
    motionComponents: z.array(z.string()),
  }),
  actionKeys: z.array(z.string()),
  /** Slot name to its values; key order is the slot order of the token bytes. */
  instructionSlots: z.record(z.string(), z.array(z.string())),
  slotOrder: z.array(z.string()),
  shards: z.array(
    z.object({
      file: z.string(),
      split: z.enum(SPLITS),
      episodes: z.array(z.number().int()),
      records: z.number().int(),
      bytes: z.number().int(),
      sha256: z.string(),
    }),
  ),
  episodes: z.array(
    z.object({
      index: z.number().int(),
      split: z.enum(SPLITS),
      /** World seed (the engine's seed). */
      seed: uint32,
      agentSeed: uint32,
      steps: z.number().int(),
      records: z.number().int(),
      shard: z.string(),
      /** Byte offset of the episode's first record in its shard. */
      offset: z.number().int(),
      start: z.record(z.string(), z.string()),
      instructions: z.array(
        z.object({ step: z.number().int(), slot: z.string(), value: z.string() }),
      ),
    }),
  ),
  coverage: coverageSchema,
  run: runStatsSchema,
});

export type DatasetManifest = z.infer<typeof manifestSchema>;

export function writeManifest(dir: string, manifest: DatasetManifest): void {
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function readManifest(dir: string): DatasetManifest {
  const file = path.join(dir, MANIFEST_FILE);
  const parsed = manifestSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file} is not a valid dataset manifest:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
