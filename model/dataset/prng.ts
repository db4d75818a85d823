/**
 * Seeded randomness for the dataset writer. Everything random in a dataset flows from
 * the master seed through this module, so a seed names one exact dataset on any machine
 * (Math.random is never used). The generator itself is the engine's mulberry32, so the
 * project has one PRNG; this adds the draws that play and scheduling need.
 */
import { hash3, Rng as Mulberry32 } from '../engine/det-math';

export class Rng {
  private readonly source: Mulberry32;

  constructor(seed: number) {
    this.source = new Mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.source.next();
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return this.source.range(min, max);
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + this.source.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return this.source.pick(items);
  }

  /** -1 or +1 with equal odds. */
  sign(): number {
    return this.chance(0.5) ? 1 : -1;
  }

  /** Picks a key with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    let r = this.float() * keys.reduce((sum, key) => sum + weights[key], 0);
    for (const key of keys) {
      r -= weights[key];
      if (r < 0) return key;
    }
    return keys[keys.length - 1];
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.source.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/** Independent random streams of one dataset; each gets its own derived seed. */
export const STREAM = {
  world: 1,
  agent: 2,
  start: 3,
  schedule: 4,
  split: 5,
} as const;

/**
 * A well-mixed uint32 seed for one stream of one episode (or of the whole dataset,
 * index 0), so no stream depends on how many draws another one made.
 */
export function deriveSeed(master: number, stream: number, index = 0): number {
  return hash3(master, stream, index);
}
