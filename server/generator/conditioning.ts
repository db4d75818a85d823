/**
 * Turns the server's actions and instructions into the step graph's condition rows
 * (MANIFEST.md, "Each tick"): the multi-hot actions of the last ticks, and per
 * instruction slot the held token and its age. The session's vocabulary is the model's
 * own (manifest.ts, `vocabularyOf`), so action bit i is the model's key column i, slot
 * index s its instruction column s, and a value's token its index in the slot plus one
 * (0 is "none").
 */
import type { ActionBits, Instruction, VocabularyCodec } from '../protocol/vocabulary';

/** Where an instruction goes in the model's instruction row: its column and its token. */
export function locate(
  vocabulary: VocabularyCodec,
  instruction: Instruction,
): { column: number; token: number } {
  const { slot, value } = vocabulary.indexOf(instruction);
  return { column: slot, token: value + 1 };
}

/** Writes the multi-hot action into `row` (one column per key of the vocabulary). */
function writeAction(bits: ActionBits, row: Float32Array): void {
  for (let column = 0; column < row.length; column++) row[column] = (bits >> column) & 1;
}

/**
 * One session's held instructions: an applied `slot=value` stays in the condition for
 * `holdTicks` ticks with its age, because the engine blends a change in over many ticks
 * and the model must keep seeing it. Format 3 models also see, per held instruction, the
 * value it replaced (its token; 0 where the session never knew the slot's value).
 */
export class HeldInstructions {
  private readonly tokens: number[];
  private readonly ages: number[];
  /** Per slot: the token of the value the picture shows or blends towards (0 = unknown). */
  private readonly current: number[];
  /** Per slot: the token `current` held before the held instruction replaced it. */
  private readonly origins: number[];

  constructor(
    private readonly vocabulary: VocabularyCodec,
    private readonly holdTicks: number,
  ) {
    const slots = vocabulary.vocabulary.slots.length;
    this.tokens = new Array<number>(slots).fill(0);
    this.ages = new Array<number>(slots).fill(0);
    this.current = new Array<number>(slots).fill(0);
    this.origins = new Array<number>(slots).fill(0);
  }

  /**
   * Records what the start frames show (the engine's start of a seed), holding nothing.
   * Values outside the model's vocabulary (a model with words of its own, started from
   * the engine's frame) tell it nothing and are left unknown.
   */
  know(showing: readonly Instruction[]): void {
    for (const instruction of showing.filter((i) => this.vocabulary.has(i))) {
      const { column, token } = locate(this.vocabulary, instruction);
      this.current[column] = token;
    }
  }

  /**
   * Holds instructions the start frame already shows (a session started from text) as if
   * applied a whole hold ago: the first tick sees them at the last age of their hold,
   * where the engine's blend is long over, so the model keeps their look (rain goes on
   * falling) without blending it in a second time; then they expire as any would. (A
   * hold of one tick has no tick to show them: they expire before the first.)
   */
  settle(shown: readonly Instruction[]): void {
    // The first `advance` ages them to holdTicks - 1.
    for (const instruction of shown) this.hold(instruction, Math.max(0, this.holdTicks - 2));
  }

  /** Advances one tick: held ones age (and expire), then this tick's instructions take hold at age 0. */
  advance(applied: readonly Instruction[]): void {
    for (let s = 0; s < this.tokens.length; s++) {
      if (this.tokens[s] === 0) continue;
      this.ages[s] += 1;
      if (this.ages[s] >= this.holdTicks) {
        this.tokens[s] = 0;
        this.ages[s] = 0;
      }
    }
    for (const instruction of applied) this.hold(instruction, 0);
  }

  private hold(instruction: Instruction, age: number): void {
    const { column, token } = locate(this.vocabulary, instruction);
    this.origins[column] = this.current[column];
    this.current[column] = token;
    this.tokens[column] = token;
    this.ages[column] = age;
  }

  /** Writes the held tokens and ages (and, for format 3, what each replaced) at `offset`. */
  write(tokens: BigInt64Array, ages: Float32Array, offset: number, origins?: BigInt64Array): void {
    for (let s = 0; s < this.tokens.length; s++) {
      tokens[offset + s] = BigInt(this.tokens[s]);
      ages[offset + s] = this.ages[s];
      if (origins) origins[offset + s] = BigInt(this.tokens[s] === 0 ? 0 : this.origins[s]);
    }
  }
}

/**
 * One session's last `length` actions, oldest first, the newest being this tick's own.
 * Before the first tick the history is idle (all zeros), as in training. Format 1 models
 * see only the tick's action: a history of one.
 */
export class ActionHistory {
  private readonly actions: ActionBits[];

  constructor(
    private readonly width: number,
    length: number,
  ) {
    this.actions = new Array<ActionBits>(length).fill(0);
  }

  /** Drops the oldest action and appends this tick's. */
  advance(action: ActionBits): void {
    this.actions.shift();
    this.actions.push(action);
  }

  /** Writes `length` multi-hot rows (length × width, one column per key) into `rows`. */
  write(rows: Float32Array): void {
    const width = this.width;
    this.actions.forEach((action, i) =>
      writeAction(action, rows.subarray(i * width, (i + 1) * width)),
    );
  }
}
