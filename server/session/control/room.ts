/**
 * ControlRoom: one session's control state. It knows the members as control sees them
 * (role, connection, held keys, votes), holds the current mode and its steering policy,
 * runs mode votes and instruction proposals, and once per tick returns a TickDecision:
 * the one action for the world, at most one instruction, and everything the room is
 * told about how they came about.
 *
 * Time is tick numbers only. Calls between two decisions are stamped with the tick the
 * next `decide` will be for, so "no input for N ticks" and "votes within the window"
 * are exact and replayable. The session owns the clock and passes its tick to `decide`.
 *
 * Requests from members answer with an Outcome: `{ ok: true, ... }`, or a Refusal whose
 * `code` is a session wire code (NOT_JOINED, FORBIDDEN, BAD_REQUEST, RATE_LIMITED).
 * Every number arriving from the wire is checked here (NaN, Infinity, negatives,
 * fractions) even when a schema already did: this layer must stay safe on its own.
 * Misuse by the session itself (duplicate join, ticks going backwards) throws.
 */
import { ActionBits, IDLE_ACTION, Instruction, VocabularyCodec } from '../../protocol/vocabulary';
import { AnarchyPolicy } from './anarchy';
import { DemocracyPolicy } from './democracy';
import { ModeTally, ModeVote } from './mode-vote';
import { ControlOptions, ControlOptionsInput, isInteger, resolveControlOptions } from './options';
import {
  ControlMode,
  ControlRole,
  isControlMode,
  MemberView,
  Outcome,
  refuse,
  SteeringState,
} from './policy';
import { ProposalBoard, ProposalView } from './proposals';
import { RoundRobinPolicy } from './round-robin';
import { SoloPolicy } from './solo';

export interface ModeChange {
  readonly from: ControlMode;
  readonly to: ControlMode;
  readonly by: 'vote' | 'host';
}

/** Everything decided for one tick, ready to apply and to broadcast. */
export interface TickDecision {
  readonly tick: number;
  readonly mode: ControlMode;
  /** Set on the tick a new mode takes effect. */
  readonly modeChange: ModeChange | null;
  /** The one action the world steps with. */
  readonly action: ActionBits;
  readonly keys: readonly string[];
  /** Whose keys the action is (solo pilot, turn holder); null for crowds or nobody. */
  readonly pilot: string | null;
  readonly appliedSeq: number | null;
  /** True when nobody drove and the action is the idle action (IDLE_ACTION). */
  readonly idle: boolean;
  /** Mode-specific detail: pilot, turn and ticks left, democracy tally, anarchy counts. */
  readonly steering: SteeringState;
  readonly modeVote: ModeTally;
  /** The instruction applied at this tick (at most one per tick). */
  readonly instruction: Instruction | null;
  /** Open proposals, plus those that reached a final state since the last tick. */
  readonly proposals: readonly ProposalView[];
}

type ActivePolicy = SoloPolicy | RoundRobinPolicy | DemocracyPolicy | AnarchyPolicy;

interface MemberRecord {
  readonly id: string;
  readonly role: ControlRole;
  readonly joinOrder: number;
  connected: boolean;
  /** Latest input's keys and the tick it was stamped with (for staleness). */
  bits: ActionBits;
  bitsTick: number;
  /** Every key pressed since the previous decision. */
  taps: ActionBits;
  lastSeq: number;
  lastInputTick: number;
  lastPress: { action: ActionBits; tick: number } | null;
}

const ROLES: readonly ControlRole[] = ['host', 'player', 'spectator'];

export class ControlRoom {
  readonly options: ControlOptions;
  private readonly members = new Map<string, MemberRecord>();
  private readonly modeVotes: ModeVote;
  private readonly board: ProposalBoard;
  private policy: ActivePolicy;
  private joins = 0;
  /** The tick the next `decide` is for at the earliest; calls in between are stamped with it. */
  private nextTick: number;
  private lastDecided: number | null = null;
  private pendingChange: ModeChange | null = null;

  /**
   * @param vocabulary the frame source's keys and instructions: what inputs and proposals may name.
   * @param options any subset of ControlOptions; validated (throws ControlOptionsError).
   * @param startTick the first tick this room will decide (the session's current tick).
   */
  constructor(
    private readonly vocabulary: VocabularyCodec,
    options: ControlOptionsInput = {},
    startTick = 0,
  ) {
    if (!isInteger(startTick) || startTick < 0)
      throw new RangeError(`startTick must be a whole number >= 0; got ${startTick}`);
    this.options = resolveControlOptions(options);
    this.nextTick = startTick;
    this.modeVotes = new ModeVote(this.options.modeVote.threshold);
    this.board = new ProposalBoard(this.options.instructions);
    this.policy = this.createPolicy(this.options.mode);
  }

  get mode(): ControlMode {
    return this.policy.mode;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  // ---- membership (from the session; trusted) ------------------------------------

  join(memberId: string, role: ControlRole): void {
    if (this.members.has(memberId)) throw new Error(`member "${memberId}" has already joined`);
    if (!ROLES.includes(role)) throw new Error(`unknown role "${String(role)}"`);
    this.members.set(memberId, {
      id: memberId,
      role,
      joinOrder: this.joins++,
      connected: true,
      bits: IDLE_ACTION,
      bitsTick: -Infinity,
      taps: IDLE_ACTION,
      lastSeq: -1,
      // Joining counts as being around: a newcomer is not skipped before they could act.
      lastInputTick: this.nextTick,
      lastPress: null,
    });
  }

  /** Gone for good: seat, keys and every vote of theirs go. A departed pilot's controller moves on. */
  leave(memberId: string): void {
    if (!this.members.delete(memberId)) return;
    this.modeVotes.remove(memberId);
    this.board.removeVoter(memberId);
  }

  /**
   * Connection dropped (false) or restored (true). A dropped member's keys are released
   * and they count neither as present nor as a voter; their votes are kept for their
   * return within the reconnection window. A restored connection may be a reloaded page
   * whose sequence numbers start again, so the next input is taken whatever its number.
   */
  setConnected(memberId: string, connected: boolean): void {
    const member = this.members.get(memberId);
    if (!member) return;
    member.connected = connected;
    if (connected) member.lastSeq = -1;
    if (!connected) {
      member.bits = IDLE_ACTION;
      member.taps = IDLE_ACTION;
    }
  }

  // ---- requests from members (wire; checked) --------------------------------------

  /**
   * A member's held keys (the whole set, with a rising sequence number). Spectators may
   * send keys only where they are votes (democracy with spectatorsVote). A duplicate or
   * older sequence number is dropped quietly: `{ ok: true, duplicate: true }`.
   */
  input(memberId: string, seq: number, action: ActionBits): Outcome<{ duplicate: boolean }> {
    const member = this.members.get(memberId);
    if (!member) return notJoined();
    if (!isInteger(seq) || seq < 0)
      return refuse('BAD_REQUEST', `seq must be a whole number >= 0; got ${String(seq)}`);
    try {
      this.vocabulary.assertAction(action);
    } catch (error) {
      return refuse('BAD_REQUEST', (error as Error).message);
    }
    if (!this.policy.mayInput(this.view(member, this.nextTick)))
      return refuse(
        'FORBIDDEN',
        member.role === 'spectator'
          ? `spectators cannot steer in ${this.mode} mode`
          : `your keys do not count in ${this.mode} mode`,
      );
    if (seq <= member.lastSeq) return { ok: true, duplicate: true };
    member.lastSeq = seq;
    member.bits = action;
    member.bitsTick = this.nextTick;
    member.taps |= action;
    member.lastInputTick = this.nextTick;
    if (action !== IDLE_ACTION) member.lastPress = { action, tick: this.nextTick };
    return { ok: true, duplicate: false };
  }

  /** Casts, changes or (null) withdraws a member's vote for a mode. */
  voteMode(memberId: string, mode: ControlMode | null): Outcome {
    const member = this.members.get(memberId);
    if (!member) return notJoined();
    if (mode !== null && !isControlMode(mode)) return badMode(mode);
    if (!this.isVoter(member)) return refuse('FORBIDDEN', 'spectators cannot vote in this room');
    this.modeVotes.set(memberId, mode);
    return { ok: true };
  }

  /**
   * A host switches the mode directly: the new policy decides the next tick, starting
   * fresh, and mode votes reset. Asking for the current mode changes nothing.
   */
  setMode(memberId: string, mode: ControlMode): Outcome {
    const member = this.members.get(memberId);
    if (!member) return notJoined();
    if (!isControlMode(mode)) return badMode(mode);
    if (member.role !== 'host')
      return refuse('FORBIDDEN', 'only the host can switch modes directly');
    if (mode !== this.mode) this.switchTo(mode, 'host');
    return { ok: true };
  }

  /** Solo mode: the host or the current pilot gives the controller to a connected host or player. */
  handOff(memberId: string, toMemberId: string): Outcome {
    const member = this.members.get(memberId);
    if (!member) return notJoined();
    if (this.policy.mode !== 'solo')
      return refuse('BAD_REQUEST', `there is no controller to hand over in ${this.mode} mode`);
    if (member.role !== 'host' && this.policy.currentPilot !== memberId)
      return refuse('FORBIDDEN', 'only the host or the pilot can hand the controller over');
    const target = this.members.get(toMemberId);
    if (!target) return refuse('BAD_REQUEST', `no member "${toMemberId}" in this session`);
    if (target.role === 'spectator')
      return refuse('BAD_REQUEST', 'spectators cannot take the controller');
    if (!target.connected) return refuse('BAD_REQUEST', `member "${toMemberId}" is not connected`);
    this.policy.handOff(this.view(target, this.nextTick));
    return { ok: true };
  }

  /** A host or player proposes an instruction; it is applied per the room's rule. */
  propose(memberId: string, instruction: Instruction): Outcome<{ proposalId: number }> {
    const member = this.members.get(memberId);
    if (!member) return notJoined();
    if (member.role === 'spectator')
      return refuse('FORBIDDEN', 'spectators cannot propose instructions');
    let checked: Instruction;
    try {
      checked = this.vocabulary.instruction(String(instruction?.slot), String(instruction?.value));
    } catch (error) {
      return refuse('BAD_REQUEST', (error as Error).message);
    }
    return this.board.propose(memberId, member.role === 'host', checked, this.nextTick);
  }

  /** 'host' rule: a host approves or rejects a pending proposal. */
  review(memberId: string, proposalId: number, approve: boolean): Outcome {
    const member = this.members.get(memberId);
    if (!member) return notJoined();
    if (member.role !== 'host') return refuse('FORBIDDEN', 'only the host can rule on proposals');
    const bad = checkProposalRequest(proposalId, approve);
    if (bad) return bad;
    return this.board.review(proposalId, approve);
  }

  /** 'vote' rule: a voter approves (true), rejects (false) or withdraws (null). */
  voteInstruction(memberId: string, proposalId: number, approve: boolean | null): Outcome {
    const member = this.members.get(memberId);
    if (!member) return notJoined();
    if (!this.isVoter(member)) return refuse('FORBIDDEN', 'spectators cannot vote in this room');
    const bad = checkProposalRequest(proposalId, approve, true);
    if (bad) return bad;
    return this.board.vote(memberId, proposalId, approve);
  }

  // ---- the tick -----------------------------------------------------------------

  /**
   * Decides `tick`: settles the mode vote (a switch applies from this very tick), asks
   * the active policy for the action, settles proposals and applies at most one
   * instruction. Call once per tick with strictly increasing ticks; skipped ticks are
   * fine (an overdue window or turn simply ends at the next call).
   */
  decide(tick: number): TickDecision {
    if (!isInteger(tick) || tick < this.nextTick)
      throw new RangeError(
        `decide(tick): tick must be a whole number >= ${this.nextTick} (strictly increasing); got ${tick}`,
      );
    const eligible = this.eligibleVoters();
    const modeTally = this.modeVotes.tally(this.mode, eligible);
    const winner = ModeVote.winner(modeTally);
    if (winner) this.switchTo(winner, 'vote');
    const change = this.pendingChange;
    this.pendingChange = null;

    const members = [...this.members.values()].map((m) => this.view(m, tick));
    const steering = this.policy.decide({ tick, members });
    const board = this.board.step(tick, eligible);

    for (const member of this.members.values()) member.taps = IDLE_ACTION;
    this.lastDecided = tick;
    this.nextTick = tick + 1;
    return {
      tick,
      mode: this.mode,
      modeChange: change && change.from !== change.to ? change : null,
      action: steering.action,
      keys: this.vocabulary.keysFromAction(steering.action),
      pilot: steering.pilot,
      appliedSeq: steering.appliedSeq,
      idle: steering.idle,
      steering: steering.state,
      modeVote: winner ? this.modeVotes.tally(this.mode, eligible) : modeTally,
      instruction: board.instruction,
      proposals: board.proposals,
    };
  }

  /** The last tick decided, or null before the first. */
  get lastTick(): number | null {
    return this.lastDecided;
  }

  // ---- internals ------------------------------------------------------------------

  private switchTo(mode: ControlMode, by: 'vote' | 'host'): void {
    const from = this.pendingChange?.from ?? this.mode;
    this.policy = this.createPolicy(mode);
    this.modeVotes.clear();
    this.pendingChange = { from, to: mode, by };
  }

  private createPolicy(mode: ControlMode): ActivePolicy {
    switch (mode) {
      case 'solo':
        return new SoloPolicy();
      case 'round-robin':
        return new RoundRobinPolicy(this.options.roundRobin);
      case 'democracy':
        return new DemocracyPolicy(this.options.democracy, this.vocabulary);
      case 'anarchy':
        return new AnarchyPolicy(this.vocabulary.keys);
    }
  }

  private isVoter(member: MemberRecord): boolean {
    return member.role !== 'spectator' || this.options.spectatorsVote;
  }

  private eligibleVoters(): Set<string> {
    return new Set(
      [...this.members.values()].filter((m) => m.connected && this.isVoter(m)).map((m) => m.id),
    );
  }

  private view(member: MemberRecord, tick: number): MemberView {
    const fresh = member.connected && tick - member.bitsTick < this.options.staleTicks;
    const held = fresh ? member.bits : IDLE_ACTION;
    return {
      id: member.id,
      role: member.role,
      connected: member.connected,
      joinOrder: member.joinOrder,
      canSteer: member.role !== 'spectator',
      canVote: this.isVoter(member),
      held,
      keys: held | member.taps,
      lastSeq: member.lastSeq,
      lastInputTick: member.lastInputTick,
      lastPress: member.lastPress,
    };
  }
}

function notJoined() {
  return refuse('NOT_JOINED', 'not a member of this session; join it first');
}

function badMode(mode: unknown) {
  return refuse(
    'BAD_REQUEST',
    `unknown mode ${JSON.stringify(mode)}; expected solo, round-robin, democracy or anarchy`,
  );
}

function checkProposalRequest(proposalId: unknown, approve: unknown, nullable = false) {
  if (!isInteger(proposalId) || proposalId < 1)
    return refuse(
      'BAD_REQUEST',
      `proposal id must be a whole number >= 1; got ${String(proposalId)}`,
    );
  if (typeof approve !== 'boolean' && !(nullable && approve === null))
    return refuse('BAD_REQUEST', `approve must be true or false; got ${String(approve)}`);
  return null;
}
