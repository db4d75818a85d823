/**
 * Evaluation command (issues 5 and 12):
 *   npm run eval -- --model model/shipped --data model/data/v1 [--out results.json] [--quick]
 *                   [--protocol closed-loop|teacher-forced] [--baseline DIR] [--sheet PREFIX]
 * The closed-loop protocol (the default) plays the model from one start frame on
 * held-out seeds; the teacher-forced one is the older protocol of issue 5. Progress
 * goes to stderr, the Markdown table of figures vs targets to stdout, and every figure
 * as JSON to --out. Exit 2 for bad usage, 1 for a failed run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { readManifest } from '../dataset/manifest';
import { OptionSpecs, parseOptions, runMain, usageText, UsageError } from '../dataset/cli-args';
import { evaluateClosedLoop } from './closed-loop/evaluate';
import { markdownClosedLoop } from './closed-loop/report';
import { SideBySide } from './closed-loop/side-by-side';
import { CLOSED_LOOP_FULL, CLOSED_LOOP_QUICK } from './closed-loop/sizes';
import { evaluate } from './evaluate';
import { markdownReport } from './report';

export const DEFAULT_BASELINE = 'model/baselines/worldtick-small-0.1.0';
const PROTOCOLS = ['closed-loop', 'teacher-forced'] as const;

const OPTIONS: OptionSpecs = {
  model: { type: 'string', value: 'DIR', description: 'model folder (manifest.json and graphs)' },
  data: { type: 'string', value: 'DIR', description: 'dataset folder (manifest.json and shards)' },
  out: { type: 'string', value: 'FILE', description: 'write every figure as JSON here' },
  quick: { type: 'boolean', description: 'run a small version of every check' },
  protocol: {
    type: 'string',
    value: 'NAME',
    description: 'closed-loop (default: plays from one frame) or teacher-forced (issue 5)',
  },
  baseline: {
    type: 'string',
    value: 'DIR',
    description: `closed loop: the model every measure must reject (default ${DEFAULT_BASELINE})`,
  },
  sheet: {
    type: 'string',
    value: 'PREFIX',
    description:
      'closed loop: write the first scripted play side by side as PREFIX.gif and PREFIX.png',
  },
};

const argsSchema = z.object({
  model: z.string().min(1, 'needs a directory'),
  data: z.string().min(1, 'needs a directory'),
  out: z.string().min(1, 'needs a file name').optional(),
  quick: z.boolean().optional(),
  protocol: z.enum(PROTOCOLS).optional(),
  baseline: z.string().min(1, 'needs a directory').optional(),
  sheet: z.string().min(1, 'needs a path prefix').optional(),
});

const USAGE = usageText(
  'npm run eval --',
  'Evaluates a generator against the engine: closed-loop plays on held-out seeds (look, control, instructions, character, stability, each measure validated), or the teacher-forced protocol.',
  OPTIONS,
);

/** A folder given as --name must exist and hold a manifest.json. */
function checkFolder(name: string, dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UsageError(`--${name} ${dir} is not a directory`);
  if (!fs.existsSync(path.join(dir, 'manifest.json')))
    throw new UsageError(`--${name} ${dir} holds no manifest.json`);
}

function checkParent(name: string, file: string): void {
  if (!fs.existsSync(path.dirname(path.resolve(file))))
    throw new UsageError(`--${name} ${file}: its folder does not exist`);
}

export async function main(argv: string[]): Promise<void> {
  const args = parseOptions(argv, OPTIONS, argsSchema);
  const protocol = args.protocol ?? 'closed-loop';
  const baseline = args.baseline ?? DEFAULT_BASELINE;
  checkFolder('model', args.model);
  checkFolder('data', args.data);
  if (args.out) checkParent('out', args.out);
  if (protocol === 'teacher-forced' && (args.baseline || args.sheet))
    throw new UsageError('--baseline and --sheet belong to the closed-loop protocol');
  const log = (line: string) => process.stderr.write(`[eval] ${line}\n`);
  const quick = args.quick ?? false;
  if (protocol === 'teacher-forced') {
    const report = await evaluate({ model: args.model, data: args.data, quick }, log);
    if (args.out) fs.writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(markdownReport(report));
    return;
  }
  checkFolder('baseline', baseline);
  if (args.sheet) checkParent('sheet', args.sheet);
  const sizes = quick ? CLOSED_LOOP_QUICK : CLOSED_LOOP_FULL;
  // The first scripted play; the frames are the dataset's size (the run checks the models make it).
  const { width, height } = readManifest(args.data);
  const pictures = args.sheet ? new SideBySide({ width, height }, 0) : null;
  const report = await evaluateClosedLoop(
    { model: args.model, baseline, data: args.data, quick, sizes, onFrames: pictures?.sink },
    log,
  );
  if (args.out) fs.writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  if (pictures && args.sheet) log(`wrote ${pictures.write(args.sheet).join(', ')}`);
  process.stdout.write(markdownClosedLoop(report));
}

if (require.main === module) runMain(USAGE, main);
