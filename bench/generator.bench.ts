/**
 * Generator speed: the model's step graph (one tick) in onnxruntime-node, as the
 * server runs it (CPU provider, intraOpNumThreads = --threads), against PyTorch eager on
 * the same model (architecture from the training config, weights read back from the same
 * step.onnx; bench/generator_torch.py) with the same threads, at batch 1..8: milliseconds
 * per call, frames per second, frames per second per core. The PyTorch side is skipped,
 * with its reason, where torch or the onnx package is not installed.
 * Run: npx tsx bench/generator.bench.ts [--model-dir model/shipped --batches 1,2,4,8
 *        --threads 2 --runs 50 --torch-config model/train/configs/particles-cpu.json
 *        --torch-set model.width=128]
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { loadManifest, LoadedManifest } from '../server/generator/manifest';
import { openGraph } from '../server/generator/model-graphs';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, GeneratorResult, GeneratorRow, TorchRun } from './lib/results';
import { percentile, round } from './lib/stats';
import { stepFeeds } from './lib/step-feeds';

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string', default: 'model/shipped' },
    batches: { type: 'string', default: '1,2,4,8' },
    threads: { type: 'string', default: '2' },
    runs: { type: 'string', default: '50' },
    'torch-config': { type: 'string', default: 'model/train/configs/particles-cpu.json' },
    'torch-set': { type: 'string', multiple: true, default: [] },
    python: { type: 'string', default: '/usr/bin/python3' },
    out: { type: 'string' },
  },
});
const REPOSITORY = path.resolve(__dirname, '..');
const WARMUP_RUNS = 5;
/** Frames from two runtimes of one model differ by at most one rounding step; another model's do not. */
const SAME_MODEL_TOLERANCE = 1;
/** Every 97th value of the frame is compared (bench/generator_torch.py, CHECK_STRIDE). */
const CHECK_STRIDE = 97;
const threads = Number(values.threads);
const runs = Number(values.runs);
const batches = values.batches!.split(',').map(Number);

async function timeOrt(step: ort.InferenceSession, model: LoadedManifest, batch: number) {
  const feeds = stepFeeds(model.manifest, batch, 'random');
  for (let i = 0; i < WARMUP_RUNS; i++) await step.run(feeds);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const began = performance.now();
    await step.run(feeds);
    ms.push(performance.now() - began);
  }
  return { p50: round(percentile(ms, 50)), p90: round(percentile(ms, 90)) };
}

/** The step's frame for the check input, sampled as the torch side samples it. */
async function checkFrame(step: ort.InferenceSession, model: LoadedManifest) {
  const out = await step.run(stepFeeds(model.manifest, 1, 'check'));
  return (out.frame.data as Uint8Array).filter((_, i) => i % CHECK_STRIDE === 0);
}

async function runTorch(): Promise<TorchRun> {
  const args = [
    path.join(REPOSITORY, 'bench/generator_torch.py'),
    ...['--config', values['torch-config']!, '--model-dir', values['model-dir']!],
    ...['--batches', values.batches!],
    ...['--threads', String(threads), '--runs', String(runs)],
    ...values['torch-set']!.flatMap((s) => ['--set', s]),
  ];
  try {
    const { stdout } = await promisify(execFile)(values.python!, args, {
      cwd: REPOSITORY,
      maxBuffer: 1 << 20,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  } catch (error) {
    return { skipped: `${values.python} failed: ${(error as Error).message.split('\n')[0]}` };
  }
}

const fps = (batch: number, ms: number) => round((batch * 1000) / ms, 1);

/** The torch run as reported: its check values only decide `sameModel`. */
function withoutCheck(torch: Extract<TorchRun, { rows: unknown }>, sameModel: boolean | null) {
  return {
    model: torch.model,
    torch: torch.torch,
    threads: torch.threads,
    runs: torch.runs,
    rows: torch.rows,
    sameModel,
  };
}

runMain(async () => {
  const dir = path.resolve(REPOSITORY, values['model-dir']!);
  let model: LoadedManifest;
  try {
    model = await loadManifest(dir);
  } catch (error) {
    emitResult<DataOf<GeneratorResult>>('generator', values.out, {
      model: { dir: values['model-dir']!, unavailable: (error as Error).message },
      threads,
      rows: [],
    });
    return;
  }
  const step = await openGraph(model, 'step', 'cpu', threads);
  const ortMs: Record<number, { p50: number; p90: number }> = {};
  for (const batch of batches) {
    ortMs[batch] = await timeOrt(step, model, batch);
    progress('generator onnxruntime', { batch, ...ortMs[batch] });
  }
  const frame = await checkFrame(step, model);
  await step.release();

  const torch = await runTorch();
  progress('generator torch', 'skipped' in torch ? torch : torch.rows);
  const sameModel =
    'skipped' in torch
      ? null
      : torch.check.length === frame.length &&
        torch.check.every((v, i) => Math.abs(v - frame[i]) <= SAME_MODEL_TOLERANCE);
  const rows: GeneratorRow[] = batches.map((batch) => {
    const torchMs =
      'skipped' in torch ? null : round(torch.rows.find((r) => r.batch === batch)!.ms);
    return {
      batch,
      ortMs: ortMs[batch],
      ortFps: fps(batch, ortMs[batch].p50),
      ortFpsPerCore: fps(batch, ortMs[batch].p50 * threads),
      torchMs,
      torchFps: torchMs === null ? null : fps(batch, torchMs),
      torchFpsPerCore: torchMs === null ? null : fps(batch, torchMs * threads),
      speedup: torchMs === null ? null : round(torchMs / ortMs[batch].p50),
    };
  });
  const m = model.manifest;
  emitResult<DataOf<GeneratorResult>>('generator', values.out, {
    model: {
      dir: values['model-dir']!,
      name: m.name,
      version: m.version,
      frame: `${m.frame.width}x${m.frame.height}`,
      latent:
        m.formatVersion === 1 ? `${m.latent.channels}x${m.latent.height}x${m.latent.width}` : null,
      context: m.context.length,
      stepBytes: model.manifest.graphs.step.bytes,
    },
    onnxruntime: ort.env.versions.node,
    threads,
    runs,
    torch: 'skipped' in torch ? torch : withoutCheck(torch, sameModel),
    rows,
  });
});
