/**
 * Instruction schedules. Instructions are dealt from a shuffled deck of every
 * slot=value pair, reshuffled when empty, so over a dataset each pair is used equally
 * often (counts differ by at most one) and every value is covered once the dataset
 * holds as many instructions as there are pairs. Each episode gets a few of them at
 * random ticks, one per window of the episode so they never share a tick.
 */
import { allInstructions, Instruction } from '../engine/instructions';
import { Rng } from './prng';

export interface ScheduledInstruction {
  /** The step (record index, >= 1) at which the instruction is applied. */
  tick: number;
  instruction: Instruction;
}

export interface InstructionsPerEpisode {
  min: number;
  max: number;
}

const DEFAULT_INSTRUCTIONS_PER_EPISODE: InstructionsPerEpisode = { min: 2, max: 4 };

export class InstructionScheduler {
  private readonly rng: Rng;
  private deck: Instruction[] = [];

  constructor(
    seed: number,
    private readonly perEpisode: InstructionsPerEpisode = DEFAULT_INSTRUCTIONS_PER_EPISODE,
  ) {
    this.rng = new Rng(seed);
  }

  /** Instructions for an episode of `steps` steps, in tick order. */
  scheduleEpisode(steps: number): ScheduledInstruction[] {
    const count = Math.min(steps, this.rng.int(this.perEpisode.min, this.perEpisode.max));
    const schedule: ScheduledInstruction[] = [];
    for (let k = 0; k < count; k++) {
      // Window k covers steps [first, last]; windows tile 1..steps without overlap.
      const first = 1 + Math.floor((k * steps) / count);
      const last = Math.floor(((k + 1) * steps) / count);
      schedule.push({ tick: this.rng.int(first, last), instruction: this.deal() });
    }
    return schedule;
  }

  private deal(): Instruction {
    if (this.deck.length === 0) this.deck = this.rng.shuffle(allInstructions());
    return this.deck.pop() as Instruction;
  }
}
