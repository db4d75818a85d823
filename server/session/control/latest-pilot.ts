/**
 * The simplest policy: the player who sent the most recent input is the pilot, and
 * the world follows the keys that pilot holds. When the pilot leaves, nobody drives
 * (idle) until another player presses something.
 */
import { IDLE_ACTION } from '../../../model/engine/actions';
import { ControlDecision, ControlMember, ControlPolicy } from './policy';

export class LatestPilotPolicy implements ControlPolicy {
  readonly name = 'latest-pilot';
  private pilot: string | null = null;

  onInput(memberId: string): void {
    this.pilot = memberId;
  }

  onLeave(memberId: string): void {
    if (this.pilot === memberId) this.pilot = null;
  }

  decide(members: readonly ControlMember[]): ControlDecision {
    const pilot = members.find((m) => m.id === this.pilot && m.role === 'player');
    if (!pilot) return { action: IDLE_ACTION, pilot: null, appliedSeq: null };
    return { action: pilot.keys, pilot: pilot.id, appliedSeq: pilot.lastSeq };
  }
}
