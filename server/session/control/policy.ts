/**
 * Shared vocabulary of the control layer: who the members are as a policy sees them,
 * what a steering policy decides per tick, and the typed refusals the session turns
 * into wire errors.
 *
 * Everything under `control/` is pure logic over members and inputs. Time enters only
 * as tick numbers (never clocks or timers), so a policy's behaviour is a function of
 * the calls made on it, and tests replay any situation exactly.
 */
import type { ErrorCode } from '../errors';
import { CONTROL_MODES, type ControlMode, type Role } from '../../protocol/roles';
import type { ActionBits } from '../../protocol/vocabulary';

export { CONTROL_MODES, type ControlMode };

export function isControlMode(value: unknown): value is ControlMode {
  return typeof value === 'string' && (CONTROL_MODES as readonly string[]).includes(value);
}

/**
 * Roles as the control layer needs them (the same strings as the join token's roles).
 * The host is a player with two extra rights: switching the mode directly and ruling on
 * instruction proposals (and handing the solo controller on).
 */
export type ControlRole = Role;

/** A member as steering policies see it at one tick. Built by the room; read-only. */
export interface MemberView {
  readonly id: string;
  readonly role: ControlRole;
  /** False while the member's connection is down (the seat is kept). */
  readonly connected: boolean;
  /** Rising number given at join: turn order and "next player" follow it. */
  readonly joinOrder: number;
  /** May drive the world directly (host, player). Spectators never do. */
  readonly canSteer: boolean;
  /** Counts as a voter (host, player; spectators when the room lets them vote). */
  readonly canVote: boolean;
  /** Keys held now: the latest input, or idle once it is `staleTicks` old or after a drop. */
  readonly held: ActionBits;
  /**
   * What this member drives with at this tick: `held` OR'd with every key pressed since
   * the previous tick, so a tap shorter than one tick still reaches the world.
   */
  readonly keys: ActionBits;
  /** Sequence number of the member's latest accepted input (-1 before the first). */
  readonly lastSeq: number;
  /** Tick the latest input was stamped with, or the join tick before the first input. */
  readonly lastInputTick: number;
  /** The latest non-idle input and its tick (democracy votes are made of these). */
  readonly lastPress: { readonly action: ActionBits; readonly tick: number } | null;
}

export interface SteeringContext {
  /** The tick being decided; strictly increasing from call to call. */
  readonly tick: number;
  /** Current members, in join order. */
  readonly members: readonly MemberView[];
}

export interface SoloState {
  readonly mode: 'solo';
  readonly pilot: string | null;
}

export interface RoundRobinState {
  readonly mode: 'round-robin';
  /** Whose turn it is (null when every player is away: idle). */
  readonly holder: string | null;
  /** Ticks the turn still lasts, this one included (0 with no holder). */
  readonly ticksLeft: number;
  /** Present players who follow the holder, in turn order. */
  readonly queue: readonly string[];
}

export interface VoteCount {
  readonly action: ActionBits;
  readonly keys: readonly string[];
  readonly votes: number;
}

export interface DemocracyState {
  readonly mode: 'democracy';
  /** The window this tally belongs to: first and last tick, and ticks left (this one included). */
  readonly window: { readonly start: number; readonly end: number; readonly ticksLeft: number };
  /** Votes per distinct action, winner first (see `rankVotes` for the order). */
  readonly tally: readonly VoteCount[];
  readonly cast: number;
  readonly eligible: number;
  /** Votes a window needs to count (quorum); below it the window's result is idle. */
  readonly needed: number;
  /** True at the window's last tick: the tally is final and `applied` is its result. */
  readonly closed: boolean;
  /** The action being applied: the result of the last closed window (idle before any). */
  readonly applied: ActionBits;
}

export interface AnarchyState {
  readonly mode: 'anarchy';
  /** Members whose keys took part this tick (they held at least one key). */
  readonly contributors: number;
  /** How many contributors held each key (keys nobody held are left out). */
  readonly pressed: Readonly<Record<string, number>>;
}

export type SteeringState = SoloState | RoundRobinState | DemocracyState | AnarchyState;

/** One tick's steering: the action and who (if anyone) it came from. */
export interface Steering {
  readonly action: ActionBits;
  /** The member whose keys are the action (solo pilot, turn holder); null for crowds. */
  readonly pilot: string | null;
  /** That member's input sequence number the action reflects. */
  readonly appliedSeq: number | null;
  /** True when nobody drove and the action is the mode's idle action (IDLE_ACTION). */
  readonly idle: boolean;
  readonly state: SteeringState;
}

/** A steering policy: state over ticks, a pure function of the contexts it is given. */
export interface SteeringPolicy {
  readonly mode: ControlMode;
  /** Whether this member's key inputs count in this mode (else the room answers FORBIDDEN). */
  mayInput(member: MemberView): boolean;
  decide(context: SteeringContext): Steering;
}

/** Error codes a refusal carries: the session's own wire codes, so mapping is 1:1. */
export type ControlErrorCode = Extract<
  ErrorCode,
  'NOT_JOINED' | 'FORBIDDEN' | 'BAD_REQUEST' | 'RATE_LIMITED'
>;

export interface Refusal {
  readonly ok: false;
  readonly code: ControlErrorCode;
  readonly message: string;
}

/**
 * The answer to a member's request. Refusals are values, not exceptions: a refused
 * vote is an everyday event in a crowd, and the session decides how to tell the sender
 * (`throw new WireError(r.code, r.message)`).
 */
export type Outcome<T extends object = object> = ({ readonly ok: true } & T) | Refusal;

export function refuse(code: ControlErrorCode, message: string): Refusal {
  return { ok: false, code, message };
}

/** The first of `candidates` joined after `afterJoinOrder`, wrapping to the earliest. */
export function nextInOrder<T extends { joinOrder: number }>(
  candidates: readonly T[],
  afterJoinOrder: number,
): T | undefined {
  const sorted = [...candidates].sort((a, b) => a.joinOrder - b.joinOrder);
  return sorted.find((m) => m.joinOrder > afterJoinOrder) ?? sorted[0];
}
