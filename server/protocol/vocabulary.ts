/**
 * What a world can be told: its action keys and its instruction slots with their
 * values. Each frame source has one (the generator's from its model manifest, the
 * engine's from its constants); wire schemas, control and the client's controls are
 * built from it, so a model with another key set needs no code change.
 */
import { z } from 'zod';

const Word = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a lower-case word');

export const Vocabulary = z.object({
  /** Action keys in bit order: bit i of an action is keys[i]. */
  keys: z.array(Word).min(1).max(30),
  /** Instruction slots in contract order, each with its values. */
  slots: z.array(z.object({ name: Word, values: z.array(Word).min(1).max(64) })).max(32),
});
export type Vocabulary = z.infer<typeof Vocabulary>;

/** The keys of an action message: known keys only, each at most once. */
export function actionKeysSchema(vocabulary: Vocabulary) {
  const keys = vocabulary.keys as [string, ...string[]];
  return z
    .array(z.enum(keys))
    .max(keys.length)
    .refine((held) => new Set(held).size === held.length, 'each key at most once');
}

/** `slot=value` for one instruction of the vocabulary. */
export function formatInstructionText(slot: string, value: string): string {
  return `${slot}=${value}`;
}
