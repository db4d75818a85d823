/** On-screen buttons, one per action key of the vocabulary, for phones and tablets. */
import { h, label } from '../dom';
import type { HeldKeys } from './held-keys';

export function touchControls(held: HeldKeys, keys: readonly string[]): HTMLElement {
  const down = new Set<string>();
  const update = () => held.set('touch', down);
  const buttons = keys.map((key) => {
    const button = h(
      'button',
      { type: 'button', class: `touch-key key-${key}`, 'data-key': key },
      label(key),
    );
    const press = (event: Event) => {
      event.preventDefault();
      button.classList.add('held');
      down.add(key);
      update();
    };
    const release = () => {
      button.classList.remove('held');
      if (down.delete(key)) update();
    };
    button.addEventListener('pointerdown', press);
    for (const end of ['pointerup', 'pointercancel', 'pointerleave'])
      button.addEventListener(end, release);
    button.addEventListener('contextmenu', (e) => e.preventDefault());
    return button;
  });
  return h('div', { class: 'touch-controls', id: 'touch-controls' }, ...buttons);
}
