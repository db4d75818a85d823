/**
 * The closed-loop measures on engine clips: each accepts the engine's own frames and
 * rejects what it is meant to reject (blurred, down-up-sampled, banded, frozen or
 * drifting frames), so a broken measure fails here.
 */
import { actionFromKeys, ActionKey, IDLE_ACTION } from '../../model/engine/actions';
import { Engine } from '../../model/engine/engine';
import { Character } from '../../model/engine/instructions';
import { idleScore } from '../../model/eval/closed-loop/control';
import { ControlCase } from '../../model/eval/closed-loop/cases';
import { CharacterMatcher } from '../../model/eval/closed-loop/character';
import { downUp, drifted, gaussianBlur } from '../../model/eval/closed-loop/degrade';
import { rangeScore } from '../../model/eval/closed-loop/frame-range';
import {
  bandedScore,
  lookScore,
  staticScore,
  Window,
  windows,
} from '../../model/eval/closed-loop/look';
import { PlayRun } from '../../model/eval/closed-loop/play';
import { Track, TrackTools } from '../../model/eval/closed-loop/track';
import { detailSpectrum } from '../../model/metrics/detail';

const size = { width: 128, height: 128 };
const FRAMES = 40;
/** No detector or matcher is asked for here (labels and character are not needed). */
const tools = { size } as TrackTools;

/** An engine clip (frame 0 and one frame per tick) walking and turning, so the view changes. */
function engineClip(seed: number, character: Character = 'cowboy'): Uint8Array[] {
  const engine = new Engine({ seed, ...size, start: { character } });
  const keys: ActionKey[][] = [['forward'], ['turn_left'], ['forward', 'turn_right']];
  const frames = [engine.render()];
  for (let t = 0; t < FRAMES; t++) {
    engine.step(actionFromKeys(keys[Math.floor(t / 14) % keys.length]));
    frames.push(engine.render());
  }
  return frames;
}

function track(frames: readonly Uint8Array[], shift = false): Track {
  const t = new Track(tools);
  for (const frame of frames)
    t.push(frame, { shift, forwardFrom: 0, labels: false, character: false });
  return t;
}

/** Every row replaced by its mean colour: horizontal bands. */
function banded(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length);
  for (let y = 0; y < size.height; y++) {
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let x = 0; x < size.width; x++) sum += frame[(y * size.width + x) * 3 + c];
      for (let x = 0; x < size.width; x++) out[(y * size.width + x) * 3 + c] = sum / size.width;
    }
  }
  return out;
}

describe('closed-loop measures', () => {
  const clip = engineClip(21);
  const engine = track(clip);
  const all: Window[] = windows(1, FRAMES, FRAMES / 2);
  const against = (frames: readonly Uint8Array[]) =>
    all.map((w): [Track, Track, Window] => [track(frames), engine, w]);

  it('the detail spectrum loses its small scales to blur and its horizontal steps to bands', () => {
    const sharp = detailSpectrum(clip[10], size);
    const blurred = detailSpectrum(gaussianBlur(clip[10], size), size);
    expect(blurred[0] / sharp[0]).toBeLessThan(0.7);
    expect(blurred[4] / sharp[4]).toBeGreaterThan(blurred[0] / sharp[0]);
    const bands = detailSpectrum(banded(clip[10]), size);
    expect(bands[0]).toBe(0);
    expect(bands[1]).toBeGreaterThan(0);
  });

  it('look: the engine passes, blurred, down-up-sampled and banded frames fail', () => {
    expect(lookScore(against(clip)).value).toBe(1);
    expect(lookScore(against(clip.map((f) => gaussianBlur(f, size)))).value).toBe(0);
    expect(lookScore(against(clip.map((f) => downUp(f, size)))).value).toBe(0);
    expect(lookScore(against(clip.map(banded))).value).toBe(0);
  });

  it('static: the engine passes, a frozen picture and a blurred one fail', () => {
    expect(staticScore(against(clip)).value).toBe(1);
    expect(staticScore(against(clip.map(() => clip[0]))).value).toBe(0);
    expect(staticScore(against(clip.map((f) => gaussianBlur(f, size)))).value).toBe(0);
  });

  it('banded: the engine passes, horizontal bands fail', () => {
    expect(bandedScore(against(clip)).value).toBe(1);
    expect(bandedScore(against(clip.map(banded))).value).toBe(0);
  });

  it('per-frame range: the engine passes, blurred frames fall out (their detail)', () => {
    expect(rangeScore([[engine, engine, FRAMES]]).value).toBe(1);
    const blurred = rangeScore([[track(clip.map((f) => gaussianBlur(f, size))), engine, FRAMES]]);
    expect(blurred.value).toBeLessThan(0.5);
    expect(blurred.note).toMatch(/x1|y1/);
  });

  it('idle drift: a still engine view passes, one sliding 2 px/s fails', () => {
    const still = new Engine({ seed: 22, ...size });
    const frames = [still.render()];
    for (let t = 0; t < FRAMES; t++) {
      still.step(IDLE_ACTION);
      frames.push(still.render());
    }
    const idle: ControlCase[][] = [[{ kind: 'idle', from: 0, to: FRAMES }]];
    const run = (t: Track) => ({ tracks: { engine: t, model: t } }) as unknown as PlayRun;
    expect(idleScore([run(track(frames, true))], idle, 'model', size).value).toBe(1);
    const sliding = track(
      frames.map((f, i) => drifted(f, size, i)),
      true,
    );
    expect(idleScore([run(sliding)], idle, 'model', size).value).toBe(0);
  });
});

describe('character matcher', () => {
  const matcher = new CharacterMatcher(size);

  it.each(['cowboy', 'astronaut', 'wizard', 'guard'] as const)(
    'finds the %s drawn on engine frames, and not on blurred ones',
    (character) => {
      const frames = engineClip(30, character).filter((_, i) => i % 8 === 0);
      for (const frame of frames) {
        expect(matcher.match(frame)).toMatchObject({ character, visible: true });
        expect(matcher.match(gaussianBlur(frame, size)).visible).toBe(false);
      }
    },
  );

  it('sees no character in a frame without one', () => {
    const frame = engineClip(31)[5];
    const sky = new Uint8Array(frame.length).fill(140);
    expect(matcher.match(sky).visible).toBe(false);
    expect(matcher.match(banded(frame)).visible).toBe(false);
  });
});
