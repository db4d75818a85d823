/**
 * A control room's options: every length is in ticks, every share a fraction in [0, 1].
 *
 * Options come from configuration and from hosts, so they are checked once, up front,
 * and every problem is reported together: a NaN turn length or a negative window must
 * fail loudly at creation, never surface as a turn that never ends. (Wire values —
 * sequence numbers, actions, proposal ids — are checked where they enter, in room.ts.)
 *
 * Defaults assume about 20 ticks per second; use `ticksFromSeconds` with the session's
 * real rate to state lengths in seconds.
 */
import { INSTRUCTION_RULES, type InstructionRule } from '../../protocol/roles';
import { CONTROL_MODES, ControlMode, isControlMode } from './policy';

export { INSTRUCTION_RULES, type InstructionRule };

export interface ControlOptions {
  /** Mode the room starts in. */
  readonly mode: ControlMode;
  /**
   * Whether spectators are voters: in democracy (their keys are votes), in mode votes and
   * in instruction votes. One rule for every vote, so "who is a voter" has one answer.
   * Spectators never steer directly, propose instructions or rule on them.
   */
  readonly spectatorsVote: boolean;
  /** A held key not refreshed for this many ticks reads as released. */
  readonly staleTicks: number;
  readonly roundRobin: {
    /** Length of one turn. */
    readonly turnTicks: number;
    /** A player with no input for this many ticks is away: their turn is skipped or cut short. */
    readonly awayTicks: number;
  };
  readonly democracy: {
    /** Ticks per vote window (1 = every tick is its own vote). */
    readonly windowTicks: number;
    /** Share of eligible voters who must vote for a window to count (0 = no quorum). */
    readonly quorum: number;
  };
  readonly modeVote: {
    /** Share of eligible voters a new mode needs, in (0.5, 1]. Twitch Plays Pokémon used 75%. */
    readonly threshold: number;
  };
  readonly instructions: {
    /** 'host': the host approves or rejects; 'vote': a majority of eligible voters approves. */
    readonly rule: InstructionRule;
    /** A proposal not approved within this many ticks expires. */
    readonly windowTicks: number;
    /** Open proposals per room and per member (a flood from one member cannot fill the room's). */
    readonly maxPending: number;
    readonly maxPendingPerMember: number;
  };
}

/** What callers may pass: any subset, nested objects included. */
export type ControlOptionsInput = {
  readonly [K in keyof ControlOptions]?: ControlOptions[K] extends object
    ? Partial<ControlOptions[K]>
    : ControlOptions[K];
};

export const DEFAULT_CONTROL_OPTIONS: ControlOptions = {
  mode: 'solo',
  spectatorsVote: false,
  staleTicks: 20,
  roundRobin: { turnTicks: 200, awayTicks: 200 },
  democracy: { windowTicks: 20, quorum: 0 },
  modeVote: { threshold: 0.75 },
  instructions: { rule: 'host', windowTicks: 400, maxPending: 16, maxPendingPerMember: 2 },
};

export class ControlOptionsError extends Error {
  override readonly name = 'ControlOptionsError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid control options:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Longest accepted tick count (about 12 days at 20 fps): far beyond any sane window. */
const MAX_TICKS = 2 ** 24;

/** Defaults overlaid with `input`, validated; throws ControlOptionsError listing every problem. */
export function resolveControlOptions(input: ControlOptionsInput = {}): ControlOptions {
  const d = DEFAULT_CONTROL_OPTIONS;
  const merged: ControlOptions = {
    mode: input.mode ?? d.mode,
    spectatorsVote: input.spectatorsVote ?? d.spectatorsVote,
    staleTicks: input.staleTicks ?? d.staleTicks,
    roundRobin: { ...d.roundRobin, ...input.roundRobin },
    democracy: { ...d.democracy, ...input.democracy },
    modeVote: { ...d.modeVote, ...input.modeVote },
    instructions: { ...d.instructions, ...input.instructions },
  };
  const problems: string[] = [];
  const ticks = (name: string, value: unknown) => {
    if (!isInteger(value) || value < 1 || value > MAX_TICKS)
      problems.push(
        `${name} must be a whole number of ticks in [1, ${MAX_TICKS}]; got ${show(value)}`,
      );
  };
  const count = (name: string, value: unknown) => {
    if (!isInteger(value) || value < 1 || value > 1_000_000)
      problems.push(`${name} must be a whole number in [1, 1000000]; got ${show(value)}`);
  };
  if (!isControlMode(merged.mode))
    problems.push(`mode must be one of ${CONTROL_MODES.join(', ')}; got ${show(merged.mode)}`);
  if (typeof merged.spectatorsVote !== 'boolean')
    problems.push(`spectatorsVote must be true or false; got ${show(merged.spectatorsVote)}`);
  ticks('staleTicks', merged.staleTicks);
  ticks('roundRobin.turnTicks', merged.roundRobin.turnTicks);
  ticks('roundRobin.awayTicks', merged.roundRobin.awayTicks);
  ticks('democracy.windowTicks', merged.democracy.windowTicks);
  if (
    !isFiniteNumber(merged.democracy.quorum) ||
    merged.democracy.quorum < 0 ||
    merged.democracy.quorum > 1
  )
    problems.push(
      `democracy.quorum must be a share of voters in [0, 1] (0 = none); got ${show(merged.democracy.quorum)}`,
    );
  const threshold = merged.modeVote.threshold;
  if (!isFiniteNumber(threshold) || threshold <= 0.5 || threshold > 1)
    problems.push(
      `modeVote.threshold must be a share in (0.5, 1] (above half, so two modes can never both pass); got ${show(threshold)}`,
    );
  if (!(INSTRUCTION_RULES as readonly unknown[]).includes(merged.instructions.rule))
    problems.push(
      `instructions.rule must be one of ${INSTRUCTION_RULES.join(', ')}; got ${show(merged.instructions.rule)}`,
    );
  ticks('instructions.windowTicks', merged.instructions.windowTicks);
  count('instructions.maxPending', merged.instructions.maxPending);
  count('instructions.maxPendingPerMember', merged.instructions.maxPendingPerMember);
  if (problems.length > 0) throw new ControlOptionsError(problems);
  return merged;
}

/** Seconds at `ticksPerSecond` as a tick count, at least 1 (for stating options in seconds). */
export function ticksFromSeconds(seconds: number, ticksPerSecond: number): number {
  if (!isFiniteNumber(seconds) || seconds <= 0)
    throw new RangeError(`seconds must be a positive finite number; got ${show(seconds)}`);
  if (!isFiniteNumber(ticksPerSecond) || ticksPerSecond <= 0)
    throw new RangeError(
      `ticksPerSecond must be a positive finite number; got ${show(ticksPerSecond)}`,
    );
  return Math.max(1, Math.round(seconds * ticksPerSecond));
}

/**
 * Votes needed for `share` of `eligible`: ceil(share × eligible), never below 1. The
 * tiny epsilon absorbs float error (0.55 × 100 is 55.00000000000001 in binary, whose
 * ceiling would ask for 56), so a share that is met exactly passes.
 */
export function votesNeeded(share: number, eligible: number): number {
  return Math.max(1, Math.ceil(share * eligible - 1e-9));
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function show(value: unknown): string {
  if (typeof value === 'number') return String(value); // NaN, Infinity, -1 read as such
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
