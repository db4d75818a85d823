/**
 * Structured instructions, GameGen-O style: `slot=value` pairs applied at a tick.
 * The order of slots and of values is part of the data contract (instruction tokens
 * are value indices), so append, never reorder.
 */
export const INSTRUCTION_SLOTS = {
  weather: ['clear', 'rain', 'snow', 'fog'],
  time: ['dawn', 'noon', 'dusk', 'night'],
  event: ['none', 'fire', 'tornado', 'flood'],
  character: ['cowboy', 'astronaut', 'wizard', 'guard'],
  biome: ['forest', 'desert', 'snowfield', 'grassland'],
} as const;

export type Slot = keyof typeof INSTRUCTION_SLOTS;
export type SlotValue<S extends Slot> = (typeof INSTRUCTION_SLOTS)[S][number];
export type Weather = SlotValue<'weather'>;
export type TimeOfDay = SlotValue<'time'>;
export type WorldEvent = SlotValue<'event'>;
export type Character = SlotValue<'character'>;
export type Biome = SlotValue<'biome'>;

export const SLOT_NAMES = Object.keys(INSTRUCTION_SLOTS) as Slot[];

export type Instruction = { [S in Slot]: { slot: S; value: SlotValue<S> } }[Slot];

export class InstructionError extends Error {
  override readonly name = 'InstructionError';
}

/** Validates a slot/value pair, with an error that lists what was expected. */
export function makeInstruction(slot: string, value: string): Instruction {
  if (!(slot in INSTRUCTION_SLOTS)) {
    throw new InstructionError(
      `unknown instruction slot "${slot}"; expected one of: ${SLOT_NAMES.join(', ')}`,
    );
  }
  const values: readonly string[] = INSTRUCTION_SLOTS[slot as Slot];
  if (!values.includes(value)) {
    throw new InstructionError(
      `unknown value "${value}" for slot "${slot}"; expected one of: ${values.join(', ')}`,
    );
  }
  return { slot, value } as Instruction;
}

/** Parses `slot=value` (whitespace around either side is ignored). */
export function parseInstruction(text: string): Instruction {
  const match = /^\s*([a-z_]+)\s*=\s*([a-z_]+)\s*$/.exec(text);
  if (!match) {
    throw new InstructionError(
      `instruction must look like "slot=value" (e.g. "weather=snow"); got "${text}"`,
    );
  }
  return makeInstruction(match[1], match[2]);
}

/**
 * Parses a start description: `slot=value` pairs separated by spaces, each slot at most
 * once (e.g. "biome=desert time=dusk character=wizard").
 */
export function parseInstructionList(text: string): Instruction[] {
  const instructions = text.trim().split(/\s+/).map(parseInstruction);
  const slots = instructions.map((i) => i.slot);
  const repeated = slots.find((slot, i) => slots.indexOf(slot) !== i);
  if (repeated) throw new InstructionError(`slot "${repeated}" is given twice in "${text}"`);
  return instructions;
}

export function formatInstruction(instruction: Instruction): string {
  return `${instruction.slot}=${instruction.value}`;
}

/** Token of a value within its slot: its index in INSTRUCTION_SLOTS[slot]. */
export function valueIndex(instruction: Instruction): number {
  return (INSTRUCTION_SLOTS[instruction.slot] as readonly string[]).indexOf(instruction.value);
}

/** Every slot/value pair, in contract order (useful for coverage and schedules). */
export function allInstructions(): Instruction[] {
  return SLOT_NAMES.flatMap((slot) =>
    INSTRUCTION_SLOTS[slot].map((value) => makeInstruction(slot, value)),
  );
}
