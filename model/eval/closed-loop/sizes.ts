/**
 * How much a closed-loop run plays. The full run is the report; quick runs every check
 * small (development, the integration test). The protocol (one start frame, the
 * script, 1 s judging, 10 s windows) is the same in both; quick cuts the plays short.
 */
import { SampleOptions } from '../data';
import { SCRIPT_TICKS } from './script';
import { WINDOW_FRAMES } from './look';

export interface ClosedLoopSizes {
  threads: number;
  maxBatch: number;
  scriptedSeeds: number;
  scriptTicks: number;
  randomSeeds: number;
  randomTicks: number;
  /** Frames at the end of a random play whose look, motion and banding are judged. */
  randomLastFrames: number;
  detectorTrain: SampleOptions;
  detectorValidation: SampleOptions;
  /** The old protocol's teacher-forced figures, for comparison. */
  teacherForced: { episodes: number; oneStepPerEpisode: number; rolloutsPerEpisode: number };
}

export const CLOSED_LOOP_FULL: ClosedLoopSizes = {
  threads: 2,
  maxBatch: 8,
  scriptedSeeds: 4,
  scriptTicks: SCRIPT_TICKS,
  randomSeeds: 2,
  randomTicks: 6000,
  randomLastFrames: 6 * WINDOW_FRAMES,
  detectorTrain: { episodes: 0, stride: 4 },
  detectorValidation: { episodes: 0, stride: 4 },
  teacherForced: { episodes: 0, oneStepPerEpisode: 6, rolloutsPerEpisode: 2 },
};

export const CLOSED_LOOP_QUICK: ClosedLoopSizes = {
  threads: 2,
  maxBatch: 8,
  scriptedSeeds: 1,
  scriptTicks: 2 * WINDOW_FRAMES,
  randomSeeds: 1,
  randomTicks: 2 * WINDOW_FRAMES,
  randomLastFrames: WINDOW_FRAMES,
  detectorTrain: { episodes: 24, stride: 8 },
  detectorValidation: { episodes: 2, stride: 8 },
  teacherForced: { episodes: 2, oneStepPerEpisode: 3, rolloutsPerEpisode: 1 },
};
