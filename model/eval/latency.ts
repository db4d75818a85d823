/**
 * Step latency of the runtime as the server drives it: the wall time of one
 * `GeneratorRuntime.step` call (a whole tick: filling the inputs, the step graph,
 * moving the rings, copying the frames out) at batch 1, and for batches of 1..maxBatch
 * sessions the time per call and per session. Medians, after warm-up calls. The CPU's
 * load during the run is recorded: other work on the machine inflates these numbers.
 */
import os from 'node:os';
import { GeneratorRuntime } from '../../server/generator/generator-runtime';
import { median, quantile } from './summary';

/** A new batch size's first call allocates its tensors; it is not timed. */
const WARMUP_CALLS = 1;

export interface LatencyFigures {
  threads: number;
  batch1: { ticks: number; medianMs: number; p90Ms: number };
  scaling: { batch: number; calls: number; msPerCall: number; msPerSession: number }[];
  /** 1-minute load average and CPU count when the measurement ended. */
  loadAverage: number;
  cpus: number;
}

export async function measureLatency(
  runtime: GeneratorRuntime,
  context: Uint8Array,
  options: { ticks: number; batches: readonly number[]; scalingCalls: number; threads: number },
  log: (line: string) => void,
): Promise<LatencyFigures> {
  const batch1 = await timeCalls(runtime, context, 1, options.ticks);
  log(`latency: batch 1 median ${median(batch1).toFixed(1)} ms`);
  const scaling = [];
  for (const batch of options.batches) {
    const times = await timeCalls(runtime, context, batch, options.scalingCalls);
    const msPerCall = median(times);
    scaling.push({ batch, calls: times.length, msPerCall, msPerSession: msPerCall / batch });
  }
  log(`latency: batch scaling ${options.batches.join(', ')} done`);
  return {
    threads: options.threads,
    batch1: { ticks: batch1.length, medianMs: median(batch1), p90Ms: quantile(batch1, 0.9) },
    scaling,
    loadAverage: os.loadavg()[0],
    cpus: os.cpus().length,
  };
}

/** Wall times (ms) of `calls` step calls of `batch` sessions, after warm-up calls. */
async function timeCalls(
  runtime: GeneratorRuntime,
  context: Uint8Array,
  batch: number,
  calls: number,
): Promise<number[]> {
  const ids = Array.from({ length: batch }, (_, i) => `eval-latency-${i}`);
  for (const id of ids) await runtime.open(id, [context]);
  const requests = ids.map((sessionId, i) => ({ sessionId, action: i % 2, instructions: [] }));
  const times: number[] = [];
  try {
    for (let call = 0; call < WARMUP_CALLS + calls; call++) {
      const started = performance.now();
      await runtime.step(requests);
      if (call >= WARMUP_CALLS) times.push(performance.now() - started);
    }
  } finally {
    ids.forEach((id) => runtime.close(id));
  }
  return times;
}
