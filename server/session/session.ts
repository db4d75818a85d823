/**
 * A session: one world, its members, and what happens to it at each tick. This is the
 * one place that ties inputs, the control room, the frame source and the media
 * together; signaling handlers translate wire messages into calls on it.
 *
 * Tick lifecycle (driven by tick/tick-loop.ts): `decide()` asks the control room for the
 * tick's one immutable decision (one action, at most one approved instruction); the tick
 * loop steps the frame source with every due session's decision at once; `present()`
 * encodes the new frame once into the session's stream and emits the tick's one record,
 * which sockets (`tickMessage`), metrics and the store each read.
 *
 * Events: 'tick' (TickRecord), 'roster' (who is here, after a change), 'member'
 * (joined or resumed), 'memberLeft' (id), 'draining' (ms until it ends), 'closed' (reason).
 */
import { EventEmitter } from 'node:events';
import { ControlOptionsInput } from './control/options';
import { ControlMode, Outcome } from './control/policy';
import { ControlRoom, TickDecision } from './control/room';
import { WireError } from './errors';
import type { MembersMessage } from '../protocol/server-events';
import {
  ActionBits,
  formatInstruction,
  Instruction,
  VocabularyCodec,
} from '../protocol/vocabulary';
import { JoinClaims, Role } from './join-tokens';
import { Capacity, Member, SavedSeat, Seats } from './seats';
import { SessionVideo } from './session-video';

export type { Role };

export type { Capacity, Member };

/** One tick of one session, made once by `present`: its decision and how its frame went out. */
export interface TickRecord {
  readonly sessionId: string;
  readonly decision: TickDecision;
  /** RTP timestamp the tick's frame carries (see SessionVideo.rtpTimestampOfTick). */
  readonly rtpTimestamp: number;
  /** Time the frame source took for this tick's batch, and the encode time. */
  readonly stepMs: number;
  readonly encodeMs: number;
}

/** What members hear of a tick (the wire's `tick` event). */
export function tickMessage(record: TickRecord): TickMetadata {
  const { instruction, modeChange, ...rest } = record.decision;
  return {
    ...rest,
    sessionId: record.sessionId,
    rtpTimestamp: record.rtpTimestamp,
    instructions: instruction ? [formatInstruction(instruction)] : [],
    modeChange: modeChange ? { ...modeChange } : null,
    stepMs: record.stepMs,
    encodeMs: record.encodeMs,
  };
}

export interface TickMetadata extends Omit<TickDecision, 'instruction' | 'modeChange'> {
  sessionId: string;
  /** RTP timestamp the tick's frame carries (see SessionVideo.rtpTimestampOfTick). */
  rtpTimestamp: number;
  instructions: string[];
  modeChange: { from: ControlMode; to: ControlMode; by: string } | null;
  /** Time the frame source took for this tick's batch, and the encode time. */
  stepMs: number;
  encodeMs: number;
}

export interface SessionOptions {
  seed: number;
  /** The session's title in the lobby. */
  title: string;
  video: SessionVideo;
  control: ControlOptionsInput;
  /** The frame source's keys and instructions. */
  vocabulary: VocabularyCodec;
  inputRateLimit: number;
  capacity: Capacity;
  /** The first tick it presents: 0, or where a resumed session had reached. */
  startTick?: number;
  now?: () => number;
}

export class Session extends EventEmitter {
  readonly seed: number;
  readonly title: string;
  readonly video: SessionVideo;
  /** When the session started (the `now` clock, ms). */
  readonly startedAt: number;
  readonly control: ControlRoom;
  /** 0, or the tick a resumed session went on from (its log before that is another process's). */
  readonly startTick: number;
  private readonly members: Seats;
  /** Spectators watching through other processes' edges, by edge process id. */
  private readonly edgeViewers = new Map<string, number>();
  private readonly now: () => number;
  private ticks = 0;
  private closed = false;
  /** Whether who is here changed since the roster was last announced. */
  private rosterChanged = true;

  constructor(
    readonly id: string,
    private readonly options: SessionOptions,
  ) {
    super();
    this.seed = options.seed;
    this.video = options.video;
    this.startTick = options.startTick ?? 0;
    this.ticks = this.startTick;
    this.control = new ControlRoom(options.vocabulary, options.control, this.startTick);
    this.now = options.now ?? (() => performance.now());
    this.members = new Seats(id, {
      capacity: options.capacity,
      inputRateLimit: options.inputRateLimit,
      now: this.now,
    });
    this.title = options.title;
    this.startedAt = this.now();
  }

  /** Number of ticks presented so far; the next frame belongs to this tick. */
  get tick(): number {
    return this.ticks;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  memberList(): Member[] {
    return this.members.list();
  }

  /** Who is here: hosts and players by name, spectators counted (edges' included). */
  roster(): MembersMessage {
    const members = this.members.list();
    const spectators = members.filter((m) => m.role === 'spectator').length;
    return {
      sessionId: this.id,
      members: members
        .filter((m) => m.role !== 'spectator')
        .map(({ id, name, role, connected }) => ({ id, name, role, connected })),
      spectators: spectators + this.edgeViewerCount(),
    };
  }

  memberCount(): number {
    return this.members.list().length;
  }

  /** Members connected here, and spectators connected through edges. */
  connectedCount(): number {
    return this.members.connectedCount() + this.edgeViewerCount();
  }

  /** Spectators watching through edges, all of them. */
  private edgeViewerCount(): number {
    let count = 0;
    for (const viewers of this.edgeViewers.values()) count += viewers;
    return count;
  }

  /** How many spectators watch through the edge process `edgeId` (0: none any more). */
  setEdgeViewers(edgeId: string, viewers: number): void {
    if ((this.edgeViewers.get(edgeId) ?? 0) === viewers) return;
    if (viewers > 0) this.edgeViewers.set(edgeId, viewers);
    else this.edgeViewers.delete(edgeId);
    this.rosterChanged = true;
  }

  /** A new seat for the bearer of a verified join token. */
  join(claims: JoinClaims): Member {
    this.assertOpen();
    const member = this.members.take(claims);
    this.control.join(member.id, member.role);
    this.rosterChanged = true;
    this.emit('member', member);
    return member;
  }

  /**
   * The member holding `resumeToken`, reconnected: same identity, role, votes and media
   * (see Seats.resume for who may).
   */
  resume(resumeToken: string, claims: Pick<JoinClaims, 'jti' | 'sub' | 'role'>): Member {
    this.assertOpen();
    const member = this.members.resume(resumeToken, claims);
    this.control.setConnected(member.id, true);
    this.rosterChanged = true;
    this.emit('member', member);
    return member;
  }

  /**
   * Seats the session's previous process held (failover), taken back disconnected: each
   * member resumes its own with its resume token. Returns the ids restored.
   */
  restoreSeats(saved: readonly SavedSeat[]): string[] {
    this.assertOpen();
    const restored: string[] = [];
    for (const seat of saved) {
      try {
        const member = this.members.restore(seat);
        this.control.join(member.id, member.role);
        this.control.setConnected(member.id, false);
        restored.push(member.id);
      } catch {
        // A seat this process cannot hold (another configuration): its member joins anew.
      }
    }
    this.rosterChanged = true;
    return restored;
  }

  /** The member whose resume secret this is. */
  withResumeToken(resumeToken: string): Member | undefined {
    return this.members.withResumeToken(resumeToken);
  }

  /** The member's connection dropped: its keys are released, its seat and votes kept. */
  away(memberId: string): void {
    if (!this.members.away(memberId)) return;
    this.control.setConnected(memberId, false);
    this.rosterChanged = true;
  }

  leave(memberId: string): void {
    if (!this.members.remove(memberId)) return;
    this.control.leave(memberId);
    this.video.removeMember(memberId);
    this.rosterChanged = true;
    this.emit('memberLeft', memberId);
  }

  /** A member's held keys (steering, or a democracy vote). */
  input(memberId: string, seq: number, action: ActionBits): void {
    this.settle(this.control.input(this.limited(memberId).id, seq, action));
  }

  /** An instruction proposal, applied by the session's rule (host approval or vote). */
  propose(memberId: string, instruction: Instruction): number {
    return this.settle(this.control.propose(this.limited(memberId).id, instruction)).proposalId;
  }

  review(memberId: string, proposalId: number, approve: boolean): void {
    this.settle(this.control.review(this.member(memberId).id, proposalId, approve));
  }

  voteInstruction(memberId: string, proposalId: number, approve: boolean | null): void {
    this.settle(this.control.voteInstruction(this.limited(memberId).id, proposalId, approve));
  }

  voteMode(memberId: string, mode: ControlMode | null): void {
    this.settle(this.control.voteMode(this.limited(memberId).id, mode));
  }

  setMode(memberId: string, mode: ControlMode): void {
    this.settle(this.control.setMode(this.member(memberId).id, mode));
  }

  handOff(memberId: string, toMemberId: string): void {
    this.settle(this.control.handOff(this.member(memberId).id, toMemberId));
  }

  /** This tick's decision: one action, at most one instruction; the frame source steps it next. */
  decide(): TickDecision {
    return Object.freeze(this.control.decide(this.ticks));
  }

  /** Streams the frame made from `decision` and announces the tick's record. */
  async present(decision: TickDecision, frame: Uint8Array, stepMs: number): Promise<TickRecord> {
    if (decision.tick !== this.ticks)
      throw new RangeError(`a decision for tick ${decision.tick} presented at tick ${this.ticks}`);
    const tick = this.ticks++;
    const began = this.now();
    await this.video.pushFrame(tick, frame);
    const record: TickRecord = {
      sessionId: this.id,
      decision,
      rtpTimestamp: this.video.rtpTimestampOfTick(tick),
      stepMs,
      encodeMs: this.now() - began,
    };
    this.emit('tick', record);
    // Coalesced: a crowd arriving costs one roster message per tick, not one per member.
    if (this.rosterChanged) {
      this.rosterChanged = false;
      this.emit('roster', this.roster());
    }
    return record;
  }

  /** Its process is shutting down: members hear that it ends within `withinMs`. */
  drain(withinMs: number): void {
    if (!this.closed) this.emit('draining', withinMs);
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of this.members.ids()) this.emit('memberLeft', id);
    this.members.clear();
    this.edgeViewers.clear();
    this.video.close();
    this.emit('closed', reason);
  }

  member(memberId: string): Member {
    const member = this.members.get(memberId);
    if (!member)
      throw new WireError('NOT_JOINED', `not a member of session "${this.id}"; join it first`);
    return member;
  }

  /** The member, if within its input rate (a flood is refused before any work). */
  private limited(memberId: string): Member {
    const member = this.member(memberId);
    if (!member.limiter.tryTake(this.now()))
      throw new WireError('RATE_LIMITED', 'too many inputs; slow down');
    return member;
  }

  /** The control room answers refusals as values; the wire wants typed errors. */
  private settle<T extends object>(outcome: Outcome<T>): { ok: true } & T {
    if (!outcome.ok) throw new WireError(outcome.code, outcome.message);
    return outcome;
  }

  private assertOpen(): void {
    if (this.closed) throw new WireError('UNKNOWN_SESSION', `session "${this.id}" is closed`);
  }
}
