/**
 * One evaluation run: loads the model into the serving runtime (CPU, 2 threads, batches
 * of up to 8) and runs every check in turn, logging progress through `log`.
 */
import { GeneratorRuntime } from '../../server/generator/generator-runtime';
import { evaluateAdherence } from './adherence';
import { evaluateControllability } from './controllability';
import { EvalDataset } from './data';
import { measureLatency } from './latency';
import { evaluateQuality } from './quality';
import { EvalReport } from './report';
import { EvalSizes, FULL, QUICK } from './sizes';
import { evaluateStability } from './stability';

export interface EvalOptions {
  model: string;
  data: string;
  quick: boolean;
  /** Overrides the sizes `quick` picks (tests). */
  sizes?: EvalSizes;
}

export async function evaluate(
  options: EvalOptions,
  log: (line: string) => void,
): Promise<EvalReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const sizes = options.sizes ?? (options.quick ? QUICK : FULL);
  const dataset = EvalDataset.open(options.data);
  let runtime: GeneratorRuntime | null = null;
  try {
    log(`loading ${options.model}`);
    runtime = await GeneratorRuntime.load(options.model, {
      provider: 'cpu',
      threads: sizes.threads,
      maxBatch: sizes.maxBatch,
    });
    const { frame, name, version } = runtime.manifest;
    const { width, height } = dataset.size;
    if (frame.width !== width || frame.height !== height) {
      throw new Error(
        `the model makes ${frame.width}x${frame.height} frames but the dataset holds ${width}x${height}`,
      );
    }
    const heldout = dataset.episodes('heldout');
    if (heldout.length === 0) throw new Error(`${options.data} has no held-out episodes`);
    const batch = sizes.maxBatch;

    const latency = await measureLatency(
      runtime,
      dataset.record(heldout[0], 0).frame,
      {
        ticks: sizes.latencyTicks,
        batches: sizes.scalingBatches.filter((b) => b <= sizes.maxBatch),
        scalingCalls: sizes.scalingCalls,
        threads: sizes.threads,
      },
      log,
    );
    const quality = await evaluateQuality(
      runtime,
      dataset,
      {
        episodes: sizes.qualityEpisodes,
        oneStepPerEpisode: sizes.oneStepPerEpisode,
        rolloutsPerEpisode: sizes.rolloutsPerEpisode,
        batch,
      },
      log,
    );
    const controllability = await evaluateControllability(
      runtime,
      heldout,
      { contexts: sizes.controlContexts, batch },
      log,
    );
    const adherence = await evaluateAdherence(
      runtime,
      dataset,
      {
        train: sizes.detectorTrain,
        validation: sizes.detectorValidation,
        casesPerSlot: sizes.adherencePerSlot,
        batch,
      },
      log,
    );
    const stability = await evaluateStability(
      runtime,
      dataset,
      { steps: sizes.stabilitySteps, ranges: sizes.stabilityRanges },
      log,
    );
    return {
      meta: {
        mode: options.quick ? 'quick' : 'full',
        model: { dir: options.model, name, version },
        data: {
          dir: options.data,
          heldoutEpisodes: heldout.length,
          trainEpisodes: dataset.episodes('train').length,
        },
        startedAt,
        seconds: (performance.now() - started) / 1000,
      },
      latency,
      quality,
      controllability,
      adherence,
      stability,
    };
  } finally {
    await runtime?.release();
    dataset.close();
  }
}
