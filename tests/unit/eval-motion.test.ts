/**
 * The controllability measures (model/eval/motion.ts) on engine clips: the signs a
 * turn and a forward walk must give, and no motion for a still view.
 */
import { actionFromKeys, IDLE_ACTION } from '../../model/engine/actions';
import { Engine } from '../../model/engine/engine';
import { forwardClass, forwardFlow, turnClass, turnMotion } from '../../model/eval/motion';

const size = { width: 128, height: 128 };

/** Frames of a clip: the engine's frame, then one per tick holding `keys`. */
function clip(seed: number, keys: string[], ticks = 8): Uint8Array[] {
  const engine = new Engine({ seed, ...size });
  for (let t = 0; t < 4; t++) engine.step(IDLE_ACTION);
  const frames = [engine.render()];
  for (let t = 0; t < ticks; t++) {
    engine.step(keys.length ? actionFromKeys(keys) : IDLE_ACTION);
    frames.push(engine.render());
  }
  return frames;
}

describe('motion measures on engine clips', () => {
  const seed = 11;

  it('reads a left turn as the view sliding right, a right turn as sliding left', () => {
    expect(turnClass(turnMotion(clip(seed, ['turn_left']), size))).toBe('left');
    expect(turnClass(turnMotion(clip(seed, ['turn_right']), size))).toBe('right');
  });

  it('reads walking forward as forward and walking back as back', () => {
    const forward = clip(seed, ['forward']);
    const back = clip(seed, ['back']);
    expect(forwardClass(forwardFlow(forward[0], forward[forward.length - 1], size))).toBe(
      'forward',
    );
    expect(forwardClass(forwardFlow(back[0], back[back.length - 1], size))).toBe('back');
  });

  it('reads a still view as no motion', () => {
    const idle = clip(seed, []);
    expect(turnMotion(idle, size)).toBe(0);
    expect(forwardFlow(idle[0], idle[idle.length - 1], size)).toBe(0);
    expect(turnClass(0)).toBe('none');
    expect(forwardClass(0)).toBe('none');
  });
});
