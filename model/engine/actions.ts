/**
 * Operation signals: one multi-hot keyboard action per tick, packed as a bitmask.
 * Bit i is set when ACTION_KEYS[i] is held. Idle (no key) is the value 0 and is a
 * valid action. New keys are appended, never reordered, so recorded data stays valid.
 */
export const ACTION_KEYS = [
  'forward',
  'back',
  'strafe_left',
  'strafe_right',
  'turn_left',
  'turn_right',
  'jump',
  'sprint',
] as const;

export type ActionKey = (typeof ACTION_KEYS)[number];

/** A multi-hot action: bit i set when ACTION_KEYS[i] is held. */
export type ActionBits = number;

export const IDLE_ACTION: ActionBits = 0;

/** Bits that are not assigned to any key; an action using them is malformed. */
const VALID_MASK = (1 << ACTION_KEYS.length) - 1;

export class ActionError extends Error {
  override readonly name = 'ActionError';
}

export function actionBit(key: ActionKey): ActionBits {
  return 1 << ACTION_KEYS.indexOf(key);
}

export function actionFromKeys(keys: readonly string[]): ActionBits {
  let bits = 0;
  for (const key of keys) {
    const index = ACTION_KEYS.indexOf(key as ActionKey);
    if (index < 0) {
      throw new ActionError(
        `unknown action key "${key}"; expected one of: ${ACTION_KEYS.join(', ')}`,
      );
    }
    bits |= 1 << index;
  }
  return bits;
}

export function isHeld(bits: ActionBits, key: ActionKey): boolean {
  return (bits & actionBit(key)) !== 0;
}

export function assertAction(bits: number): asserts bits is ActionBits {
  if (!Number.isInteger(bits) || bits < 0 || (bits & ~VALID_MASK) !== 0) {
    throw new ActionError(
      `action must be an integer bitmask in [0, ${VALID_MASK}] over keys ${ACTION_KEYS.join(', ')}; got ${bits}`,
    );
  }
}
