/** Small measurements over RGB frames, for asserting what a picture shows. */
import { createHash } from 'node:crypto';

export type Rgb = [number, number, number];
export interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function sha256(...chunks: Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

function forEachPixel(
  frame: Uint8Array,
  width: number,
  region: Region | undefined,
  visit: (rgb: Rgb) => void,
) {
  const height = frame.length / 3 / width;
  const { x0, y0, x1, y1 } = region ?? { x0: 0, y0: 0, x1: width, y1: height };
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = (y * width + x) * 3;
      visit([frame[p], frame[p + 1], frame[p + 2]]);
    }
  }
}

export function luminance([r, g, b]: Rgb): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

export function meanLuminance(frame: Uint8Array, width: number, region?: Region): number {
  let sum = 0;
  let n = 0;
  forEachPixel(frame, width, region, (rgb) => {
    sum += luminance(rgb);
    n++;
  });
  return sum / n;
}

export function luminanceStd(frame: Uint8Array, width: number, region?: Region): number {
  const mean = meanLuminance(frame, width, region);
  let sum = 0;
  let n = 0;
  forEachPixel(frame, width, region, (rgb) => {
    sum += (luminance(rgb) - mean) ** 2;
    n++;
  });
  return Math.sqrt(sum / n);
}

export function meanColor(frame: Uint8Array, width: number, region?: Region): Rgb {
  const sum: Rgb = [0, 0, 0];
  let n = 0;
  forEachPixel(frame, width, region, (rgb) => {
    sum[0] += rgb[0];
    sum[1] += rgb[1];
    sum[2] += rgb[2];
    n++;
  });
  return sum.map((v) => v / n) as Rgb;
}

export function countPixels(
  frame: Uint8Array,
  width: number,
  test: (rgb: Rgb) => boolean,
  region?: Region,
): number {
  let n = 0;
  forEachPixel(frame, width, region, (rgb) => {
    if (test(rgb)) n++;
  });
  return n;
}

export function countColor(
  frame: Uint8Array,
  width: number,
  color: Rgb,
  tolerance = 3,
  region?: Region,
): number {
  return countPixels(
    frame,
    width,
    (rgb) =>
      Math.abs(rgb[0] - color[0]) <= tolerance &&
      Math.abs(rgb[1] - color[1]) <= tolerance &&
      Math.abs(rgb[2] - color[2]) <= tolerance,
    region,
  );
}

export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** Topmost row in which some pixel matches `test` (or -1). */
export function topRowWhere(
  frame: Uint8Array,
  width: number,
  test: (rgb: Rgb) => boolean,
  region?: Region,
): number {
  const height = frame.length / 3 / width;
  const r = region ?? { x0: 0, y0: 0, x1: width, y1: height };
  for (let y = r.y0; y < r.y1; y++) {
    if (countPixels(frame, width, test, { x0: r.x0, x1: r.x1, y0: y, y1: y + 1 }) > 0) return y;
  }
  return -1;
}
