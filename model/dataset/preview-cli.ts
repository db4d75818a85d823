/**
 * Preview command: a contact sheet (PNG) and an animated GIF of one episode, either
 * regenerated from a master seed (exactly episode N of the dataset that seed makes)
 * or read back from a written dataset:
 *   npx tsx model/dataset/preview-cli.ts --seed 1 --episode 0 --png docs/preview-engine.png
 *   npx tsx model/dataset/preview-cli.ts --data model/data/v1 --episode 12 --gif ep12.gif
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ENGINE_FPS } from '../engine/engine';
import {
  numberOption,
  OptionSpecs,
  parseOptions,
  runMain,
  usageText,
  UsageError,
} from './cli-args';
import { runEpisode } from './episode';
import { StepRecord } from './format';
import { readManifest } from './manifest';
import { planEpisodes } from './plan';
import { animatedGif, contactSheet } from './preview';
import { ShardReader } from './shards';

const OPTIONS: OptionSpecs = {
  data: {
    type: 'string',
    value: 'DIR',
    description: 'read the episode from this dataset instead of generating it',
  },
  seed: {
    type: 'string',
    value: 'N',
    default: '1',
    description: 'master seed of the generated dataset',
  },
  episode: { type: 'string', value: 'N', default: '0', description: 'episode index' },
  steps: { type: 'string', value: 'N', default: '160', description: 'steps (when generating)' },
  width: {
    type: 'string',
    value: 'PX',
    default: '128',
    description: 'frame width (when generating)',
  },
  height: {
    type: 'string',
    value: 'PX',
    default: '128',
    description: 'frame height (when generating)',
  },
  every: {
    type: 'string',
    value: 'N',
    default: '8',
    description: 'contact sheet shows every Nth frame',
  },
  columns: { type: 'string', value: 'N', default: '7', description: 'contact sheet columns' },
  png: { type: 'string', value: 'FILE', description: 'write the contact sheet here' },
  gif: { type: 'string', value: 'FILE', description: 'write the animated GIF here' },
};

const argsSchema = z.object({
  data: z.string().optional(),
  seed: numberOption(0, 0xffffffff),
  episode: numberOption(0, 100_000),
  steps: numberOption(1, 10_000),
  width: numberOption(16, 1024),
  height: numberOption(16, 1024),
  every: numberOption(1, 10_000),
  columns: numberOption(1, 100),
  png: z.string().optional(),
  gif: z.string().optional(),
});

type Args = z.infer<typeof argsSchema>;

const USAGE = usageText(
  'npx tsx model/dataset/preview-cli.ts (--png FILE | --gif FILE)',
  'Writes a contact sheet and/or an animated GIF of one episode.',
  OPTIONS,
);

interface LoadedEpisode {
  records: StepRecord[];
  size: { width: number; height: number };
  fps: number;
}

function generatedEpisode(args: Args): LoadedEpisode {
  const plan = planEpisodes(args.seed, args.episode + 1, args.steps)[args.episode];
  const size = { width: args.width, height: args.height };
  // Copy each frame: the episode runner reuses its frame buffer.
  const records = Array.from(runEpisode(plan, size), ({ record }) => ({
    ...record,
    frame: record.frame.slice(),
  }));
  return { records, size, fps: ENGINE_FPS };
}

function storedEpisode(dir: string, episode: number): LoadedEpisode {
  const manifest = readManifest(dir);
  const entry = manifest.episodes.find((e) => e.index === episode);
  if (!entry)
    throw new UsageError(
      `--episode ${episode} is not in ${dir} (it has 0..${manifest.episodes.length - 1})`,
    );
  const shard = ShardReader.open(path.join(dir, entry.shard));
  try {
    return {
      records: [...shard.episode(episode)],
      size: { width: manifest.width, height: manifest.height },
      fps: manifest.fps,
    };
  } finally {
    shard.close();
  }
}

function main(argv: string[]): void {
  const args = parseOptions(argv, OPTIONS, argsSchema);
  if (!args.png && !args.gif)
    throw new UsageError('nothing to write: pass --png FILE and/or --gif FILE');
  const { records, size, fps } = args.data
    ? storedEpisode(args.data, args.episode)
    : generatedEpisode(args);
  if (args.png) {
    writeOutput(
      args.png,
      contactSheet(records, size, { every: args.every, columns: args.columns }),
    );
  }
  if (args.gif) {
    writeOutput(
      args.gif,
      animatedGif(
        records.map((r) => r.frame),
        size,
        fps,
      ),
    );
  }
}

function writeOutput(file: string, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  process.stdout.write(`wrote ${file} (${(bytes.length / 1024).toFixed(0)} KB)\n`);
}

runMain(USAGE, main);
