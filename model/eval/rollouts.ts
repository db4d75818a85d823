/**
 * Runs the generator from given contexts through given per-tick inputs, several
 * sessions per step call (rows of a batch never interact, MANIFEST.md), and returns
 * each case's generated frames.
 */
import { ActionBits } from '../engine/actions';
import { Instruction } from '../engine/instructions';
import { GeneratorRuntime } from '../../server/generator/generator-runtime';

export interface TickInput {
  action: ActionBits;
  instructions: readonly Instruction[];
}

export interface RolloutCase {
  /** 1..K context frames, oldest first. */
  context: readonly Uint8Array[];
  ticks: readonly TickInput[];
}

/** Frames per case, one per tick; `batch` sessions share each step call. */
export async function rollOut(
  runtime: GeneratorRuntime,
  cases: readonly RolloutCase[],
  batch: number,
  onChunk: (done: number) => void = () => {},
): Promise<Uint8Array[][]> {
  const out: Uint8Array[][] = cases.map(() => []);
  for (let first = 0; first < cases.length; first += batch) {
    const chunk = cases.slice(first, first + batch);
    const ids = chunk.map((_, i) => `eval-${first + i}`);
    for (let i = 0; i < chunk.length; i++) await runtime.open(ids[i], chunk[i].context);
    try {
      const ticks = Math.max(...chunk.map((c) => c.ticks.length));
      for (let t = 0; t < ticks; t++) {
        const live = chunk.map((c, i) => i).filter((i) => t < chunk[i].ticks.length);
        const frames = await runtime.step(
          live.map((i) => ({ sessionId: ids[i], ...chunk[i].ticks[t] })),
        );
        live.forEach((i, j) => out[first + i].push(frames[j]));
      }
    } finally {
      ids.forEach((id) => runtime.close(id));
    }
    onChunk(Math.min(cases.length, first + batch));
  }
  return out;
}
