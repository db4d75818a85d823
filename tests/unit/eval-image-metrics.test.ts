/** PSNR and SSIM (model/eval/image-metrics.ts) against values known in closed form. */
import { luma, meanSquaredError, psnr, ssim } from '../../model/eval/image-metrics';
import { Rng } from '../../model/dataset/prng';

const size = { width: 32, height: 24 };
const bytes = size.width * size.height * 3;

function noise(seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: bytes }, () => rng.int(40, 215));
}

describe('PSNR', () => {
  it('is infinite for identical frames', () => {
    const frame = noise(1);
    expect(psnr(frame, frame.slice())).toBe(Infinity);
  });

  it('matches 10 log10(255^2 / MSE) for a known error', () => {
    const frame = noise(2);
    // +5 on every byte: MSE 25, PSNR 34.15 dB.
    const brighter = frame.map((v) => v + 5);
    expect(meanSquaredError(frame, brighter)).toBe(25);
    expect(psnr(frame, brighter)).toBeCloseTo(10 * Math.log10((255 * 255) / 25), 10);
    expect(psnr(frame, brighter)).toBeCloseTo(34.15, 2);
    // Alternating +-10: MSE 100, PSNR 28.13 dB.
    const alternating = frame.map((v, i) => (i % 2 ? v + 10 : v - 10));
    expect(psnr(frame, alternating)).toBeCloseTo(28.13, 2);
  });

  it('refuses frames of different sizes', () => {
    expect(() => psnr(new Uint8Array(3), new Uint8Array(6))).toThrow(/differ in size/);
  });
});

describe('SSIM (luma, 11x11 Gaussian, sigma 1.5)', () => {
  it('is 1 for identical frames', () => {
    const frame = noise(3);
    expect(ssim(frame, frame.slice(), size)).toBeCloseTo(1, 12);
  });

  it('matches the closed form for flat frames of different brightness', () => {
    // Flat frames: no variance, so SSIM = (2 mx my + C1) / (mx^2 + my^2 + C1).
    const a = new Uint8Array(bytes).fill(100);
    const b = new Uint8Array(bytes).fill(105);
    const c1 = (0.01 * 255) ** 2;
    expect(ssim(a, b, size)).toBeCloseTo((2 * 100 * 105 + c1) / (100 ** 2 + 105 ** 2 + c1), 6);
  });

  it('is symmetric, below 1 with noise, and negative for an inverted image', () => {
    const a = noise(4);
    const rng = new Rng(5);
    const noisy = a.map((v) => v + rng.int(-20, 20));
    const s = ssim(a, noisy, size);
    expect(s).toBeLessThan(0.99);
    expect(s).toBeGreaterThan(0.5);
    expect(ssim(noisy, a, size)).toBeCloseTo(s, 12);
    expect(
      ssim(
        a,
        a.map((v) => 255 - v),
        size,
      ),
    ).toBeLessThan(0);
  });

  it('uses BT.601 luma', () => {
    expect(
      Array.from(luma(Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255), { width: 3, height: 1 })),
    ).toEqual([0.299 * 255, 0.587 * 255, 0.114 * 255]);
  });
});
