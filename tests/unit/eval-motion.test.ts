/**
 * The controllability measures (model/eval/motion.ts) on engine clips: the signs a
 * turn and a forward walk must give, no motion for a still view, and a character that
 * stays put at the camera's follow point over a turning view does not hold the
 * measured turn back.
 */
import { actionFromKeys, ActionKey, IDLE_ACTION } from '../../model/engine/actions';
import { Engine } from '../../model/engine/engine';
import { gaussianBlur } from '../../model/eval/closed-loop/degrade';
import { Track, TrackTools } from '../../model/eval/closed-loop/track';
import { MAGNITUDE } from '../../model/eval/closed-loop/control';
import { forwardClass, forwardFlow, turnClass, turnMotion } from '../../model/eval/motion';

const size = { width: 128, height: 128 };

/** Frames of a clip: the engine's frame, then one per tick holding `keys`. */
function clip(seed: number, keys: ActionKey[], ticks = 8): Uint8Array[] {
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

describe('a still character over a turning view', () => {
  // A generator's turn as the 0.3.0 candidate drew it: the scene blurred to a haze that
  // slides with the turn, the character crisp and unmoved at the follow point (here the
  // engine's own character and its surroundings from the clip's first frame).
  const turn = clip(11, ['turn_left'], 12);
  const patch = { top: 56, bottom: 100, left: 52, right: 76 };
  const haze = turn.map((frame) => {
    const out = gaussianBlur(frame, size, 3);
    for (let y = patch.top; y < patch.bottom; y++) {
      const row = (y * size.width + patch.left) * 3;
      out.set(turn[0].subarray(row, row + (patch.right - patch.left) * 3), row);
    }
    return out;
  });
  const within = (value: number, reference: number) =>
    Math.sign(value) === Math.sign(reference) &&
    Math.abs(value - reference) <= MAGNITUDE * Math.abs(reference);

  it("reads as the view's turn, within the control figure's margin of the engine's", () => {
    const engine = turnMotion(turn, size);
    expect(turnClass(engine)).toBe('left');
    expect(within(turnMotion(haze, size), engine)).toBe(true);
  });

  it('reads so in the closed-loop track too', () => {
    const track = new Track({ size } as TrackTools);
    const needs = { shift: true, forwardFrom: 0, labels: false, character: false };
    for (const frame of haze) track.push(frame, needs);
    const slid = [...track.shift.values()].reduce((sum, s) => sum + s, 0);
    expect(within(slid, turnMotion(turn, size))).toBe(true);
  });
});
