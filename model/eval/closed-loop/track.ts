/**
 * What the closed-loop measures need from each frame of one source of one play (the
 * engine, a generator, or degraded engine frames), computed as the frames stream by so
 * a 5-minute play never holds its frames: colour statistics and the detail spectrum
 * of every frame, how much the detail changed from the previous frame, and where the
 * play asks for them the view's horizontal slide and the forward warp (both without
 * the follow box, model/eval/motion.ts), the instruction
 * detectors' reading and the character matcher's.
 */
import { detailChange, detailSpectrum } from '../../metrics/detail';
import { frameStats } from '../frame-stats';
import type { FrameSize } from '../image-metrics';
import { forwardFlow, viewShift } from '../motion';
import { DetectableSlot, frameFeatures, SlotDetectors, SlotPrediction } from '../detector';
import { CharacterMatch, CharacterMatcher } from './character';

/** What to measure on one frame beyond what every frame gets. */
export interface FrameNeeds {
  /** The horizontal slide from the previous frame. */
  shift: boolean;
  /** The forward warp from the frame this many steps back (0: none). */
  forwardFrom: number;
  /** The instruction detectors' labels, the character matcher's reading. */
  labels: boolean;
  character: boolean;
}

/** How many past frames a track keeps for the forward warp. */
export const FORWARD_SPAN = 5;

export interface TrackTools {
  size: FrameSize;
  detectors: SlotDetectors<DetectableSlot>;
  matcher: CharacterMatcher;
}

export class Track {
  /** Per frame (index = frame, 0 = the start frame): channel means and stds. */
  readonly stats: number[][] = [];
  readonly detail: Float64Array[] = [];
  /** Detail change from the previous frame (NaN for frame 0). */
  readonly change: number[] = [];
  readonly shift = new Map<number, number>();
  readonly forward = new Map<number, number>();
  readonly labels = new Map<number, SlotPrediction<DetectableSlot>>();
  readonly character = new Map<number, CharacterMatch>();
  private readonly recent: Uint8Array[] = [];

  constructor(private readonly tools: TrackTools) {}

  push(frame: Uint8Array, needs: FrameNeeds): void {
    const { size } = this.tools;
    const index = this.stats.length;
    const previous = this.recent[this.recent.length - 1];
    this.stats.push(frameStats(frame, null).slice(0, 6));
    this.detail.push(detailSpectrum(frame, size));
    this.change.push(previous ? detailChange(previous, frame, size) : NaN);
    if (needs.shift && previous) this.shift.set(index, viewShift(previous, frame, size));
    if (needs.forwardFrom > 0) {
      const from = this.recent[this.recent.length - needs.forwardFrom];
      this.forward.set(index, forwardFlow(from, frame, size));
    }
    if (needs.labels)
      this.labels.set(index, this.tools.detectors.predict(frameFeatures(frame, size)));
    if (needs.character) this.character.set(index, this.tools.matcher.match(frame));
    this.recent.push(frame);
    if (this.recent.length > FORWARD_SPAN) this.recent.shift();
  }
}
