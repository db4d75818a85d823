/**
 * Dataset writer command:
 *   npx tsx model/dataset/cli.ts --out model/data/v1 --episodes 200 --steps 160 --seed 1
 * Writes shards and manifest.json into --out and prints a coverage report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import {
  numberOption,
  OptionSpecs,
  parseOptions,
  runMain,
  usageText,
  UsageError,
} from './cli-args';
import { formatCoverage } from './coverage';
import { generateDataset } from './generate';
import { MANIFEST_FILE } from './manifest';
import { DatasetSpec } from './plan';
import { createProgress } from './progress';

const OPTIONS: OptionSpecs = {
  out: {
    type: 'string',
    value: 'DIR',
    description: 'output directory for shards and manifest.json',
  },
  episodes: { type: 'string', value: 'N', default: '200', description: 'number of episodes' },
  steps: { type: 'string', value: 'N', default: '160', description: 'engine steps per episode' },
  seed: { type: 'string', value: 'N', default: '1', description: 'master seed (0..4294967295)' },
  width: { type: 'string', value: 'PX', default: '128', description: 'frame width' },
  height: { type: 'string', value: 'PX', default: '128', description: 'frame height' },
  heldout: {
    type: 'string',
    value: 'FRACTION',
    default: '0.1',
    description: 'share of episodes held out',
  },
  'shard-episodes': {
    type: 'string',
    value: 'N',
    default: '32',
    description: 'most episodes per shard file',
  },
  force: { type: 'boolean', description: 'replace a dataset already in --out' },
};

const argsSchema = z.object({
  out: z.string().min(1, 'needs a directory'),
  episodes: numberOption(1, 100_000),
  steps: numberOption(1, 10_000),
  seed: numberOption(0, 0xffffffff),
  width: numberOption(16, 1024),
  height: numberOption(16, 1024),
  heldout: numberOption(0, 0.5, 'decimal'),
  'shard-episodes': numberOption(1, 100_000),
  force: z.boolean().optional(),
});

const USAGE = usageText(
  'npx tsx model/dataset/cli.ts --out DIR',
  'Plays scripted episodes on the procedural engine and writes them as training shards.',
  OPTIONS,
);

/** Files this command writes; --force removes only these, never anything else in --out. */
const DATASET_FILE = /^(train|heldout)-\d{3}\.bin$|^manifest\.json$/;

function prepareOutDir(dir: string, force: boolean): void {
  if (!fs.existsSync(dir)) return;
  if (!fs.statSync(dir).isDirectory())
    throw new UsageError(`--out ${dir} exists and is not a directory`);
  const existing = fs.readdirSync(dir);
  if (existing.length === 0) return;
  if (!force) {
    const what = existing.includes(MANIFEST_FILE) ? 'already holds a dataset' : 'is not empty';
    throw new UsageError(`--out ${dir} ${what}; pass --force to replace it`);
  }
  for (const name of existing.filter((n) => DATASET_FILE.test(n))) fs.rmSync(path.join(dir, name));
}

function main(argv: string[]): void {
  const args = parseOptions(argv, OPTIONS, argsSchema);
  const spec: DatasetSpec = {
    seed: args.seed,
    episodes: args.episodes,
    steps: args.steps,
    width: args.width,
    height: args.height,
    heldout: args.heldout,
    shardEpisodes: args['shard-episodes'],
  };
  prepareOutDir(args.out, args.force ?? false);
  const progress = createProgress(spec.episodes, 'episodes');
  const started = performance.now();
  const manifest = generateDataset(spec, args.out, (p) => {
    const fps = p.frames / ((performance.now() - started) / 1000);
    progress.update(p.episodesDone, `${p.frames} frames, ${fps.toFixed(0)} frames/s`);
  });
  progress.stop();
  const heldout = manifest.episodes.filter((e) => e.split === 'heldout').length;
  process.stdout.write(
    `wrote ${manifest.shards.length} shards to ${args.out} ` +
      `(${spec.episodes - heldout} train, ${heldout} held-out episodes)\n` +
      `${formatCoverage(manifest.coverage, manifest.run)}\n`,
  );
}

runMain(USAGE, main);
