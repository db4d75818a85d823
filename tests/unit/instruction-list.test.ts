import { InstructionError, parseInstructionList } from '../../model/engine/instructions';

describe('parseInstructionList (a session started from text)', () => {
  it('reads space-separated slot=value pairs in order', () => {
    expect(parseInstructionList('  biome=desert time=dusk\tcharacter=wizard ')).toEqual([
      { slot: 'biome', value: 'desert' },
      { slot: 'time', value: 'dusk' },
      { slot: 'character', value: 'wizard' },
    ]);
  });

  it('refuses unknown values, malformed pairs and a slot given twice, naming the problem', () => {
    expect(() => parseInstructionList('biome=moon')).toThrow(
      /unknown value "moon" for slot "biome"/,
    );
    expect(() => parseInstructionList('biome desert')).toThrow(InstructionError);
    expect(() => parseInstructionList('time=dusk time=night')).toThrow(
      /slot "time" is given twice/,
    );
  });
});
