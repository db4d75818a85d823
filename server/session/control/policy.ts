/**
 * A control policy turns the members' buffered inputs into ONE effective action per
 * tick. Policies are pure logic over members and inputs: no sockets, media or models.
 */
import { ActionBits } from '../../../model/engine/actions';

export interface ControlMember {
  id: string;
  role: 'player' | 'spectator';
  /** The member's held keys now (idle when stale). */
  keys: ActionBits;
  /** Sequence number of the member's last applied input (-1 when none). */
  lastSeq: number;
}

export interface ControlDecision {
  action: ActionBits;
  /** Whose input drives this tick, if anyone's. */
  pilot: string | null;
  /** The pilot's input sequence number the action reflects. */
  appliedSeq: number | null;
}

export interface ControlPolicy {
  readonly name: string;
  /** Called for every accepted input, in arrival order. */
  onInput(memberId: string): void;
  onLeave(memberId: string): void;
  decide(members: readonly ControlMember[]): ControlDecision;
}
