/**
 * Deterministic math. The engine must give byte-identical frames on any machine, and
 * ECMAScript leaves Math.sin/cos/exp/pow implementation-defined. + - * / and sqrt are
 * exactly rounded IEEE-754 operations, so everything here is built from those alone.
 */
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { abs, floor, imul } = Math;

export const TAU = 6.283185307179586;
const PI = 3.141592653589793;
const HALF_PI = 1.5707963267948966;

/** Wraps an angle into [-PI, PI). */
export function wrapAngle(a: number): number {
  return a - TAU * floor((a + PI) / TAU);
}

/** sin on [-PI/2, PI/2] by its Taylor series to x^15 (error < 1e-12 there). */
function sinCore(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n <= 7; n++) {
    term *= -x2 / (2 * n * (2 * n + 1));
    sum += term;
  }
  return sum;
}

export function sin(a: number): number {
  let x = wrapAngle(a);
  // Fold into [-PI/2, PI/2] using sin(PI - x) = sin(x).
  if (x > HALF_PI) x = PI - x;
  else if (x < -HALF_PI) x = -PI - x;
  return sinCore(x);
}

export function cos(a: number): number {
  return sin(a + HALF_PI);
}

/** atan2 from a polynomial of atan on [0, 1] (max error ~1e-5 rad, plenty for steering). */
export function atan2(y: number, x: number): number {
  const ax = abs(x);
  const ay = abs(y);
  if (ax === 0 && ay === 0) return 0;
  const t = ax > ay ? ay / ax : ax / ay;
  const t2 = t * t;
  let r =
    ((((-0.0117212 * t2 + 0.05265332) * t2 - 0.11643287) * t2 + 0.19354346) * t2 - 0.33262347) * t2;
  r = (r + 0.99997726) * t;
  if (ay > ax) r = HALF_PI - r;
  if (x < 0) r = PI - r;
  return y < 0 ? -r : r;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

/** 32-bit integer hash of up to three integers (a variant of the lowbias32 mixer). */
export function hash3(a: number, b: number, c: number): number {
  let h = imul(a, 0x27d4eb2d) ^ imul(b, 0x165667b1) ^ imul(c, 0x9e3779b1);
  h ^= h >>> 16;
  h = imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** hash3 mapped to [0, 1). */
export function hashUnit(a: number, b: number, c: number): number {
  return hash3(a, b, c) / 4294967296;
}

/** Seeded PRNG (mulberry32): small, fast and identical everywhere. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return floor(this.next() * n);
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}
