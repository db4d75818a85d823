/**
 * Multinomial logistic regression (softmax) on standardized feature vectors, trained by
 * full-batch Adam with a small L2 penalty. Small, deterministic and quick to train on a
 * few thousand frames; a class absent from training is simply never predicted.
 */
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { exp, max, sqrt } = Math;

export interface TrainOptions {
  iterations: number;
  learningRate: number;
  /** L2 penalty on the weights (not the biases). */
  l2: number;
}

export const DEFAULT_TRAINING: TrainOptions = { iterations: 200, learningRate: 0.2, l2: 1e-3 };

export class SoftmaxClassifier {
  private constructor(
    readonly classes: number,
    private readonly mean: Float64Array,
    private readonly scale: Float64Array,
    /** classes x (features + 1), row-major; the last column holds the biases. */
    private readonly weights: Float64Array,
  ) {}

  static train(
    samples: readonly Float64Array[],
    labels: readonly number[],
    classes: number,
    options: TrainOptions = DEFAULT_TRAINING,
  ): SoftmaxClassifier {
    if (samples.length === 0) throw new Error('a classifier needs at least one training sample');
    if (samples.length !== labels.length) throw new Error('one label per sample is needed');
    const d = samples[0].length;
    const { mean, scale } = standardization(samples);
    const x = samples.map((s) => standardize(s, mean, scale));
    const classifier = new SoftmaxClassifier(
      classes,
      mean,
      scale,
      new Float64Array((d + 1) * classes),
    );
    classifier.fit(x, labels, options);
    return classifier;
  }

  /** Class probabilities of one raw (unstandardized) feature vector. */
  probabilities(features: Float64Array): Float64Array {
    return this.scores(standardize(features, this.mean, this.scale));
  }

  predict(features: Float64Array): number {
    const p = this.probabilities(features);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
    return best;
  }

  private scores(x: Float64Array): Float64Array {
    const C = this.classes;
    const d = x.length;
    const out = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      // One class's weights are a contiguous row: the long inner loop is what makes training quick.
      const row = c * (d + 1);
      let sum = this.weights[row + d];
      for (let j = 0; j < d; j++) sum += x[j] * this.weights[row + j];
      out[c] = sum;
    }
    let top = -1 / 0;
    for (let c = 0; c < C; c++) top = max(top, out[c]);
    let total = 0;
    for (let c = 0; c < C; c++) {
      out[c] = exp(out[c] - top);
      total += out[c];
    }
    for (let c = 0; c < C; c++) out[c] /= total;
    return out;
  }

  /** Full-batch Adam on mean cross-entropy + l2/2 |W|^2. */
  private fit(x: readonly Float64Array[], labels: readonly number[], options: TrainOptions): void {
    const C = this.classes;
    const d = x[0].length;
    const w = this.weights;
    const grad = new Float64Array(w.length);
    const m = new Float64Array(w.length);
    const v = new Float64Array(w.length);
    const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];
    for (let step = 1; step <= options.iterations; step++) {
      grad.fill(0);
      for (let n = 0; n < x.length; n++) {
        const p = this.scores(x[n]);
        p[labels[n]] -= 1;
        const xn = x[n];
        for (let c = 0; c < C; c++) {
          const row = c * (d + 1);
          const pc = p[c];
          for (let j = 0; j < d; j++) grad[row + j] += xn[j] * pc;
          grad[row + d] += pc;
        }
      }
      for (let i = 0; i < w.length; i++) {
        const penalty = i % (d + 1) < d ? options.l2 * w[i] : 0;
        const g = grad[i] / x.length + penalty;
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        const mHat = m[i] / (1 - beta1 ** step);
        const vHat = v[i] / (1 - beta2 ** step);
        w[i] -= (options.learningRate * mHat) / (sqrt(vHat) + epsilon);
      }
    }
  }
}

function standardization(samples: readonly Float64Array[]) {
  const d = samples[0].length;
  const mean = new Float64Array(d);
  const scale = new Float64Array(d);
  for (const s of samples) for (let j = 0; j < d; j++) mean[j] += s[j] / samples.length;
  for (const s of samples) for (let j = 0; j < d; j++) scale[j] += (s[j] - mean[j]) ** 2;
  // Constant features get scale 1 (they standardize to 0 and carry no weight).
  for (let j = 0; j < d; j++) scale[j] = sqrt(scale[j] / samples.length) || 1;
  return { mean, scale };
}

function standardize(x: Float64Array, mean: Float64Array, scale: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let j = 0; j < x.length; j++) out[j] = (x[j] - mean[j]) / scale[j];
  return out;
}
