/**
 * A session: one world, its members, and what happens to it at each tick. This is the
 * one place that ties inputs, the control policy, the frame source and the media
 * together; signaling handlers translate wire messages into calls on it.
 *
 * Tick lifecycle: `nextRequest()` asks the policy for the effective action and drains
 * pending instructions; the tick loop steps the frame source for all sessions at
 * once; `present()` encodes the new frame once into the session's stream and emits
 * the tick's metadata.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ActionBits, keysFromAction } from '../../model/engine/actions';
import { formatInstruction, Instruction } from '../../model/engine/instructions';
import { FrameRequest } from '../generator/frame-source';
import { ControlPolicy } from './control/policy';
import { WireError } from './errors';
import { HeldKeys } from './held-keys';
import { Role } from './join-tokens';
import { RateLimiter } from './rate-limiter';
import { SessionVideo } from './session-video';

export type { Role };

export interface Member {
  readonly id: string;
  /** Who the join token was issued to (a display name). */
  readonly name: string;
  readonly role: Role;
  /** Secret that lets this member reclaim its identity after a dropped connection. */
  readonly resumeToken: string;
  readonly keys: HeldKeys;
  readonly limiter: RateLimiter;
  /** False while the member's connection is down (inside the reconnection window). */
  connected: boolean;
}

/** How many members of each role a session admits. */
export type Capacity = Record<Role, number>;

export interface TickMetadata {
  sessionId: string;
  tick: number;
  /** RTP timestamp the tick's frame carries (see SessionVideo.rtpTimestampOfTick). */
  rtpTimestamp: number;
  action: ActionBits;
  keys: string[];
  pilot: string | null;
  appliedSeq: number | null;
  instructions: string[];
  /** Time the frame source took for this tick's batch, and the encode time. */
  stepMs: number;
  encodeMs: number;
}

export interface SessionOptions {
  seed: number;
  video: SessionVideo;
  policy: ControlPolicy;
  staleInputMs: number;
  inputRateLimit: number;
  capacity: Capacity;
  now?: () => number;
}

const MAX_PENDING_INSTRUCTIONS = 16;

export class Session extends EventEmitter {
  readonly seed: number;
  readonly video: SessionVideo;
  private readonly members = new Map<string, Member>();
  private readonly policy: ControlPolicy;
  private readonly now: () => number;
  private pending: Instruction[] = [];
  private decision = {
    action: 0,
    pilot: null as string | null,
    appliedSeq: null as number | null,
    instructions: [] as Instruction[],
  };
  private ticks = 0;
  private closed = false;

  constructor(
    readonly id: string,
    private readonly options: SessionOptions,
  ) {
    super();
    this.seed = options.seed;
    this.video = options.video;
    this.policy = options.policy;
    this.now = options.now ?? (() => performance.now());
  }

  /** Number of ticks presented so far; the next frame belongs to this tick. */
  get tick(): number {
    return this.ticks;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  memberCount(): number {
    return this.members.size;
  }

  join(role: Role, name: string): Member {
    this.assertOpen();
    const taken = [...this.members.values()].filter((m) => m.role === role).length;
    if (taken >= this.options.capacity[role]) {
      throw new WireError(
        'SESSION_FULL',
        `session "${this.id}" has no free ${role} seat (${this.options.capacity[role]} max)`,
      );
    }
    const member: Member = {
      id: randomUUID(),
      name,
      role,
      resumeToken: randomUUID(),
      keys: new HeldKeys(this.options.staleInputMs),
      limiter: new RateLimiter(this.options.inputRateLimit, this.now()),
      connected: true,
    };
    this.members.set(member.id, member);
    return member;
  }

  /** The member holding `resumeToken`, reconnected: same identity, role and media. */
  resume(resumeToken: string): Member {
    this.assertOpen();
    const member = [...this.members.values()].find((m) => m.resumeToken === resumeToken);
    if (!member)
      throw new WireError(
        'FORBIDDEN',
        'nothing to resume: the reconnection window has passed; join again',
      );
    member.connected = true;
    return member;
  }

  /** The member's connection dropped: its keys are released, its seat is kept. */
  away(memberId: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    member.connected = false;
    member.keys.release();
  }

  connectedCount(): number {
    return [...this.members.values()].filter((m) => m.connected).length;
  }

  leave(memberId: string): void {
    if (!this.members.delete(memberId)) return;
    this.policy.onLeave(memberId);
    this.video.removeMember(memberId);
  }

  /** A member's held keys. Rejects spectators and floods; ignores stale sequence numbers. */
  input(memberId: string, seq: number, action: ActionBits): void {
    const member = this.driver(memberId);
    if (member.keys.update(seq, action, this.now())) this.policy.onInput(memberId);
  }

  /** An instruction from a player, applied at the next tick. */
  instruct(memberId: string, instruction: Instruction): void {
    this.driver(memberId);
    if (this.pending.length >= MAX_PENDING_INSTRUCTIONS) {
      throw new WireError(
        'RATE_LIMITED',
        `at most ${MAX_PENDING_INSTRUCTIONS} instructions may wait for one tick`,
      );
    }
    this.pending.push(instruction);
  }

  /** Decides this tick's action and instructions (the frame source steps them next). */
  nextRequest(): FrameRequest {
    const now = this.now();
    const decision = this.policy.decide(
      [...this.members.values()].map((m) => ({
        id: m.id,
        role: m.role === 'spectator' ? ('spectator' as const) : ('player' as const),
        keys: m.keys.current(now),
        lastSeq: m.keys.lastSeq,
      })),
    );
    this.decision = { ...decision, instructions: this.pending };
    this.pending = [];
    return {
      sessionId: this.id,
      action: decision.action,
      instructions: this.decision.instructions,
    };
  }

  /** Streams the tick's frame and announces what produced it. */
  async present(frame: Uint8Array, stepMs: number): Promise<TickMetadata> {
    const tick = this.ticks++;
    const began = this.now();
    await this.video.pushFrame(tick, frame);
    const { action, pilot, appliedSeq, instructions } = this.decision;
    const metadata: TickMetadata = {
      sessionId: this.id,
      tick,
      rtpTimestamp: this.video.rtpTimestampOfTick(tick),
      action,
      keys: keysFromAction(action),
      pilot,
      appliedSeq,
      instructions: instructions.map(formatInstruction),
      stepMs,
      encodeMs: this.now() - began,
    };
    this.emit('tick', metadata);
    return metadata;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.members.clear();
    this.video.close();
    this.emit('closed');
  }

  member(memberId: string): Member {
    const member = this.members.get(memberId);
    if (!member)
      throw new WireError('NOT_JOINED', `not a member of session "${this.id}"; join it first`);
    return member;
  }

  /** The member, if it may steer the world right now. */
  private driver(memberId: string): Member {
    const member = this.member(memberId);
    if (member.role !== 'player')
      throw new WireError('FORBIDDEN', 'spectators cannot send actions or instructions');
    if (!member.limiter.tryTake(this.now()))
      throw new WireError('RATE_LIMITED', 'too many inputs; slow down');
    return member;
  }

  private assertOpen(): void {
    if (this.closed) throw new WireError('UNKNOWN_SESSION', `session "${this.id}" is closed`);
  }
}
