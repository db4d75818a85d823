import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ActionHistory, HeldInstructions, locate } from '../../server/generator/conditioning';
import { Manifest, parseManifest, vocabularyOf } from '../../server/generator/manifest';
import { VocabularyCodec } from '../../server/protocol/vocabulary';

const shipped = JSON.parse(
  readFileSync(path.join(__dirname, '../../model/shipped/manifest.json'), 'utf8'),
) as Manifest;

const wordsOf = (manifest: Manifest) => new VocabularyCodec(vocabularyOf(manifest));
const words = wordsOf(shipped);
const instruction = (text: string) => words.parseInstruction(text);

function rows(held: HeldInstructions, slots: number) {
  const tokens = new BigInt64Array(slots);
  const ages = new Float32Array(slots);
  held.write(tokens, ages, 0);
  return { tokens: [...tokens].map(Number), ages: [...ages] };
}

describe('generator conditioning', () => {
  it('holds an instruction for holdTicks ticks with its age, then returns to none (MANIFEST.md example)', () => {
    const held = new HeldInstructions(words, 32);
    const weather = shipped.instructions.slotOrder.indexOf('weather');
    const snow = shipped.instructions.slots.weather.indexOf('snow') + 1;
    held.advance([instruction('weather=snow')]); // tick 100
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

  it('holds settled instructions (a text start) for one tick at the last age of a hold', () => {
    const held = new HeldInstructions(words, 32);
    const order = shipped.instructions.slotOrder;
    const snow = shipped.instructions.slots.weather.indexOf('snow') + 1;
    held.settle([instruction('weather=snow')]);
    held.advance([]); // the session's first tick
    const first = rows(held, order.length);
    expect(first.tokens[order.indexOf('weather')]).toBe(snow);
    expect(first.ages[order.indexOf('weather')]).toBe(31);
    expect(first.tokens.filter((t) => t !== 0)).toHaveLength(1);
    held.advance([]);
    expect(rows(held, order.length).tokens).toEqual(order.map(() => 0));
  });

  it('replaces a held instruction of the same slot and keeps other slots', () => {
    const held = new HeldInstructions(words, shipped.instructions.holdTicks);
    const order = shipped.instructions.slotOrder;
    held.advance([instruction('weather=rain'), instruction('time=night')]);
    held.advance([]);
    held.advance([instruction('weather=fog')]);
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

  it('gives each held instruction the value it replaced: known from the start or an earlier one, else 0', () => {
    const held = new HeldInstructions(words, 4);
    const order = shipped.instructions.slotOrder;
    const token = (slot: 'weather' | 'time', value: string) =>
      shipped.instructions.slots[slot].indexOf(value) + 1;
    const origins = () => {
      const from = new BigInt64Array(order.length);
      held.write(new BigInt64Array(order.length), new Float32Array(order.length), 0, from);
      return {
        weather: Number(from[order.indexOf('weather')]),
        time: Number(from[order.indexOf('time')]),
      };
    };
    // The start frame shows clear weather, time unknown; words the model lacks tell it nothing.
    held.know([instruction('weather=clear'), { slot: 'sky', value: 'grey' }]);
    held.advance([instruction('weather=rain'), instruction('time=night')]);
    expect(origins()).toEqual({ weather: token('weather', 'clear'), time: 0 });
    held.advance([instruction('weather=snow')]);
    expect(origins()).toEqual({ weather: token('weather', 'rain'), time: 0 });
    for (let t = 0; t < 4; t++) held.advance([]); // both holds expire: nothing held, nothing replaced
    expect(origins()).toEqual({ weather: 0, time: 0 });
    held.advance([instruction('time=dawn')]); // the value it replaces outlives the hold
    expect(origins()).toEqual({ weather: 0, time: token('time', 'night') });
  });

  it('speaks the model’s own order: bit i is its key column i, a value’s token its index + 1', () => {
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
    const own = wordsOf(reordered);
    const history = new ActionHistory(8, 1);
    history.advance(own.actionFromKeys(['forward', 'sprint']));
    const row = new Float32Array(8);
    history.write(row);
    const keys = reordered.actions.keys;
    expect([...row]).toEqual(keys.map((k) => (k === 'forward' || k === 'sprint' ? 1 : 0)));
    expect(locate(own, own.parseInstruction('weather=snow'))).toEqual({
      column: reordered.instructions.slotOrder.indexOf('weather'),
      token: 2,
    });
  });

  it('keeps the last actions oldest first, this tick’s newest, idle before the first tick', () => {
    const width = shipped.actions.keys.length;
    const history = new ActionHistory(width, 4);
    for (const keys of [['turn_left'], [], ['forward', 'sprint']])
      history.advance(words.actionFromKeys(keys));
    const rows = new Float32Array(4 * width).fill(-1);
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
