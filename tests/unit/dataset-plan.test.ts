import { allInstructions, formatInstruction } from '../../model/engine/instructions';
import { chooseHeldout, planEpisodes, planShards } from '../../model/dataset/plan';
import { deriveSeed, Rng } from '../../model/dataset/prng';
import { InstructionScheduler } from '../../model/dataset/schedule';

describe('instruction scheduler', () => {
  it('covers every slot value equally often across a dataset (counts differ by at most one)', () => {
    const scheduler = new InstructionScheduler(5);
    const counts = new Map(allInstructions().map((i) => [formatInstruction(i), 0]));
    for (let e = 0; e < 50; e++) {
      for (const { instruction } of scheduler.scheduleEpisode(160)) {
        const name = formatInstruction(instruction);
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(allInstructions().length);
    const values = [...counts.values()];
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
  });

  it('puts a few instructions per episode on distinct ticks inside the episode', () => {
    const scheduler = new InstructionScheduler(9, { min: 2, max: 4 });
    for (const steps of [1, 3, 10, 160]) {
      const schedule = scheduler.scheduleEpisode(steps);
      const ticks = schedule.map((s) => s.tick);
      expect(schedule.length).toBeGreaterThanOrEqual(Math.min(2, steps));
      expect(schedule.length).toBeLessThanOrEqual(Math.min(4, steps));
      expect(new Set(ticks).size).toBe(ticks.length);
      expect([...ticks].sort((a, b) => a - b)).toEqual(ticks);
      for (const tick of ticks) expect(tick >= 1 && tick <= steps).toBe(true);
    }
  });
});

describe('dataset plan', () => {
  it('is a pure function of the seed, and a prefix plans like the whole', () => {
    const whole = planEpisodes(11, 30, 40);
    expect(planEpisodes(11, 30, 40)).toEqual(whole);
    expect(planEpisodes(11, 12, 40)).toEqual(whole.slice(0, 12));
    expect(planEpisodes(12, 30, 40)).not.toEqual(whole);
  });

  it('gives every episode its own world seed and agent seed', () => {
    const plans = planEpisodes(1, 500, 10);
    expect(new Set(plans.map((p) => p.worldSeed)).size).toBe(500);
    expect(new Set(plans.map((p) => p.agentSeed)).size).toBe(500);
  });

  it('holds out about the requested share, disjoint from train, in separate shard files', () => {
    const heldout = chooseHeldout(3, 200, 0.1);
    expect(heldout.size).toBe(20);
    expect(chooseHeldout(3, 200, 0.1)).toEqual(heldout);
    expect(chooseHeldout(4, 200, 0.1)).not.toEqual(heldout);

    const shards = planShards(200, heldout, 32);
    const train = shards.filter((s) => s.split === 'train').flatMap((s) => s.episodes);
    const held = shards.filter((s) => s.split === 'heldout').flatMap((s) => s.episodes);
    expect(new Set(held)).toEqual(heldout);
    expect(train.some((i) => heldout.has(i))).toBe(false);
    expect([...train, ...held].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, i) => i),
    );
    expect(shards.map((s) => s.file)).toEqual([
      ...['000', '001', '002', '003', '004', '005'].map((k) => `train-${k}.bin`),
      'heldout-000.bin',
    ]);
    for (const shard of shards) expect(shard.episodes.length).toBeLessThanOrEqual(32);
  });

  it('holds out at least one episode for a positive share, never all, and none for 0', () => {
    expect(chooseHeldout(1, 3, 0.1).size).toBe(1);
    expect(chooseHeldout(1, 1, 0.5).size).toBe(0);
    expect(chooseHeldout(1, 50, 0).size).toBe(0);
  });
});

describe('seeded randomness', () => {
  it('repeats exactly for a seed and differs between derived streams', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 8 }, () => rng.int(0, 1000));
    };
    expect(draw(77)).toEqual(draw(77));
    expect(draw(deriveSeed(1, 1, 0))).not.toEqual(draw(deriveSeed(1, 1, 1)));
    expect(draw(deriveSeed(1, 1, 0))).not.toEqual(draw(deriveSeed(1, 2, 0)));
  });

  it('draws integers over the whole inclusive range', () => {
    const rng = new Rng(3);
    const seen = new Set(Array.from({ length: 400 }, () => rng.int(2, 6)));
    expect([...seen].sort()).toEqual([2, 3, 4, 5, 6]);
  });
});
