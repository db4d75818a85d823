/**
 * Frame similarity: PSNR over all RGB bytes, and SSIM (Wang et al. 2004) on 8-bit luma
 * (BT.601 weights) with the standard 11x11 Gaussian window (sigma 1.5), K1 = 0.01,
 * K2 = 0.03, L = 255, averaged over the windows that lie fully inside the frame (the
 * reference implementation's "valid" filtering).
 */
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { exp, log10 } = Math;
const INFINITY = 1 / 0;

export interface FrameSize {
  width: number;
  height: number;
}

const PEAK = 255;
const WINDOW = 11;
const SIGMA = 1.5;
const C1 = (0.01 * PEAK) ** 2;
const C2 = (0.03 * PEAK) ** 2;

export function meanSquaredError(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`frames differ in size: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum / a.length;
}

/** Peak signal-to-noise ratio in dB; Infinity for identical frames. */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  const mse = meanSquaredError(a, b);
  return mse === 0 ? INFINITY : 10 * log10((PEAK * PEAK) / mse);
}

/** BT.601 luma of an RGB frame, one float per pixel. */
export function luma(frame: Uint8Array, size: FrameSize): Float64Array {
  const out = new Float64Array(size.width * size.height);
  for (let p = 0, o = 0; p < out.length; p++, o += 3) {
    out[p] = 0.299 * frame[o] + 0.587 * frame[o + 1] + 0.114 * frame[o + 2];
  }
  return out;
}

const KERNEL = gaussianKernel(WINDOW, SIGMA);

function gaussianKernel(size: number, sigma: number): Float64Array {
  const half = (size - 1) / 2;
  const kernel = Float64Array.from({ length: size }, (_, i) =>
    exp(-((i - half) ** 2) / (2 * sigma * sigma)),
  );
  const total = kernel.reduce((s, v) => s + v, 0);
  return kernel.map((v) => v / total);
}

/** Separable Gaussian filter keeping only fully covered outputs: (W-10) x (H-10). */
function filterValid(src: Float64Array, width: number, height: number): Float64Array {
  const outW = width - WINDOW + 1;
  const outH = height - WINDOW + 1;
  const rows = new Float64Array(outW * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outW; x++) {
      let sum = 0;
      const at = y * width + x;
      for (let k = 0; k < WINDOW; k++) sum += KERNEL[k] * src[at + k];
      rows[y * outW + x] = sum;
    }
  }
  const out = new Float64Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let sum = 0;
      for (let k = 0; k < WINDOW; k++) sum += KERNEL[k] * rows[(y + k) * outW + x];
      out[y * outW + x] = sum;
    }
  }
  return out;
}

/** Mean SSIM of two RGB frames' luma; 1 for identical frames. */
export function ssim(a: Uint8Array, b: Uint8Array, size: FrameSize): number {
  const { width, height } = size;
  if (width < WINDOW || height < WINDOW)
    throw new Error(`SSIM needs frames of at least ${WINDOW}x${WINDOW}`);
  const x = luma(a, size);
  const y = luma(b, size);
  const n = x.length;
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i] * x[i];
    yy[i] = y[i] * y[i];
    xy[i] = x[i] * y[i];
  }
  const [mx, my, sxx, syy, sxy] = [x, y, xx, yy, xy].map((m) => filterValid(m, width, height));
  let total = 0;
  for (let i = 0; i < mx.length; i++) {
    const mux = mx[i];
    const muy = my[i];
    const varX = sxx[i] - mux * mux;
    const varY = syy[i] - muy * muy;
    const cov = sxy[i] - mux * muy;
    total +=
      ((2 * mux * muy + C1) * (2 * cov + C2)) / ((mux * mux + muy * muy + C1) * (varX + varY + C2));
  }
  return total / mx.length;
}
