/**
 * How much of each check a run does. Full mode is the report; quick mode runs every
 * check small (development, the integration test). The protocols themselves (hold
 * lengths, the 2 s window, 16-step rollouts) are the same in both.
 */
import { SampleOptions } from './data';

export interface EvalSizes {
  /** Most sessions per step call, and the largest batch timed. */
  maxBatch: number;
  threads: number;
  latencyTicks: number;
  /** Batch sizes timed for the scaling table, and timed calls per size. */
  scalingBatches: number[];
  scalingCalls: number;
  /** Held-out episodes used for quality (0 = all). */
  qualityEpisodes: number;
  oneStepPerEpisode: number;
  rolloutsPerEpisode: number;
  controlContexts: number;
  adherencePerSlot: number;
  detectorTrain: SampleOptions;
  detectorValidation: SampleOptions;
  stabilitySteps: number;
  stabilityRanges: SampleOptions;
}

export const FULL: EvalSizes = {
  maxBatch: 8,
  threads: 2,
  latencyTicks: 100,
  scalingBatches: [1, 2, 3, 4, 5, 6, 7, 8],
  scalingCalls: 8,
  qualityEpisodes: 0,
  oneStepPerEpisode: 6,
  rolloutsPerEpisode: 2,
  controlContexts: 20,
  adherencePerSlot: 10,
  detectorTrain: { episodes: 120, stride: 6 },
  detectorValidation: { episodes: 0, stride: 4 },
  stabilitySteps: 6000,
  stabilityRanges: { episodes: 90, stride: 6 },
};

export const QUICK: EvalSizes = {
  maxBatch: 8,
  threads: 2,
  latencyTicks: 10,
  scalingBatches: [1, 2, 4, 8],
  scalingCalls: 2,
  qualityEpisodes: 2,
  oneStepPerEpisode: 3,
  rolloutsPerEpisode: 1,
  controlContexts: 2,
  adherencePerSlot: 1,
  detectorTrain: { episodes: 24, stride: 8 },
  detectorValidation: { episodes: 2, stride: 8 },
  stabilitySteps: 100,
  stabilityRanges: { episodes: 8, stride: 8 },
};
