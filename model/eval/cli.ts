/**
 * Evaluation command (issue 5):
 *   npm run eval -- --model model/shipped --data model/data/v1 [--out results.json] [--quick]
 * Progress goes to stderr, the Markdown table of figures vs targets to stdout, and
 * every figure as JSON to --out. Exit 2 for bad usage, 1 for a failed run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { OptionSpecs, parseOptions, runMain, usageText, UsageError } from '../dataset/cli-args';
import { evaluate } from './evaluate';
import { markdownReport } from './report';

const OPTIONS: OptionSpecs = {
  model: { type: 'string', value: 'DIR', description: 'model folder (manifest.json and graphs)' },
  data: { type: 'string', value: 'DIR', description: 'dataset folder (manifest.json and shards)' },
  out: { type: 'string', value: 'FILE', description: 'write every figure as JSON here' },
  quick: { type: 'boolean', description: 'run a small version of every check' },
};

const argsSchema = z.object({
  model: z.string().min(1, 'needs a directory'),
  data: z.string().min(1, 'needs a directory'),
  out: z.string().min(1, 'needs a file name').optional(),
  quick: z.boolean().optional(),
});

const USAGE = usageText(
  'npm run eval --',
  'Evaluates a generator against the engine on held-out data: latency, quality, controllability, instruction adherence, stability.',
  OPTIONS,
);

/** A folder given as --name must exist and hold a manifest.json. */
function checkFolder(name: string, dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UsageError(`--${name} ${dir} is not a directory`);
  if (!fs.existsSync(path.join(dir, 'manifest.json')))
    throw new UsageError(`--${name} ${dir} holds no manifest.json`);
}

export async function main(argv: string[]): Promise<void> {
  const args = parseOptions(argv, OPTIONS, argsSchema);
  checkFolder('model', args.model);
  checkFolder('data', args.data);
  if (args.out && !fs.existsSync(path.dirname(path.resolve(args.out))))
    throw new UsageError(`--out ${args.out}: its folder does not exist`);
  const report = await evaluate(
    { model: args.model, data: args.data, quick: args.quick ?? false },
    (line) => process.stderr.write(`[eval] ${line}\n`),
  );
  if (args.out) fs.writeFileSync(args.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(markdownReport(report));
}

if (require.main === module) runMain(USAGE, main);
