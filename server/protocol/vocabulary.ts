/**
 * What a world can be told: its action keys and its instruction slots with their
 * values. Each frame source has one (the generator's from its model manifest, the
 * engine's from its constants); wire schemas, control, the action log and the client's
 * controls are built from it, so a model with another key set needs no code change.
 */
import { z } from 'zod';

const WORD = '[a-z][a-z0-9_-]{0,31}';
/** Most keys a vocabulary has: an action's bits stay a small integer. */
export const MAX_KEYS = 30;
const Word = z.string().regex(new RegExp(`^${WORD}$`), 'a lower-case word');

export const Vocabulary = z.object({
  /** Action keys in bit order: bit i of an action is keys[i]. */
  keys: z
    .array(Word)
    .min(1)
    .max(MAX_KEYS)
    .refine((keys) => new Set(keys).size === keys.length, 'each key at most once'),
  /** Instruction slots in contract order, each with its values. */
  slots: z
    .array(
      z.object({
        name: Word,
        values: z
          .array(Word)
          .min(1)
          .max(64)
          .refine((values) => new Set(values).size === values.length, 'each value at most once'),
      }),
    )
    .max(32)
    .refine((slots) => new Set(slots.map((s) => s.name)).size === slots.length, 'each slot once'),
});
export type Vocabulary = z.infer<typeof Vocabulary>;

/** A multi-hot action: bit i set while the vocabulary's keys[i] is held. */
export type ActionBits = number;

/** No key held: a valid action in every vocabulary. */
export const IDLE_ACTION: ActionBits = 0;

/** `slot=value`: one instruction of a vocabulary. */
export interface Instruction {
  readonly slot: string;
  readonly value: string;
}

/** A key, slot or value the vocabulary does not have, or text that is no instruction. */
export class VocabularyError extends Error {
  override readonly name = 'VocabularyError';
}

/** The keys of an action message: known keys only, each at most once. */
export function actionKeysSchema(vocabulary: Vocabulary) {
  const keys = vocabulary.keys as [string, ...string[]];
  return z
    .array(z.enum(keys))
    .max(keys.length)
    .refine((held) => new Set(held).size === held.length, 'each key at most once');
}

/** `slot=value`, as the wire, the tick message and the action log write it. */
export function formatInstruction(instruction: Instruction): string {
  return `${instruction.slot}=${instruction.value}`;
}

const INSTRUCTION_TEXT = new RegExp(`^\\s*(${WORD})\\s*=\\s*(${WORD})\\s*$`);

/** Reads `slot=value` (whitespace around either side ignored) without checking the words. */
export function readInstruction(text: string): Instruction {
  const match = INSTRUCTION_TEXT.exec(text);
  if (!match)
    throw new VocabularyError(
      `instruction must look like "slot=value" (e.g. "weather=snow"); got "${text}"`,
    );
  return { slot: match[1], value: match[2] };
}

/**
 * One vocabulary's codec: keys to action bits and back, instruction text to checked
 * instructions, and an instruction's indices. Built once per frame source; every
 * error names what the vocabulary expected.
 */
export class VocabularyCodec {
  private readonly keyBits = new Map<string, number>();
  private readonly slotIndex = new Map<string, { index: number; values: readonly string[] }>();
  private readonly validMask: number;

  /** Throws VocabularyError when `vocabulary` is malformed (see the Vocabulary schema). */
  constructor(readonly vocabulary: Vocabulary) {
    const parsed = Vocabulary.safeParse(vocabulary);
    if (!parsed.success)
      throw new VocabularyError(`malformed vocabulary: ${z.prettifyError(parsed.error)}`);
    vocabulary.keys.forEach((key, bit) => this.keyBits.set(key, 1 << bit));
    vocabulary.slots.forEach(({ name, values }, index) =>
      this.slotIndex.set(name, { index, values }),
    );
    this.validMask = 2 ** vocabulary.keys.length - 1;
  }

  get keys(): readonly string[] {
    return this.vocabulary.keys;
  }

  /** The bit of one key. */
  bit(key: string): ActionBits {
    const bit = this.keyBits.get(key);
    if (bit === undefined)
      throw new VocabularyError(
        `unknown action key "${key}"; expected one of: ${this.keys.join(', ')}`,
      );
    return bit;
  }

  actionFromKeys(keys: readonly string[]): ActionBits {
    return keys.reduce((bits, key) => bits | this.bit(key), IDLE_ACTION);
  }

  keysFromAction(bits: ActionBits): string[] {
    this.assertAction(bits);
    return this.keys.filter((_, i) => (bits & (1 << i)) !== 0);
  }

  assertAction(bits: number): asserts bits is ActionBits {
    if (!Number.isInteger(bits) || bits < 0 || bits > this.validMask)
      throw new VocabularyError(
        `action must be an integer bitmask in [0, ${this.validMask}] over keys ${this.keys.join(', ')}; got ${bits}`,
      );
  }

  /** Checks a slot/value pair against the vocabulary. */
  instruction(slot: string, value: string): Instruction {
    const known = this.slotIndex.get(slot);
    if (!known)
      throw new VocabularyError(
        `unknown instruction slot "${slot}"; expected one of: ${[...this.slotIndex.keys()].join(', ')}`,
      );
    if (!known.values.includes(value))
      throw new VocabularyError(
        `unknown value "${value}" for slot "${slot}"; expected one of: ${known.values.join(', ')}`,
      );
    return { slot, value };
  }

  /** Whether the slot and its value are this vocabulary's words. */
  has(instruction: Instruction): boolean {
    return this.slotIndex.get(instruction.slot)?.values.includes(instruction.value) ?? false;
  }

  /** Parses and checks `slot=value`. */
  parseInstruction(text: string): Instruction {
    const { slot, value } = readInstruction(text);
    return this.instruction(slot, value);
  }

  /**
   * Parses a start description: `slot=value` pairs separated by whitespace, each slot
   * at most once (e.g. "biome=desert time=dusk").
   */
  parseInstructionList(text: string): Instruction[] {
    const instructions = text
      .trim()
      .split(/\s+/)
      .map((pair) => this.parseInstruction(pair));
    const slots = instructions.map((i) => i.slot);
    const repeated = slots.find((slot, i) => slots.indexOf(slot) !== i);
    if (repeated) throw new VocabularyError(`slot "${repeated}" is given twice in "${text}"`);
    return instructions;
  }

  /** The slot's index in the vocabulary and the value's index within the slot. */
  indexOf(instruction: Instruction): { slot: number; value: number } {
    const { slot, value } = this.instruction(instruction.slot, instruction.value);
    const known = this.slotIndex.get(slot)!;
    return { slot: known.index, value: known.values.indexOf(value) };
  }
}
