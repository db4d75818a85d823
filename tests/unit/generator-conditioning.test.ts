import { readFileSync } from 'node:fs';
import path from 'node:path';
import { actionFromKeys } from '../../model/engine/actions';
import { makeInstruction } from '../../model/engine/instructions';
import { ActionHistory, HeldInstructions, Vocabulary } from '../../server/generator/conditioning';
import { Manifest, parseManifest } from '../../server/generator/manifest';

const shipped = JSON.parse(
  readFileSync(path.join(__dirname, '../../model/shipped/manifest.json'), 'utf8'),
) as Manifest;

function rows(held: HeldInstructions, slots: number) {
  const tokens = new BigInt64Array(slots);
  const ages = new Float32Array(slots);
  held.write(tokens, ages, 0);
  return { tokens: [...tokens].map(Number), ages: [...ages] };
}

describe('generator conditioning', () => {
  it('holds an instruction for holdTicks ticks with its age, then returns to none (MANIFEST.md example)', () => {
    const manifest = { ...shipped, instructions: { ...shipped.instructions, holdTicks: 32 } };
    const held = new HeldInstructions(new Vocabulary(manifest));
    const weather = manifest.instructions.slotOrder.indexOf('weather');
    const snow = manifest.instructions.slots.weather.indexOf('snow') + 1;
    held.advance([makeInstruction('weather', 'snow')]); // tick 100
    expect(rows(held, 5).tokens[weather]).toBe(snow);
    expect(rows(held, 5).ages[weather]).toBe(0);
    held.advance([]); // tick 101
    expect(rows(held, 5).ages[weather]).toBe(1);
    for (let t = 102; t <= 131; t++) held.advance([]);
    expect(rows(held, 5)).toEqual({
      tokens: [snow, 0, 0, 0, 0].map((v, i) => (i === weather ? v : 0)),
      ages: [31, 0, 0, 0, 0].map((v, i) => (i === weather ? v : 0)),
    });
    held.advance([]); // tick 132
    expect(rows(held, 5)).toEqual({ tokens: [0, 0, 0, 0, 0], ages: [0, 0, 0, 0, 0] });
  });

  it('replaces a held instruction of the same slot and keeps other slots', () => {
    const held = new HeldInstructions(new Vocabulary(shipped));
    const order = shipped.instructions.slotOrder;
    held.advance([makeInstruction('weather', 'rain'), makeInstruction('time', 'night')]);
    held.advance([]);
    held.advance([makeInstruction('weather', 'fog')]);
    const { tokens, ages } = rows(held, order.length);
    expect(tokens[order.indexOf('weather')]).toBe(
      shipped.instructions.slots.weather.indexOf('fog') + 1,
    );
    expect(ages[order.indexOf('weather')]).toBe(0);
    expect(tokens[order.indexOf('time')]).toBe(
      shipped.instructions.slots.time.indexOf('night') + 1,
    );
    expect(ages[order.indexOf('time')]).toBe(2);
  });

  it('maps actions and instruction values by name when a model orders them its own way', () => {
    const reordered = parseManifest(
      {
        ...shipped,
        actions: { ...shipped.actions, keys: [...shipped.actions.keys].reverse() },
        instructions: {
          ...shipped.instructions,
          slots: { ...shipped.instructions.slots, weather: ['fog', 'snow', 'rain', 'clear'] },
        },
      },
      'reordered',
    );
    const vocabulary = new Vocabulary(reordered);
    const row = new Float32Array(8);
    vocabulary.writeAction(actionFromKeys(['forward', 'sprint']), row);
    const keys = reordered.actions.keys;
    expect([...row]).toEqual(keys.map((k) => (k === 'forward' || k === 'sprint' ? 1 : 0)));
    expect(vocabulary.locate(makeInstruction('weather', 'snow')).token).toBe(2);
  });

  it('keeps the last actions oldest first, this tick’s newest, idle before the first tick', () => {
    const vocabulary = new Vocabulary(shipped);
    const history = new ActionHistory(vocabulary, 4);
    for (const keys of [['turn_left'], [], ['forward', 'sprint']])
      history.advance(actionFromKeys(keys));
    const rows = new Float32Array(4 * vocabulary.actionWidth).fill(-1);
    history.write(rows);
    const row = (...held: string[]) => shipped.actions.keys.map((k) => (held.includes(k) ? 1 : 0));
    expect([...rows]).toEqual([
      ...row(),
      ...row('turn_left'),
      ...row(),
      ...row('forward', 'sprint'),
    ]);
  });
});
