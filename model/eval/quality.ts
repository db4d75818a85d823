/**
 * Prediction quality against the engine on held-out episodes. One step: K true frames
 * as context, the true action and instructions, compared with the true next frame. Open
 * loop: from K true frames, the next ROLLOUT_STEPS ticks with the episode's actions and
 * instructions replayed, each generated frame compared with the true one. Baseline for
 * both: holding the last true context frame. PSNR is averaged over frames in dB with
 * each frame capped at PSNR_CAP (identical frames would be infinite).
 */
import { StepRecord } from '../dataset/format';
import { GeneratorRuntime } from '../../server/generator/generator-runtime';
import { EvalDataset, selectStarts, spread } from './data';
import { psnr, ssim } from './image-metrics';
import { progress } from './progress';
import { rollOut, RolloutCase } from './rollouts';
import { mean } from './summary';

export const ROLLOUT_STEPS = 16;
export const PSNR_CAP = 60;

export interface Similarity {
  psnr: number;
  ssim: number;
}

export interface QualityFigures {
  oneStep: {
    contexts: number;
    /** Contexts whose held instructions the runtime reproduces exactly (see data.ts). */
    exact: number;
    model: Similarity;
    holdLastFrame: Similarity;
  };
  rollout: {
    rollouts: number;
    exact: number;
    steps: number;
    /** Mean over all steps, and the last step alone. */
    model: { mean: Similarity; last: Similarity };
    holdLastFrame: { mean: Similarity; last: Similarity };
    /** Mean PSNR per step (1..steps), model and baseline. */
    psnrPerStep: { model: number[]; holdLastFrame: number[] };
  };
}

export interface QualityOptions {
  /** Held-out episodes used (0 = all). */
  episodes: number;
  oneStepPerEpisode: number;
  rolloutsPerEpisode: number;
  batch: number;
}

interface Clip {
  context: StepRecord[];
  future: StepRecord[];
  exact: boolean;
}

export async function evaluateQuality(
  runtime: GeneratorRuntime,
  dataset: EvalDataset,
  options: QualityOptions,
  log: (line: string) => void,
): Promise<QualityFigures> {
  const size = dataset.size;
  const oneStep = clips(dataset, runtime, options.episodes, options.oneStepPerEpisode, 1);
  log(`quality: ${oneStep.length} one-step contexts`);
  const oneFrames = await rollOut(runtime, oneStep.map(toCase(dataset)), options.batch);
  const one = compare(oneStep, oneFrames, size);

  const long = clips(dataset, runtime, options.episodes, options.rolloutsPerEpisode, ROLLOUT_STEPS);
  log(`quality: ${long.length} rollouts of ${ROLLOUT_STEPS} steps`);
  const longFrames = await rollOut(
    runtime,
    long.map(toCase(dataset)),
    options.batch,
    progress(log, 'quality: rollouts', long.length),
  );
  const rollout = compare(long, longFrames, size);
  const last = ROLLOUT_STEPS - 1;
  return {
    oneStep: {
      contexts: oneStep.length,
      exact: oneStep.filter((c) => c.exact).length,
      model: one.model[0],
      holdLastFrame: one.hold[0],
    },
    rollout: {
      rollouts: long.length,
      exact: long.filter((c) => c.exact).length,
      steps: ROLLOUT_STEPS,
      model: { mean: average(rollout.model), last: rollout.model[last] },
      holdLastFrame: { mean: average(rollout.hold), last: rollout.hold[last] },
      psnrPerStep: {
        model: rollout.model.map((s) => s.psnr),
        holdLastFrame: rollout.hold.map((s) => s.psnr),
      },
    },
  };
}

function clips(
  dataset: EvalDataset,
  runtime: GeneratorRuntime,
  episodeCount: number,
  perEpisode: number,
  span: number,
): Clip[] {
  const K = runtime.contextLength;
  const all = dataset.episodes('heldout');
  const episodes = episodeCount > 0 ? spread(all, episodeCount) : all;
  return episodes.flatMap((episode) =>
    selectStarts(episode, {
      context: K,
      span,
      holdTicks: runtime.manifest.instructions.holdTicks,
      count: perEpisode,
    }).map((start) => {
      const records = dataset.records(episode, start.step - K, K + span);
      return { context: records.slice(0, K), future: records.slice(K), exact: start.exact };
    }),
  );
}

function toCase(dataset: EvalDataset) {
  return (clip: Clip): RolloutCase => ({
    context: clip.context.map((r) => r.frame),
    ticks: clip.future.map((r) => ({ action: r.action, instructions: dataset.instructions(r) })),
  });
}

/** Per predicted step: mean similarity over clips, of the model and of holding the last context frame. */
function compare(
  clipsIn: readonly Clip[],
  generated: readonly Uint8Array[][],
  size: { width: number; height: number },
): { model: Similarity[]; hold: Similarity[] } {
  const span = clipsIn[0]?.future.length ?? 0;
  const sums = (pick: (clip: Clip, c: number, t: number) => Uint8Array) =>
    Array.from({ length: span }, (_, t) =>
      average(
        clipsIn.map((clip, c) => {
          const truth = clip.future[t].frame;
          const frame = pick(clip, c, t);
          return { psnr: Math.min(PSNR_CAP, psnr(frame, truth)), ssim: ssim(frame, truth, size) };
        }),
      ),
    );
  return {
    model: sums((_, c, t) => generated[c][t]),
    hold: sums((clip) => clip.context[clip.context.length - 1].frame),
  };
}

function average(items: readonly Similarity[]): Similarity {
  return { psnr: mean(items.map((i) => i.psnr)), ssim: mean(items.map((i) => i.ssim)) };
}
