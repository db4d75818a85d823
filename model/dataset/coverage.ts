/**
 * Coverage of a dataset: how often each key was held, each instruction given (and how
 * often it actually changed something), each environment value seen, and each agent
 * behaviour used. Every possible entry starts at zero, so a gap shows up as a 0.
 */
import { z } from 'zod';
import { ACTION_KEYS, isHeld } from '../engine/actions';
import {
  allInstructions,
  formatInstruction,
  INSTRUCTION_SLOTS,
  SLOT_NAMES,
} from '../engine/instructions';
import { BEHAVIOURS } from './agents';
import { EpisodeStep } from './episode';

const counts = z.record(z.string(), z.number().int());

export const coverageSchema = z.object({
  /** Records, i.e. frames (each episode's start frame included). */
  frames: z.number().int(),
  /** Steps: records after the start frame, the ones that carry an action. */
  steps: z.number().int(),
  /** Steps with each key held; `idle` counts steps with no key. */
  actions: counts,
  /** Steps carrying each `slot=value` instruction. */
  instructions: counts,
  /** Steps at which an instruction changed each slot. */
  changes: counts,
  /** Frames whose environment had each `slot=value`. */
  environment: counts,
  /** Steps chosen by each agent behaviour. */
  behaviours: counts,
});

export type Coverage = z.infer<typeof coverageSchema>;

const zeros = (names: readonly string[]): Record<string, number> =>
  Object.fromEntries(names.map((name) => [name, 0]));

const SLOT_VALUE_NAMES = allInstructions().map(formatInstruction);

export class CoverageCounter {
  private readonly coverage: Coverage = {
    frames: 0,
    steps: 0,
    actions: zeros([...ACTION_KEYS, 'idle']),
    instructions: zeros(SLOT_VALUE_NAMES),
    changes: zeros(SLOT_NAMES),
    environment: zeros(SLOT_VALUE_NAMES),
    behaviours: zeros(BEHAVIOURS),
  };

  get frames(): number {
    return this.coverage.frames;
  }

  observe({ record, behaviour }: EpisodeStep): void {
    const c = this.coverage;
    c.frames++;
    SLOT_NAMES.forEach((slot, i) => {
      c.environment[`${slot}=${INSTRUCTION_SLOTS[slot][record.environment[i]]}`]++;
    });
    if (behaviour === null) return;
    c.steps++;
    c.behaviours[behaviour]++;
    if (record.action === 0) c.actions.idle++;
    for (const key of ACTION_KEYS) if (isHeld(record.action, key)) c.actions[key]++;
    SLOT_NAMES.forEach((slot, i) => {
      const token = record.instruction[i];
      if (token > 0) c.instructions[`${slot}=${INSTRUCTION_SLOTS[slot][token - 1]}`]++;
      if (record.changed & (1 << i)) c.changes[slot]++;
    });
  }

  result(): Coverage {
    return structuredClone(this.coverage);
  }
}

/** How long generation took; the one part of a manifest that differs between runs. */
export const runStatsSchema = z.object({
  bytes: z.number().int(),
  seconds: z.number(),
  framesPerSecond: z.number(),
});

export type RunStats = z.infer<typeof runStatsSchema>;

/** A plain-text report: one section per table, counts with their share of the total. */
export function formatCoverage(coverage: Coverage, run: RunStats): string {
  const table = (title: string, counts: Record<string, number>, total: number) => [
    `${title}:`,
    ...Object.entries(counts).map(
      ([name, n]) =>
        `  ${name.padEnd(20)} ${String(n).padStart(8)}  ${percent(n, total).padStart(6)}`,
    ),
  ];
  return [
    `frames ${coverage.frames}, steps ${coverage.steps}, ${formatBytes(run.bytes)}, ` +
      `${run.seconds.toFixed(1)} s, ${run.framesPerSecond.toFixed(0)} frames/s`,
    ...table('actions (steps with key held)', coverage.actions, coverage.steps),
    ...table('instructions (steps carrying it)', coverage.instructions, coverage.steps),
    ...table('changes (steps an instruction changed the slot)', coverage.changes, coverage.steps),
    ...table('environment (frames in state)', coverage.environment, coverage.frames),
    ...table('behaviours (steps)', coverage.behaviours, coverage.steps),
  ].join('\n');
}

function percent(n: number, total: number): string {
  return total > 0 ? `${((100 * n) / total).toFixed(1)}%` : '-';
}

function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
