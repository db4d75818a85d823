import {
  formatInstruction,
  readInstruction,
  VocabularyCodec,
  VocabularyError,
} from '../../server/protocol/vocabulary';

/** Another model's words: nothing like the engine's. */
const words = new VocabularyCodec({
  keys: ['walk', 'retreat', 'hop'],
  slots: [
    { name: 'sky', values: ['sunny', 'stormy'] },
    { name: 'mood', values: ['calm', 'tense', 'eerie'] },
  ],
});

describe('VocabularyCodec', () => {
  it('turns keys into bits in vocabulary order and back', () => {
    expect(words.actionFromKeys([])).toBe(0);
    expect(words.actionFromKeys(['walk'])).toBe(1);
    expect(words.actionFromKeys(['hop', 'walk'])).toBe(5);
    expect(words.keysFromAction(6)).toEqual(['retreat', 'hop']);
    expect(words.bit('retreat')).toBe(2);
  });

  it('refuses unknown keys and bits outside the vocabulary, naming what it expected', () => {
    expect(() => words.actionFromKeys(['forward'])).toThrow(
      /unknown action key "forward"; expected one of: walk, retreat, hop/,
    );
    for (const bits of [8, -1, 1.5, NaN]) {
      expect(() => words.assertAction(bits)).toThrow(VocabularyError);
      expect(() => words.keysFromAction(bits)).toThrow(/integer bitmask in \[0, 7\]/);
    }
    expect(() => words.assertAction(7)).not.toThrow();
  });

  it('checks instructions against its slots and values', () => {
    expect(words.instruction('sky', 'stormy')).toEqual({ slot: 'sky', value: 'stormy' });
    expect(() => words.instruction('weather', 'snow')).toThrow(
      /unknown instruction slot "weather"; expected one of: sky, mood/,
    );
    expect(() => words.instruction('sky', 'snow')).toThrow(
      /unknown value "snow" for slot "sky"; expected one of: sunny, stormy/,
    );
  });

  it('parses `slot=value` and start lists; formats them back', () => {
    expect(words.parseInstruction(' mood = eerie ')).toEqual({ slot: 'mood', value: 'eerie' });
    expect(words.parseInstructionList('  sky=sunny\tmood=tense ')).toEqual([
      { slot: 'sky', value: 'sunny' },
      { slot: 'mood', value: 'tense' },
    ]);
    expect(() => words.parseInstruction('sky sunny')).toThrow(/must look like "slot=value"/);
    expect(() => words.parseInstructionList('sky=sunny sky=stormy')).toThrow(
      /slot "sky" is given twice/,
    );
    expect(formatInstruction({ slot: 'mood', value: 'calm' })).toBe('mood=calm');
  });

  it('reads the form of an instruction without a vocabulary (the action log does)', () => {
    expect(readInstruction('weather=hail')).toEqual({ slot: 'weather', value: 'hail' });
    expect(readInstruction('x-1=y_2')).toEqual({ slot: 'x-1', value: 'y_2' });
    expect(() => readInstruction('weather=Hail')).toThrow(VocabularyError);
  });

  it('gives an instruction’s slot index and value index', () => {
    expect(words.indexOf({ slot: 'mood', value: 'eerie' })).toEqual({ slot: 1, value: 2 });
    expect(() => words.indexOf({ slot: 'mood', value: 'happy' })).toThrow(VocabularyError);
  });

  it('refuses a malformed vocabulary', () => {
    const slots = [{ name: 'sky', values: ['sunny'] }];
    for (const keys of [
      [],
      ['Walk'],
      ['walk', 'walk'],
      Array.from({ length: 31 }, (_, i) => `k${i}`),
    ])
      expect(() => new VocabularyCodec({ keys, slots })).toThrow(/malformed vocabulary/);
    expect(
      () =>
        new VocabularyCodec({ keys: ['walk'], slots: [...slots, { name: 'sky', values: ['x'] }] }),
    ).toThrow(/each slot once/);
    expect(
      () => new VocabularyCodec({ keys: ['walk'], slots: [{ name: 'sky', values: [] }] }),
    ).toThrow(VocabularyError);
  });
});
