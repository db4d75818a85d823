/**
 * Anarchy: every input counts, every tick. The keys of all hosts and players (what
 * each holds, plus taps since the previous tick) merge into ONE multi-hot action:
 *
 * - Opposite keys form an axis (forward/back, strafe_left/strafe_right,
 *   turn_left/turn_right). The side held by more members wins; a tie cancels both.
 *   So three members pushing forward beat one pulling back, and one troll cannot stop
 *   a crowd (as "OR with opposites cancelling" would let them); but with nobody
 *   opposing, a single member still moves the world — every input counts.
 * - Any other key (jump, sprint, and keys appended later) is a button: pressed when at
 *   least half of the contributors hold it. With one or two contributors that is
 *   "anyone"; in a crowd one member cannot keep the world jumping forever.
 *
 * Contributors are the members holding at least one key this tick; members holding
 * nothing abstain rather than vote "stand still", or a watching crowd would freeze
 * everyone who plays. Each member counts once per key however many inputs they sent.
 *
 * Idle policy: IDLE_ACTION when no member holds any key (`idle` is then true).
 */
import {
  ACTION_KEYS,
  ActionBits,
  ActionKey,
  actionBit,
  IDLE_ACTION,
} from '../../../model/engine/actions';
import { MemberView, Steering, SteeringContext, SteeringPolicy } from './policy';

/** Pairs of opposite keys; the merge counts each pair as one signed axis. */
export const AXES: readonly (readonly [ActionKey, ActionKey])[] = [
  ['forward', 'back'],
  ['strafe_left', 'strafe_right'],
  ['turn_left', 'turn_right'],
];

const ON_AN_AXIS = new Set<ActionKey>(AXES.flat());
const BUTTONS = ACTION_KEYS.filter((key) => !ON_AN_AXIS.has(key));

export interface AnarchyMerge {
  readonly action: ActionBits;
  readonly contributors: number;
  readonly pressed: Partial<Record<ActionKey, number>>;
}

/** Merges many members' multi-hot keys into one action (rules in the module comment). */
export function mergeAnarchy(keysPerMember: readonly ActionBits[]): AnarchyMerge {
  const active = keysPerMember.filter((bits) => bits !== IDLE_ACTION);
  const pressed: Partial<Record<ActionKey, number>> = {};
  for (const key of ACTION_KEYS) {
    const bit = actionBit(key);
    const holders = active.filter((bits) => (bits & bit) !== 0).length;
    if (holders > 0) pressed[key] = holders;
  }
  let action = IDLE_ACTION;
  for (const [a, b] of AXES) {
    const net = (pressed[a] ?? 0) - (pressed[b] ?? 0);
    if (net > 0) action |= actionBit(a);
    if (net < 0) action |= actionBit(b);
  }
  for (const key of BUTTONS) {
    if ((pressed[key] ?? 0) * 2 >= active.length && active.length > 0) action |= actionBit(key);
  }
  return { action, contributors: active.length, pressed };
}

export class AnarchyPolicy implements SteeringPolicy {
  readonly mode = 'anarchy';

  mayInput(member: MemberView): boolean {
    return member.canSteer;
  }

  decide({ members }: SteeringContext): Steering {
    const merge = mergeAnarchy(members.filter((m) => m.canSteer).map((m) => m.keys));
    return {
      action: merge.action,
      pilot: null,
      appliedSeq: null,
      idle: merge.contributors === 0,
      state: { mode: 'anarchy', contributors: merge.contributors, pressed: merge.pressed },
    };
  }
}
