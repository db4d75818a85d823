/**
 * Gamepads (the Gamepad API, standard mapping) as an input device: the left stick and
 * the d-pad move, the right stick turns, A jumps, B or a stick click sprints.
 */
import type { HeldKeys } from './held-keys';

const DEADZONE = 0.5;
const POLL_MS = 30;

/** Action keys a standard gamepad holds now. */
export function gamepadKeys(pad: Gamepad): string[] {
  const axis = (i: number) => pad.axes[i] ?? 0;
  const button = (i: number) => pad.buttons[i]?.pressed ?? false;
  const keys: string[] = [];
  if (axis(1) < -DEADZONE || button(12)) keys.push('forward');
  if (axis(1) > DEADZONE || button(13)) keys.push('back');
  if (axis(0) < -DEADZONE) keys.push('strafe_left');
  if (axis(0) > DEADZONE) keys.push('strafe_right');
  if (axis(2) < -DEADZONE || button(14)) keys.push('turn_left');
  if (axis(2) > DEADZONE || button(15)) keys.push('turn_right');
  if (button(0)) keys.push('jump');
  if (button(1) || button(10)) keys.push('sprint');
  return keys;
}

export function watchGamepads(held: HeldKeys): void {
  let last = '';
  setInterval(() => {
    const pads = [...(navigator.getGamepads?.() ?? [])].filter((p): p is Gamepad => p !== null);
    const keys = [...new Set(pads.flatMap(gamepadKeys))];
    const now = keys.sort().join();
    if (now === last) return;
    last = now;
    held.set('gamepad', keys);
  }, POLL_MS);
}
