/** The keyboard as an input device. Typing in a field never steers. */
import type { HeldKeys } from './held-keys';

/** Physical keys for the action keys people expect; other vocabulary keys get digits. */
const DEFAULT_KEYS: Record<string, string[]> = {
  forward: ['KeyW', 'ArrowUp'],
  back: ['KeyS', 'ArrowDown'],
  strafe_left: ['KeyA'],
  strafe_right: ['KeyD'],
  turn_left: ['ArrowLeft', 'KeyQ'],
  turn_right: ['ArrowRight', 'KeyE'],
  jump: ['Space'],
  sprint: ['ShiftLeft', 'ShiftRight'],
};

/** Physical key code -> action key, for a vocabulary. */
export function keyboardMap(keys: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  let digit = 1;
  for (const key of keys) {
    const codes = DEFAULT_KEYS[key] ?? (digit <= 9 ? [`Digit${digit++}`] : []);
    for (const code of codes) map.set(code, key);
  }
  return map;
}

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLElement && target.isContentEditable)
  );
}

export function watchKeyboard(held: HeldKeys, map: Map<string, string>): void {
  const down = new Set<string>();
  const update = () =>
    held.set(
      'keyboard',
      [...down].map((code) => map.get(code)!),
    );
  window.addEventListener('keydown', (event) => {
    if (isTyping(event.target) || !map.has(event.code)) return;
    event.preventDefault();
    if (down.has(event.code)) return;
    down.add(event.code);
    update();
  });
  window.addEventListener('keyup', (event) => {
    if (down.delete(event.code)) update();
  });
  window.addEventListener('blur', () => {
    down.clear();
    update();
  });
}
