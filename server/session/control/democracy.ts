/**
 * Democracy: the crowd votes, the plurality steers.
 *
 * Windows. Time is cut into windows of `windowTicks` ticks, starting at the first tick
 * this policy decides. At a window's last tick the votes are counted; the winner is
 * applied from that tick on and held through the next window, while its votes are
 * collected. With `windowTicks` = 1 every tick is its own vote and applies at once.
 *
 * A vote is a whole multi-hot action ("forward+turn_left" is one option, distinct from
 * "forward"): the world needs one combination, and counting keys separately could
 * elect a combination nobody asked for. Each voter holds ONE vote per window, which
 * they change by pressing something else: the vote is their latest non-idle input sent
 * during the window, or the keys they still hold at its close. Releasing keys does not
 * withdraw a vote — on a keyboard every tap ends in a release, and a tap in a 3-second
 * window must still count. Voters are connected hosts and players, and spectators when
 * the room lets them vote; a voter who drops out of the window is not counted.
 *
 * Plurality with deterministic ties (see `rankVotes`): most votes; then the action
 * already applied (a tie never makes the world flip-flop); then fewer keys (the more
 * cautious action); then the lower bitmask (the vocabulary's key order).
 *
 * Quorum: a window needs at least max(1, ceil(quorum × eligible voters)) votes.
 * Idle policy: below quorum (no votes at all included) the window's result is
 * IDLE_ACTION, so the world stops instead of repeating an old majority nobody renewed.
 */
import { ActionBits, IDLE_ACTION, VocabularyCodec } from '../../protocol/vocabulary';
import { votesNeeded } from './options';
import { MemberView, Steering, SteeringContext, SteeringPolicy, VoteCount } from './policy';

export interface DemocracyOptions {
  readonly windowTicks: number;
  readonly quorum: number;
}

export class DemocracyPolicy implements SteeringPolicy {
  readonly mode = 'democracy';
  private windowStart: number | null = null;
  private applied: ActionBits = IDLE_ACTION;
  private appliedIsIdle = true;

  constructor(
    private readonly options: DemocracyOptions,
    private readonly vocabulary: VocabularyCodec,
  ) {}

  mayInput(member: MemberView): boolean {
    return member.canVote;
  }

  /** `member`'s vote in the window that began at `windowStart`, or null (no vote). */
  static voteOf(member: MemberView, windowStart: number): ActionBits | null {
    const press = member.lastPress;
    if (!press) return null;
    if (press.tick >= windowStart || member.held !== IDLE_ACTION) return press.action;
    return null;
  }

  decide({ tick, members }: SteeringContext): Steering {
    const start = this.windowStart ?? tick;
    const end = start + this.options.windowTicks - 1;
    const voters = members.filter((m) => m.canVote && m.connected);
    const counts = new Map<ActionBits, number>();
    for (const voter of voters) {
      const vote = DemocracyPolicy.voteOf(voter, start);
      if (vote !== null) counts.set(vote, (counts.get(vote) ?? 0) + 1);
    }
    const tally = rankVotes(counts, this.applied, this.vocabulary);
    const cast = tally.reduce((sum, c) => sum + c.votes, 0);
    const needed = votesNeeded(this.options.quorum, voters.length);
    // A late decide (ticks skipped) closes the overdue window at once.
    const closed = tick >= end;
    if (closed) {
      const winner = cast >= needed ? tally[0] : undefined;
      this.applied = winner?.action ?? IDLE_ACTION;
      this.appliedIsIdle = winner === undefined;
      this.windowStart = tick + 1;
    } else {
      this.windowStart = start;
    }
    return {
      action: this.applied,
      pilot: null,
      appliedSeq: null,
      idle: this.appliedIsIdle,
      state: {
        mode: 'democracy',
        window: { start, end, ticksLeft: Math.max(1, end - tick + 1) },
        tally,
        cast,
        eligible: voters.length,
        needed,
        closed,
        applied: this.applied,
      },
    };
  }
}

/**
 * Vote counts, winner first: more votes; then `applied` (the action in force) wins a
 * tie; then fewer keys; then the lower bitmask. A total order, so the result never
 * depends on arrival order or map iteration.
 */
export function rankVotes(
  counts: ReadonlyMap<ActionBits, number>,
  applied: ActionBits,
  vocabulary: VocabularyCodec,
): VoteCount[] {
  return [...counts.entries()]
    .map(([action, votes]) => ({ action, keys: vocabulary.keysFromAction(action), votes }))
    .sort(
      (a, b) =>
        b.votes - a.votes ||
        Number(b.action === applied) - Number(a.action === applied) ||
        a.keys.length - b.keys.length ||
        a.action - b.action,
    );
}
