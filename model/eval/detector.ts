/**
 * Instruction detectors: per slot (weather, time, event; biome for the closed loop), a softmax classifier on colour
 * statistics of a frame. Weather, time of day and events change the sky and light
 * colours, the contrast (fog), fine texture (rain streaks, snow flakes) and how much
 * water shows (a flood), so the features are the mean colour and chromaticity of an
 * 8 x 4 grid of blocks, and per row band the luma spread, the mean luma step between
 * horizontal neighbours, the share of water-blue pixels and a colour histogram (hue
 * sector x grey or saturated x dark, mid or bright). Means hide what covers only part of
 * a band: a fire's orange, sand beside grass, a flood's grey water under a blue sky; the
 * histogram keeps them apart (held-out accuracy: event 84.6% to 86.9%, biome 71.3% to 77.1%).
 * Trained on the train split's frames with their recorded `environment` labels and
 * validated on held-out engine frames before it judges any generated frame.
 */
import { SoftmaxClassifier } from './classifier';
import type { FrameSize } from './image-metrics';
import { share } from './summary';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { abs, floor, max, min, sqrt } = Math;

/** The slots whose instructions the adherence check judges. */
export const DETECTED_SLOTS = ['weather', 'time', 'event'] as const;
export type DetectedSlot = (typeof DETECTED_SLOTS)[number];
/** Every slot a detector can be trained for (the character has its own matcher). */
export type DetectableSlot = DetectedSlot | 'biome';

const BANDS = 8;
const BLOCKS = 4;
const WATER_MARGIN = 40;
/** Colour histogram bins: 6 hue sectors x (grey, saturated) x (dark, mid, bright). */
const HUES = 6;
const VALUES = 3;
const COLOUR_BINS = HUES * 2 * VALUES;
/** max - min above which a pixel counts as saturated (about 15% of the range). */
const SATURATED = 38;
/**
 * Per block: mean R, G, B and chromaticity r, g; per band: luma spread, luma step, water
 * share and the share of its pixels in each colour bin.
 */
export const FEATURE_COUNT = BANDS * BLOCKS * 5 + BANDS * 3 + BANDS * COLOUR_BINS;

/** A pixel's colour bin: its hue sector (by which channel leads), saturation and brightness. */
function colourBin(r: number, g: number, b: number): number {
  const top = max(r, g, b);
  const bottom = min(r, g, b);
  const spread = top - bottom;
  let hue = 0;
  if (spread > 0) {
    // The six sectors of the HSV hexcone: red-yellow, yellow-green, ... magenta-red.
    if (top === r) hue = g >= b ? 0 : 5;
    else if (top === g) hue = r >= b ? 1 : 2;
    else hue = g >= r ? 3 : 4;
  }
  const saturated = spread > SATURATED ? 1 : 0;
  const value = min(VALUES - 1, floor((top * VALUES) / 256));
  return (hue * 2 + saturated) * VALUES + value;
}

export function frameFeatures(frame: Uint8Array, size: FrameSize): Float64Array {
  const { width: W, height: H } = size;
  const cells = BANDS * BLOCKS;
  const rgb = new Float64Array(cells * 3);
  const blockPixels = new Float64Array(cells);
  const bandPixels = new Float64Array(BANDS);
  const bandLuma = new Float64Array(BANDS);
  const bandSquares = new Float64Array(BANDS);
  const bandSteps = new Float64Array(BANDS);
  const bandWater = new Float64Array(BANDS);
  const bandColours = new Float64Array(BANDS * COLOUR_BINS);
  for (let y = 0; y < H; y++) {
    const band = floor((y * BANDS) / H);
    let previous = 0;
    for (let x = 0; x < W; x++) {
      const o = (y * W + x) * 3;
      const r = frame[o];
      const g = frame[o + 1];
      const b = frame[o + 2];
      const cell = band * BLOCKS + floor((x * BLOCKS) / W);
      rgb[cell * 3] += r;
      rgb[cell * 3 + 1] += g;
      rgb[cell * 3 + 2] += b;
      blockPixels[cell]++;
      const l = 0.299 * r + 0.587 * g + 0.114 * b;
      bandPixels[band]++;
      bandLuma[band] += l;
      bandSquares[band] += l * l;
      if (x > 0) bandSteps[band] += abs(l - previous);
      previous = l;
      // Water (lakes, and the flood's risen water) is clearly bluer than it is red or green.
      if (b > r + WATER_MARGIN && b > g) bandWater[band]++;
      bandColours[band * COLOUR_BINS + colourBin(r, g, b)]++;
    }
  }
  const out = new Float64Array(FEATURE_COUNT);
  for (let cell = 0; cell < cells; cell++) {
    const [r, g, b] = [0, 1, 2].map((c) => rgb[cell * 3 + c] / blockPixels[cell]);
    out.set([r / 255, g / 255, b / 255], cell * 3);
    // Chromaticity: the colour cast (event tints, dawn and dusk) apart from brightness.
    const total = r + g + b + 1;
    out.set([r / total, g / total], cells * 3 + cell * 2);
  }
  const at = cells * 5;
  for (let band = 0; band < BANDS; band++) {
    const pixels = bandPixels[band];
    const mean = bandLuma[band] / pixels;
    out[at + band] = sqrt(max(0, bandSquares[band] / pixels - mean * mean)) / 255;
    out[at + BANDS + band] = bandSteps[band] / pixels / 255;
    out[at + 2 * BANDS + band] = bandWater[band] / pixels;
    for (let bin = 0; bin < COLOUR_BINS; bin++)
      out[at + 3 * BANDS + band * COLOUR_BINS + bin] =
        bandColours[band * COLOUR_BINS + bin] / pixels;
  }
  return out;
}

/** A frame's features and, per detected slot, its value index (-1 where the label is unsettled). */
export interface LabelledFrame<S extends DetectableSlot = DetectedSlot> {
  features: Float64Array;
  labels: Record<S, number>;
}

export type SlotPrediction<S extends DetectableSlot = DetectedSlot> = Record<S, number>;

export class SlotDetectors<S extends DetectableSlot = DetectedSlot> {
  private constructor(
    readonly slots: readonly S[],
    private readonly classifiers: Record<S, SoftmaxClassifier>,
  ) {}

  /** One classifier per slot, each on the frames whose label for it is settled. */
  static train<S extends DetectableSlot>(
    slots: readonly S[],
    frames: readonly LabelledFrame<S>[],
    values: Record<S, readonly string[]>,
  ): SlotDetectors<S> {
    const classifiers = Object.fromEntries(
      slots.map((slot) => {
        const usable = frames.filter((f) => f.labels[slot] >= 0);
        if (usable.length === 0) throw new Error(`no settled training frames for slot "${slot}"`);
        const classifier = SoftmaxClassifier.train(
          usable.map((f) => f.features),
          usable.map((f) => f.labels[slot]),
          values[slot].length,
        );
        return [slot, classifier];
      }),
    ) as Record<S, SoftmaxClassifier>;
    return new SlotDetectors(slots, classifiers);
  }

  predict(features: Float64Array): SlotPrediction<S> {
    return Object.fromEntries(
      this.slots.map((slot) => [slot, this.classifiers[slot].predict(features)]),
    ) as SlotPrediction<S>;
  }

  /** Share of settled frames whose slot value is predicted right, per slot (NaN: none). */
  accuracy(frames: readonly LabelledFrame<S>[]): Record<S, { frames: number; accuracy: number }> {
    return Object.fromEntries(
      this.slots.map((slot) => {
        const usable = frames.filter((f) => f.labels[slot] >= 0);
        const right = usable.filter(
          (f) => this.classifiers[slot].predict(f.features) === f.labels[slot],
        ).length;
        return [slot, { frames: usable.length, accuracy: share(right, usable.length) }];
      }),
    ) as Record<S, { frames: number; accuracy: number }>;
  }
}
