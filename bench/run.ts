/**
 * The benchmark suite, one command: `npm run bench` runs every benchmark (suite.ts) in
 * its own process, writes each result to bench/results/<name>.json and regenerates
 * docs/BENCHMARKS.md from all of them. `npm run bench -- --smoke` runs the short mode
 * (CI) and writes into a temporary folder instead, leaving the document alone.
 *
 *   npm run bench -- [--smoke] [--only tick,fanout] [--report] [--model-dir model/shipped]
 *     [--source generator|engine] [--torch-config model/train/configs/particles-cpu.json]
 *     [--torch-set out_dir=...] [--out-dir DIR] [--doc FILE]
 *
 * With --only, the other figures in the document come from the results already in the
 * results folder (each section says when it was measured). --report measures nothing: it
 * rewrites the document from the results folder (after a change to the report's wording).
 * Exits non-zero when a benchmark failed; no benchmark has a pass/fail threshold.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { describeMachine } from './lib/machine';
import type { BenchRun, SuiteRecord, SuiteResults } from './lib/results';
import { runBench } from './lib/run-bench';
import { renderReport, renderSummary } from './report/render';
import { suite } from './suite';

const REPOSITORY = path.resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    report: { type: 'boolean', default: false },
    'model-dir': { type: 'string', default: 'model/shipped' },
    source: { type: 'string', default: 'generator' },
    'torch-config': { type: 'string', default: 'model/train/configs/particles-cpu.json' },
    'torch-set': { type: 'string', multiple: true, default: [] },
    'out-dir': { type: 'string' },
    doc: { type: 'string' },
  },
});
const mode = values.smoke ? 'smoke' : 'full';
const outDir = path.resolve(
  REPOSITORY,
  values['out-dir'] ??
    (values.smoke ? path.join(os.tmpdir(), 'worldtick-bench-smoke') : 'bench/results'),
);
const docPath = path.resolve(
  REPOSITORY,
  values.doc ?? (values.smoke ? path.join(outDir, 'BENCHMARKS.md') : 'docs/BENCHMARKS.md'),
);
const SUITE_FILE = 'suite.json';

/** The media worker binary the server needs (infra/prepare.sh exports it; this covers `npx tsx bench/run.ts`). */
function ensureWorkerBin(): void {
  if (process.env.MEDIASOUP_WORKER_BIN) return;
  const output = execFileSync('bash', ['infra/mediasoup/ensure-worker.sh'], {
    cwd: REPOSITORY,
  }).toString();
  process.env.MEDIASOUP_WORKER_BIN = output.trim().split('\n').at(-1);
}

async function writeFormatted(file: string, text: string, parser: 'json' | 'markdown') {
  const config = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(text, { ...config, parser }));
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/** The document from the record and results in outDir, as the last run left them. */
async function writeReport(record: SuiteRecord): Promise<SuiteResults> {
  const results: SuiteResults = {};
  for (const run of record.runs) {
    if (run.status === 'ok')
      Object.assign(results, { [run.name]: readJson(path.join(outDir, `${run.name}.json`)) });
  }
  await writeFormatted(docPath, renderReport(record, results), 'markdown');
  return results;
}

async function main(): Promise<number> {
  if (values.report) {
    const record = readJson<SuiteRecord>(path.join(outDir, SUITE_FILE));
    if (!record) throw new Error(`no ${SUITE_FILE} in ${outDir}: run the suite first`);
    await writeReport(record);
    process.stdout.write(`report: ${docPath} (from ${outDir})\n`);
    return 0;
  }
  ensureWorkerBin();
  mkdirSync(outDir, { recursive: true });
  const only = values.only?.split(',');
  const specs = suite(mode, {
    modelDir: values['model-dir']!,
    source: values.source === 'engine' ? 'engine' : 'generator',
    torchConfig: values['torch-config']!,
    torchSet: values['torch-set']!,
  }).filter((spec) => !only || only.includes(spec.name));
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  const began = performance.now();
  const runs: BenchRun[] = [];
  for (const spec of specs) {
    process.stderr.write(`\n[bench] ${spec.name}: ${spec.skip ?? spec.args.join(' ')}\n`);
    const { run, result } = await runBench(spec);
    runs.push(run);
    process.stderr.write(
      `[bench] ${spec.name}: ${run.status} in ${run.wallS} s${run.reason ? ` (${run.reason})` : ''}\n`,
    );
    if (result)
      await writeFormatted(path.join(outDir, `${spec.name}.json`), JSON.stringify(result), 'json');
  }

  // Figures not re-run keep their earlier record (only with --only).
  const previous = readJson<SuiteRecord>(path.join(outDir, SUITE_FILE));
  const kept = (previous?.runs ?? []).filter((r) => !runs.some((n) => n.name === r.name));
  const record: SuiteRecord = {
    mode,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    startedAt,
    wallS: Math.round((performance.now() - began) / 1000),
    machine,
    runs: [...kept, ...runs],
  };
  await writeFormatted(path.join(outDir, SUITE_FILE), JSON.stringify(record), 'json');
  const results = await writeReport(record);
  process.stdout.write(
    `\n${renderSummary(record, results)}\n\nresults: ${outDir}\nreport: ${docPath}\n`,
  );
  return runs.some((r) => r.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
