/** Generator speed: onnxruntime-node against PyTorch eager, batch 1..8. */
import type { GeneratorResult } from '../../lib/results';
import { notMeasured, num, provenance, ratio, ReportContext, table } from '../markdown';

const NAME = 'generator';
/** Budget of the step at batch 1 on 2 threads (model/train/latency.py: most of a 50 ms tick). */
export const STEP_BUDGET_MS = 35;

export function generatorSection(ctx: ReportContext, r?: GeneratorResult): string {
  const head = '## Generator: onnxruntime-node against PyTorch eager\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  if ('unavailable' in r.model)
    return `${head}\n${provenance(ctx, NAME, r)}\n\n_No model to measure at \`${r.model.dir}\`: ${r.model.unavailable}._\n`;
  const m = r.model;
  const torch = r.torch;
  const torchNote =
    !torch || 'skipped' in torch
      ? `PyTorch eager was not measured: ${torch && 'skipped' in torch ? torch.skipped : 'no result'}.`
      : `PyTorch ${torch.torch} eager on ${torch.model.name}@${torch.model.version} with its
${torch.model.parameterTensors} parameter tensors read back from \`${torch.model.weights}\`,
${torch.threads} threads, median of ${torch.runs} calls;
${
  torch.sameModel
    ? 'the two runtimes give the same frame for a fixed input (same model).'
    : '**the two runtimes give different frames for a fixed input: the torch graph does not match the exported one** (architecture config?), so the comparison is of two different models.'
}`;
  const batch1 = r.rows.find((row) => row.batch === 1);
  const budget = batch1
    ? batch1.ortMs.p50 <= STEP_BUDGET_MS
      ? `met, ${num(STEP_BUDGET_MS - batch1.ortMs.p50)} ms to spare`
      : `missed by ${num(batch1.ortMs.p50 - STEP_BUDGET_MS)} ms; the time is all the step graph's own (one onnxruntime call, its convolutions on ${r.threads} threads)`
    : '';
  return `${head}
The model's \`step\` graph (one tick: context ring + conditions → next frame;
${m.name}@${m.version}, ${m.frame} frames, context ${m.latent ? `${m.context} latents of ${m.latent}` : `${m.context} frames`},
${num(m.stepBytes / 1e6)} MB) on random inputs built from the manifest, at batch ${r.rows.map((row) => row.batch).join(', ')}:
onnxruntime-node ${r.onnxruntime ?? ''} as the server runs it (CPU provider,
\`intraOpNumThreads\` = ${r.threads}, ${r.runs} timed calls after 5 warm-up), against PyTorch
eager on the same model with the same threads (\`bench/generator_torch.py\`; Debian's
torch build runs small convolutions on a generic BLAS path, and \`model/train/latency.py\`
also times a traced, frozen variant). Frames per second per core = batch × 1000 / ms /
threads.

${provenance(ctx, NAME, r)} ${torchNote}

${table(
  [
    'batch',
    'onnxruntime ms p50 / p90',
    'frames/s',
    'frames/s per core',
    'PyTorch eager ms (median)',
    'frames/s',
    'frames/s per core',
    'onnxruntime speed-up',
  ],
  r.rows.map((row) => [
    row.batch,
    `${num(row.ortMs.p50)} / ${num(row.ortMs.p90)}`,
    num(row.ortFps),
    num(row.ortFpsPerCore),
    num(row.torchMs),
    num(row.torchFps),
    num(row.torchFpsPerCore),
    row.speedup === null ? '–' : ratio(row.speedup),
  ]),
)}
${batch1 ? `\n**Goal: the step at batch 1 within ${STEP_BUDGET_MS} ms** (the budget the model was sized to, \`model/train/latency.py\`: most of a 50 ms tick, leaving the rest for encoding): ${num(batch1.ortMs.p50)} ms, ${budget}.\n` : ''}`;
}

export function generatorSummary(r?: GeneratorResult): string[] | null {
  const batch1 = r?.rows.find((row) => row.batch === 1);
  if (!r || !batch1) return null;
  const best = r.rows.reduce((a, b) => (b.ortFpsPerCore > a.ortFpsPerCore ? b : a));
  return [
    'Generator step, onnxruntime-node',
    `batch 1: ${num(batch1.ortMs.p50)} ms; best ${num(best.ortFpsPerCore)} frames/s per core (batch ${best.batch})`,
    batch1.speedup === null
      ? 'PyTorch eager not measured'
      : `PyTorch eager ${num(batch1.torchMs)} ms: ${ratio(batch1.speedup)} faster`,
    `batch 1 ≤ ${STEP_BUDGET_MS} ms: ${batch1.ortMs.p50 <= STEP_BUDGET_MS ? 'met' : `missed by ${num(batch1.ortMs.p50 - STEP_BUDGET_MS)} ms`}`,
  ];
}
