/**
 * Solo: one pilot drives; everyone else watches (cloud play, or a host lending the pad).
 *
 * Who is the pilot:
 * - At the start, and whenever nobody is: the host if connected, else the connected
 *   player who joined first. Until someone qualifies, the world idles.
 * - The host (or the pilot) may hand the controller to any connected host or player.
 * - A pilot who leaves hands it back to the host if connected, else to the next
 *   connected player after the departed pilot in join order (wrapping around). So the
 *   controller moves on in a predictable order instead of jumping to whoever shouts.
 * - A pilot whose connection drops keeps the controller through the reconnection window
 *   (their keys are released, so the world idles); the host can take it back meanwhile.
 *
 * Idle policy: IDLE_ACTION while there is no pilot (or the pilot's connection is down).
 * A connected pilot holding no key is not "nobody driving" — they chose to stand
 * still — so `idle` is false then.
 */
import { IDLE_ACTION } from '../../protocol/vocabulary';
import { MemberView, nextInOrder, Steering, SteeringContext, SteeringPolicy } from './policy';

interface Seat {
  readonly id: string;
  readonly joinOrder: number;
}

export class SoloPolicy implements SteeringPolicy {
  readonly mode = 'solo';
  private pilot: Seat | null = null;

  mayInput(member: MemberView): boolean {
    return member.canSteer;
  }

  /** Gives the controller to `to` (the room checks who may ask and that `to` can steer). */
  handOff(to: MemberView): void {
    this.pilot = { id: to.id, joinOrder: to.joinOrder };
  }

  /** The pilot as of the last decision (null before the first one or with nobody). */
  get currentPilot(): string | null {
    return this.pilot?.id ?? null;
  }

  decide({ members }: SteeringContext): Steering {
    let pilot = this.pilot ? members.find((m) => m.id === this.pilot?.id) : undefined;
    if (!pilot) {
      pilot = fallbackPilot(members, this.pilot?.joinOrder ?? -Infinity);
      this.pilot = pilot ? { id: pilot.id, joinOrder: pilot.joinOrder } : null;
    }
    if (!pilot) {
      return {
        action: IDLE_ACTION,
        pilot: null,
        appliedSeq: null,
        idle: true,
        state: { mode: 'solo', pilot: null },
      };
    }
    return {
      action: pilot.keys,
      pilot: pilot.id,
      appliedSeq: pilot.lastSeq >= 0 ? pilot.lastSeq : null,
      // A dropped pilot keeps the seat but drives nothing: that tick is idle.
      idle: !pilot.connected,
      state: { mode: 'solo', pilot: pilot.id },
    };
  }
}

/** The connected host, else the first connected steerer after `afterJoinOrder` (cyclic). */
function fallbackPilot(
  members: readonly MemberView[],
  afterJoinOrder: number,
): MemberView | undefined {
  const candidates = members.filter((m) => m.canSteer && m.connected);
  const host = candidates.find((m) => m.role === 'host');
  if (host) return host;
  return nextInOrder(candidates, afterJoinOrder);
}
