/** The instruction detectors' classifier and frame features on synthetic data. */
import { SoftmaxClassifier } from '../../model/eval/classifier';
import {
  DETECTED_SLOTS,
  FEATURE_COUNT,
  frameFeatures,
  LabelledFrame,
  SlotDetectors,
} from '../../model/eval/detector';
import { Rng } from '../../model/dataset/prng';

describe('SoftmaxClassifier', () => {
  /** Three Gaussian blobs in 5 dimensions, the third feature pure noise on a large scale. */
  function blobs(seed: number, perClass: number) {
    const rng = new Rng(seed);
    const centres = [
      [0, 0, 0, 1, 1],
      [3, 0, 0, -1, 1],
      [0, 3, 0, 1, -1],
    ];
    const samples: Float64Array[] = [];
    const labels: number[] = [];
    centres.forEach((centre, label) => {
      for (let i = 0; i < perClass; i++) {
        samples.push(
          Float64Array.from(
            centre,
            (c, j) => c + (j === 2 ? rng.range(-500, 500) : rng.range(-1, 1)),
          ),
        );
        labels.push(label);
      }
    });
    return { samples, labels };
  }

  it('separates well-separated classes and generalizes to new samples', () => {
    const train = blobs(1, 60);
    const classifier = SoftmaxClassifier.train(train.samples, train.labels, 3);
    const test = blobs(2, 40);
    const right = test.samples.filter((s, i) => classifier.predict(s) === test.labels[i]).length;
    expect(right / test.samples.length).toBeGreaterThan(0.95);
    const p = classifier.probabilities(test.samples[0]);
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
  });

  it('never predicts a class it has not seen', () => {
    const train = blobs(3, 30);
    const only01 = train.labels.map((l, i) => [l, i]).filter(([l]) => l < 2);
    const classifier = SoftmaxClassifier.train(
      only01.map(([, i]) => train.samples[i]),
      only01.map(([l]) => l),
      4,
    );
    const test = blobs(4, 20);
    expect(test.samples.every((s) => classifier.predict(s) !== 3)).toBe(true);
  });

  it('needs samples, one label each', () => {
    expect(() => SoftmaxClassifier.train([], [], 2)).toThrow(/at least one/);
    expect(() => SoftmaxClassifier.train([new Float64Array(2)], [0, 1], 2)).toThrow(/one label/);
  });
});

describe('frameFeatures', () => {
  const size = { width: 32, height: 32 };
  /** 8 bands of 4 rows; the bottom band's first `patch` columns `colour`, the rest `ground`. */
  function withPatch(ground: number[], colour: number[], patch: number): Uint8Array {
    const out = new Uint8Array(size.width * size.height * 3);
    for (let y = 0; y < size.height; y++)
      for (let x = 0; x < size.width; x++)
        out.set(y >= 28 && x < patch ? colour : ground, (y * size.width + x) * 3);
    return out;
  }
  /** The bottom band's colour histogram (the last features). */
  const bottomHistogram = (features: Float64Array) =>
    Array.from(features.slice(FEATURE_COUNT - 36));

  it('keeps apart colours that a band mean hides: a fire-orange quarter of the bottom band', () => {
    const fire = withPatch([110, 110, 110], [230, 90, 30], 8);
    // The same band mean as `fire`, everywhere: what mean-colour features alone see.
    const mean = [0, 1, 2].map((c) => (3 * [110, 110, 110][c] + [230, 90, 30][c]) / 4);
    const flat = withPatch(mean.map(Math.round), mean.map(Math.round), 0);
    const [a, b] = [fire, flat].map((f) => bottomHistogram(frameFeatures(f, size)));
    expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    expect(b.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    // A quarter of the band in a saturated bin of its own, none of it in the flat frame's.
    const orange = a.findIndex((v) => Math.abs(v - 0.25) < 1e-9);
    expect(orange).toBeGreaterThanOrEqual(0);
    expect(b[orange]).toBe(0);
  });
});

describe('SlotDetectors on synthetic frames', () => {
  const size = { width: 32, height: 32 };
  /**
   * Weather sets the sky colour, time the overall brightness, event the colour of the
   * bottom rows: each slot's value is visible in a different statistic, as in the engine.
   */
  const SKY = [
    [90, 140, 230],
    [230, 140, 60],
    [80, 220, 90],
    [200, 80, 210],
  ];
  const BOTTOM = [
    [60, 140, 60],
    [230, 90, 30],
    [80, 80, 80],
    [60, 90, 200],
  ];
  function frame(weather: number, time: number, event: number, rng: Rng): Uint8Array {
    const out = new Uint8Array(size.width * size.height * 3);
    const light = [1, 0.8, 0.6, 0.3][time];
    for (let y = 0; y < size.height; y++) {
      const colour = y < 12 ? SKY[weather] : y >= 24 ? BOTTOM[event] : [110, 100, 80];
      for (let x = 0; x < size.width; x++) {
        for (let c = 0; c < 3; c++) {
          out[(y * size.width + x) * 3 + c] = colour[c] * light + rng.int(-8, 8);
        }
      }
    }
    return out;
  }
  function labelled(seed: number, count: number): { frames: LabelledFrame[]; truth: number[][] } {
    const rng = new Rng(seed);
    const frames: LabelledFrame[] = [];
    const truth: number[][] = [];
    for (let i = 0; i < count; i++) {
      const [weather, time, event] = [rng.int(0, 3), rng.int(0, 3), rng.int(0, 3)];
      truth.push([weather, time, event]);
      frames.push({
        features: frameFeatures(frame(weather, time, event, rng), size),
        labels: { weather, time, event },
      });
    }
    return { frames, truth };
  }
  const values = {
    weather: ['a', 'b', 'c', 'd'],
    time: ['a', 'b', 'c', 'd'],
    event: ['a', 'b', 'c', 'd'],
  };

  it('learns each slot from its own statistic and predicts new frames', () => {
    const detectors = SlotDetectors.train(DETECTED_SLOTS, labelled(1, 200).frames, values);
    const test = labelled(2, 60);
    const accuracy = detectors.accuracy(test.frames);
    for (const slot of ['weather', 'time', 'event'] as const) {
      expect(accuracy[slot].frames).toBe(60);
      expect(accuracy[slot].accuracy).toBeGreaterThan(0.95);
    }
    const predicted = detectors.predict(test.frames[0].features);
    expect([predicted.weather, predicted.time, predicted.event]).toEqual(test.truth[0]);
  });

  it('trains each slot only on frames whose label is settled (-1 = unsettled)', () => {
    const { frames } = labelled(3, 120);
    // Every weather label hidden but one value: the weather classifier only learns that one.
    const masked = frames.map((f) => ({
      ...f,
      labels: { ...f.labels, weather: f.labels.weather === 2 ? 2 : -1 },
    }));
    const detectors = SlotDetectors.train(DETECTED_SLOTS, masked, values);
    const settled = masked.filter((f) => f.labels.weather === 2);
    expect(settled.every((f) => detectors.predict(f.features).weather === 2)).toBe(true);
    expect(detectors.accuracy(masked).weather).toEqual({ frames: settled.length, accuracy: 1 });
    const none = frames.map((f) => ({ ...f, labels: { ...f.labels, time: -1 } }));
    expect(() => SlotDetectors.train(DETECTED_SLOTS, none, values)).toThrow(
      /no settled training frames for slot "time"/,
    );
  });
});
