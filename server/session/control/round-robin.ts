/**
 * Round-robin: the hosts and players take turns of `turnTicks` ticks, in join order.
 *
 * A player is away when disconnected or when `awayTicks` ticks have passed since their
 * last input (inputs sent while waiting count: pressing a key says "I'm here"). Away
 * players are skipped when their turn comes, and a holder who goes away or leaves
 * mid-turn loses the rest of it at once — a crowd should not watch an empty seat.
 * When the only present player's turn ends, they simply get the next one.
 *
 * Idle policy: IDLE_ACTION while every player is away; the first one back takes a turn.
 */
import { IDLE_ACTION } from '../../protocol/vocabulary';
import { MemberView, nextInOrder, Steering, SteeringContext, SteeringPolicy } from './policy';

export interface RoundRobinOptions {
  readonly turnTicks: number;
  readonly awayTicks: number;
}

interface Turn {
  readonly id: string;
  readonly joinOrder: number;
  readonly start: number;
}

export class RoundRobinPolicy implements SteeringPolicy {
  readonly mode = 'round-robin';
  private turn: Turn | null = null;

  constructor(private readonly options: RoundRobinOptions) {}

  mayInput(member: MemberView): boolean {
    return member.canSteer;
  }

  /** Whether `member` counts as present for turns at `tick`. */
  isPresent(member: MemberView, tick: number): boolean {
    return (
      member.canSteer && member.connected && tick - member.lastInputTick < this.options.awayTicks
    );
  }

  decide({ tick, members }: SteeringContext): Steering {
    const present = members.filter((m) => this.isPresent(m, tick));
    const current = this.turn;
    const keeps =
      current !== null &&
      tick < current.start + this.options.turnTicks &&
      present.some((m) => m.id === current.id);
    if (!keeps) {
      const next = nextInOrder(present, current?.joinOrder ?? -Infinity);
      this.turn = next ? { id: next.id, joinOrder: next.joinOrder, start: tick } : null;
    }
    const turn = this.turn;
    const holder = turn ? present.find((m) => m.id === turn.id) : undefined;
    if (!turn || !holder) {
      return {
        action: IDLE_ACTION,
        pilot: null,
        appliedSeq: null,
        idle: true,
        state: { mode: 'round-robin', holder: null, ticksLeft: 0, queue: [] },
      };
    }
    const after = [...present]
      .filter((m) => m.id !== holder.id)
      .sort((a, b) => a.joinOrder - b.joinOrder);
    const queue = [
      ...after.filter((m) => m.joinOrder > holder.joinOrder),
      ...after.filter((m) => m.joinOrder < holder.joinOrder),
    ].map((m) => m.id);
    return {
      action: holder.keys,
      pilot: holder.id,
      appliedSeq: holder.lastSeq >= 0 ? holder.lastSeq : null,
      idle: false,
      state: {
        mode: 'round-robin',
        holder: holder.id,
        ticksLeft: turn.start + this.options.turnTicks - tick,
        queue,
      },
    };
  }
}
