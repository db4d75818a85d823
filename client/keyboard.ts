/**
 * Keyboard to held action keys. The whole held set is sent when it changes and
 * refreshed while anything is held (the server releases keys it stops hearing about).
 */
const KEY_MAP: Record<string, string> = {
  KeyW: 'forward',
  ArrowUp: 'forward',
  KeyS: 'back',
  ArrowDown: 'back',
  KeyA: 'strafe_left',
  KeyD: 'strafe_right',
  ArrowLeft: 'turn_left',
  KeyQ: 'turn_left',
  ArrowRight: 'turn_right',
  KeyE: 'turn_right',
  Space: 'jump',
  ShiftLeft: 'sprint',
  ShiftRight: 'sprint',
};
const REFRESH_MS = 250;

export function watchKeyboard(target: HTMLElement | Window, send: (keys: string[]) => void): void {
  const held = new Set<string>();
  const flush = () => send([...held]);
  const change = (code: string, down: boolean) => {
    const key = KEY_MAP[code];
    if (!key || held.has(key) === down) return;
    if (down) held.add(key);
    else held.delete(key);
    flush();
  };
  target.addEventListener('keydown', (e) => {
    const event = e as KeyboardEvent;
    if (event.target instanceof HTMLInputElement) return;
    if (KEY_MAP[event.code]) event.preventDefault();
    change(event.code, true);
  });
  target.addEventListener('keyup', (e) => change((e as KeyboardEvent).code, false));
  window.addEventListener('blur', () => {
    held.clear();
    flush();
  });
  setInterval(() => held.size > 0 && flush(), REFRESH_MS);
}
