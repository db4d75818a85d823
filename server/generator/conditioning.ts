/**
 * Turns the server's actions and instructions into the step graph's condition rows
 * (MANIFEST.md, "Each tick"): the multi-hot actions of the last ticks, and per
 * instruction slot the held token and its age. Names are mapped through the manifest's vocabularies, so a model
 * may order keys and values its own way.
 */
import { ACTION_KEYS, ActionBits } from '../../model/engine/actions';
import { Instruction, INSTRUCTION_SLOTS, Slot, SLOT_NAMES } from '../../model/engine/instructions';
import { Manifest } from './manifest';

export class Vocabulary {
  /** Column of each engine action bit in the model's action vector. */
  private readonly keyColumn: number[];
  /** Per engine slot: its column, and the model's token of each engine value. */
  private readonly slotColumn = new Map<Slot, { column: number; tokens: number[] }>();
  readonly actionWidth: number;
  readonly slotCount: number;
  readonly holdTicks: number;

  /** The manifest was checked to contain every engine name (manifest.ts). */
  constructor(manifest: Manifest) {
    this.keyColumn = ACTION_KEYS.map((key) => manifest.actions.keys.indexOf(key));
    for (const slot of SLOT_NAMES) {
      const values = manifest.instructions.slots[slot];
      this.slotColumn.set(slot, {
        column: manifest.instructions.slotOrder.indexOf(slot),
        tokens: INSTRUCTION_SLOTS[slot].map((v: string) => values.indexOf(v) + 1),
      });
    }
    this.actionWidth = manifest.actions.keys.length;
    this.slotCount = manifest.instructions.slotOrder.length;
    this.holdTicks = manifest.instructions.holdTicks;
  }

  /** Writes the multi-hot action into `row` (length actionWidth). */
  writeAction(bits: ActionBits, row: Float32Array): void {
    row.fill(0);
    this.keyColumn.forEach((column, bit) => {
      if (bits & (1 << bit)) row[column] = 1;
    });
  }

  /** The model's (column, token) of an instruction. */
  locate(instruction: Instruction): { column: number; token: number } {
    const slot = this.slotColumn.get(instruction.slot)!;
    const value = (INSTRUCTION_SLOTS[instruction.slot] as readonly string[]).indexOf(
      instruction.value,
    );
    return { column: slot.column, token: slot.tokens[value] };
  }
}

/**
 * One session's held instructions: an applied `slot=value` stays in the condition for
 * `holdTicks` ticks with its age, because the engine blends a change in over many ticks
 * and the model must keep seeing it.
 */
export class HeldInstructions {
  private readonly tokens: number[];
  private readonly ages: number[];

  constructor(private readonly vocabulary: Vocabulary) {
    this.tokens = new Array<number>(vocabulary.slotCount).fill(0);
    this.ages = new Array<number>(vocabulary.slotCount).fill(0);
  }

  /** Advances one tick: held ones age (and expire), then this tick's instructions take hold at age 0. */
  advance(applied: readonly Instruction[]): void {
    for (let s = 0; s < this.tokens.length; s++) {
      if (this.tokens[s] === 0) continue;
      this.ages[s] += 1;
      if (this.ages[s] >= this.vocabulary.holdTicks) {
        this.tokens[s] = 0;
        this.ages[s] = 0;
      }
    }
    for (const instruction of applied) {
      const { column, token } = this.vocabulary.locate(instruction);
      this.tokens[column] = token;
      this.ages[column] = 0;
    }
  }

  write(tokens: BigInt64Array, ages: Float32Array, offset: number): void {
    for (let s = 0; s < this.tokens.length; s++) {
      tokens[offset + s] = BigInt(this.tokens[s]);
      ages[offset + s] = this.ages[s];
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
    private readonly vocabulary: Vocabulary,
    length: number,
  ) {
    this.actions = new Array<ActionBits>(length).fill(0);
  }

  /** Drops the oldest action and appends this tick's. */
  advance(action: ActionBits): void {
    this.actions.shift();
    this.actions.push(action);
  }

  /** Writes `length` multi-hot rows (length × actionWidth) into `rows`. */
  write(rows: Float32Array): void {
    const width = this.vocabulary.actionWidth;
    this.actions.forEach((action, i) =>
      this.vocabulary.writeAction(action, rows.subarray(i * width, (i + 1) * width)),
    );
  }
}
