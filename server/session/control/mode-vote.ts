/**
 * Switching modes by supermajority, as Twitch Plays Pokémon switched between anarchy and
 * democracy at 75%.
 *
 * Every voter holds one changeable mode vote (or none). A mode other than the current
 * one wins when its votes reach `threshold` of the eligible voters (connected voters,
 * see ControlOptions.spectatorsVote): needed = max(1, ceil(threshold × eligible)), so
 * at 75% with 4 voters, 3 votes pass and 2 do not. The denominator is every eligible
 * voter, not only those who voted, so a handful of enthusiasts in a quiet crowd cannot
 * flip the room. A threshold above one half means two modes can never pass at once.
 * Votes for the current mode are kept ("stay") but never switch anything.
 *
 * After any switch (vote or host) all mode votes are cleared: switching back takes a
 * fresh supermajority, which is what stops the room from oscillating.
 * A disconnected voter's vote is kept but not counted until they return.
 */
import { votesNeeded } from './options';
import { CONTROL_MODES, ControlMode } from './policy';

export interface ModeTally {
  readonly current: ControlMode;
  /** Counted votes per mode (connected, eligible voters only). */
  readonly votes: Readonly<Record<ControlMode, number>>;
  readonly eligible: number;
  /** Votes a mode other than `current` needs to take over. */
  readonly needed: number;
  readonly threshold: number;
}

export class ModeVote {
  private readonly votes = new Map<string, ControlMode>();

  constructor(private readonly threshold: number) {}

  /** Sets (or with null withdraws) `memberId`'s vote. */
  set(memberId: string, mode: ControlMode | null): void {
    if (mode === null) this.votes.delete(memberId);
    else this.votes.set(memberId, mode);
  }

  remove(memberId: string): void {
    this.votes.delete(memberId);
  }

  clear(): void {
    this.votes.clear();
  }

  tally(current: ControlMode, eligible: ReadonlySet<string>): ModeTally {
    const votes = Object.fromEntries(CONTROL_MODES.map((m) => [m, 0])) as Record<
      ControlMode,
      number
    >;
    for (const [memberId, mode] of this.votes) if (eligible.has(memberId)) votes[mode] += 1;
    return {
      current,
      votes,
      eligible: eligible.size,
      needed: votesNeeded(this.threshold, eligible.size),
      threshold: this.threshold,
    };
  }

  /** The mode that has reached the supermajority, if any (never the current one). */
  static winner(tally: ModeTally): ControlMode | null {
    if (tally.eligible === 0) return null;
    for (const mode of CONTROL_MODES) {
      if (mode !== tally.current && tally.votes[mode] >= tally.needed) return mode;
    }
    return null;
  }
}
