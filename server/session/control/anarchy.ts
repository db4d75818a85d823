/**
 * Anarchy: every input counts, every tick. The keys of all hosts and players (what
 * each holds, plus taps since the previous tick) merge into ONE multi-hot action:
 *
 * - Opposite keys form an axis (forward/back, strafe_left/strafe_right,
 *   turn_left/turn_right: see `opposites`). The side held by more members wins; a tie
 *   cancels both. So three members pushing forward beat one pulling back, and one troll
 *   cannot stop a crowd (as "OR with opposites cancelling" would let them); but with
 *   nobody opposing, a single member still moves the world — every input counts.
 * - Any other key (jump, sprint, any key of another vocabulary) is a button: pressed
 *   when at least half of the contributors hold it. With one or two contributors that
 *   is "anyone"; in a crowd one member cannot keep the world jumping forever.
 *
 * Contributors are the members holding at least one key this tick; members holding
 * nothing abstain rather than vote "stand still", or a watching crowd would freeze
 * everyone who plays. Each member counts once per key however many inputs they sent.
 *
 * Idle policy: IDLE_ACTION when no member holds any key (`idle` is then true).
 */
import { ActionBits, IDLE_ACTION } from '../../protocol/vocabulary';
import { MemberView, Steering, SteeringContext, SteeringPolicy } from './policy';

/** Words naming opposite directions: `a`/`b`, or `<stem>_a`/`<stem>_b` (strafe_left/strafe_right). */
const OPPOSITE_WORDS: readonly (readonly [string, string])[] = [
  ['forward', 'back'],
  ['forward', 'backward'],
  ['left', 'right'],
  ['up', 'down'],
];

/** A vocabulary's keys as the merge sees them: axes (pairs of key indices) and buttons. */
export interface KeyLayout {
  readonly keys: readonly string[];
  readonly axes: readonly (readonly [number, number])[];
  readonly buttons: readonly number[];
}

/** The pairs of opposite keys among `keys`, by name; every other key is a button. */
export function opposites(keys: readonly string[]): KeyLayout {
  const axes: [number, number][] = [];
  const onAxis = new Set<number>();
  keys.forEach((key, i) => {
    for (const [a, b] of OPPOSITE_WORDS) {
      if (onAxis.has(i) || !(key === a || key.endsWith(`_${a}`))) continue;
      const other = keys.indexOf(key.slice(0, key.length - a.length) + b);
      if (other < 0 || onAxis.has(other)) continue;
      axes.push([i, other]);
      onAxis.add(i).add(other);
    }
  });
  return { keys, axes, buttons: keys.map((_, i) => i).filter((i) => !onAxis.has(i)) };
}

export interface AnarchyMerge {
  readonly action: ActionBits;
  readonly contributors: number;
  /** Holders per key name (keys nobody held are left out). */
  readonly pressed: Record<string, number>;
}

/** Merges many members' multi-hot keys into one action (rules in the module comment). */
export function mergeAnarchy(
  layout: KeyLayout,
  keysPerMember: readonly ActionBits[],
): AnarchyMerge {
  const active = keysPerMember.filter((bits) => bits !== IDLE_ACTION);
  const holders = layout.keys.map(
    (_, i) => active.filter((bits) => (bits & (1 << i)) !== 0).length,
  );
  const pressed: Record<string, number> = {};
  layout.keys.forEach((key, i) => {
    if (holders[i] > 0) pressed[key] = holders[i];
  });
  let action = IDLE_ACTION;
  for (const [a, b] of layout.axes) {
    const net = holders[a] - holders[b];
    if (net > 0) action |= 1 << a;
    if (net < 0) action |= 1 << b;
  }
  for (const i of layout.buttons) {
    if (holders[i] * 2 >= active.length && active.length > 0) action |= 1 << i;
  }
  return { action, contributors: active.length, pressed };
}

export class AnarchyPolicy implements SteeringPolicy {
  readonly mode = 'anarchy';
  private readonly layout: KeyLayout;

  constructor(keys: readonly string[]) {
    this.layout = opposites(keys);
  }

  mayInput(member: MemberView): boolean {
    return member.canSteer;
  }

  decide({ members }: SteeringContext): Steering {
    const merge = mergeAnarchy(
      this.layout,
      members.filter((m) => m.canSteer).map((m) => m.keys),
    );
    return {
      action: merge.action,
      pilot: null,
      appliedSeq: null,
      idle: merge.contributors === 0,
      state: { mode: 'anarchy', contributors: merge.contributors, pressed: merge.pressed },
    };
  }
}
