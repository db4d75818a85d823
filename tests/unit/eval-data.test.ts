/** Context selection and label settling (model/eval/data.ts) on hand-made episodes. */
import { EpisodeInfo, inJourney, isSettled, selectStarts, spread } from '../../model/eval/data';

function episode(records: number, instructions: { step: number; slot: string }[]): EpisodeInfo {
  return {
    index: 0,
    split: 'heldout',
    seed: 1,
    agentSeed: 2,
    steps: records - 1,
    records,
    shard: 'heldout-000.bin',
    offset: 0,
    start: {},
    instructions: instructions.map((i) => ({ ...i, value: 'x' })),
  };
}

describe('selectStarts', () => {
  const options = { context: 4, span: 16, holdTicks: 32, count: 3 };

  it('keeps the context and the predicted span inside the episode', () => {
    const starts = selectStarts(episode(161, []), options);
    expect(starts).toHaveLength(3);
    for (const s of starts) {
      expect(s.step).toBeGreaterThanOrEqual(4);
      expect(s.step + 16).toBeLessThanOrEqual(161);
      expect(s.exact).toBe(true);
    }
  });

  it('is exact only when no instruction was applied in the holdTicks - 1 records before', () => {
    // An instruction at 50 is still held at 81 (age 31) and gone at 82.
    const starts = selectStarts(episode(100, [{ step: 50, slot: 'weather' }]), {
      ...options,
      span: 1,
      count: 200,
    });
    const exact = new Map(starts.map((s) => [s.step, s.exact]));
    expect(exact.get(50)).toBe(true);
    expect(exact.get(51)).toBe(false);
    expect(exact.get(81)).toBe(false);
    expect(exact.get(82)).toBe(true);
  });

  it('prefers exact starts and fills up with approximate ones', () => {
    const busy = episode(41, [
      { step: 5, slot: 'weather' },
      { step: 15, slot: 'time' },
    ]);
    const starts = selectStarts(busy, { ...options, count: 4 });
    expect(starts.filter((s) => s.exact).map((s) => s.step)).toEqual([4, 5]);
    expect(starts).toHaveLength(4);
  });
});

describe('settled labels', () => {
  const ep = episode(100, [
    { step: 10, slot: 'weather' },
    { step: 40, slot: 'biome' },
  ]);

  it('waits out a transition of the same slot only', () => {
    expect(isSettled(ep, 9, 'weather')).toBe(true);
    expect(isSettled(ep, 10, 'weather')).toBe(false);
    expect(isSettled(ep, 25, 'weather')).toBe(false);
    expect(isSettled(ep, 26, 'weather')).toBe(true);
    expect(isSettled(ep, 12, 'time')).toBe(true);
  });

  it('treats a biome journey as unsettled for every slot', () => {
    expect(inJourney(ep, 39)).toBe(false);
    expect(inJourney(ep, 40)).toBe(true);
    expect(inJourney(ep, 52)).toBe(true);
    expect(inJourney(ep, 53)).toBe(false);
    expect(isSettled(ep, 45, 'time')).toBe(false);
  });
});

describe('spread', () => {
  it('picks evenly, or everything when there are fewer', () => {
    expect(spread([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2)).toEqual([2, 7]);
    expect(spread([1, 2], 5)).toEqual([1, 2]);
  });
});
