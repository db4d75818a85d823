import {
  ControlOptionsError,
  DEFAULT_CONTROL_OPTIONS,
  resolveControlOptions,
  ticksFromSeconds,
  votesNeeded,
} from '../../server/session/control/options';
import { ControlRoom } from '../../server/session/control/room';
import { engineVocabulary } from '../helpers/vocabulary';

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ControlOptionsError) return error.problems;
    throw error;
  }
  throw new Error('expected a ControlOptionsError');
}

describe('control options', () => {
  it('fills defaults and keeps nested defaults next to an override', () => {
    const options = resolveControlOptions({ roundRobin: { turnTicks: 60 } });
    expect(options.roundRobin).toEqual({ turnTicks: 60, awayTicks: 200 });
    expect(options.modeVote.threshold).toBe(0.75);
    expect(resolveControlOptions()).toEqual(DEFAULT_CONTROL_OPTIONS);
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['a negative', -5],
    ['zero', 0],
    ['a fraction', 2.5],
  ])('rejects %s turn length, naming the field and the value', (_, turnTicks) => {
    const problems = problemsOf(() => resolveControlOptions({ roundRobin: { turnTicks } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('roundRobin.turnTicks');
    expect(problems[0]).toContain(String(turnTicks));
  });

  it('lists every problem at once', () => {
    const problems = problemsOf(() =>
      resolveControlOptions({
        staleTicks: -1,
        democracy: { windowTicks: NaN, quorum: 1.5 },
        modeVote: { threshold: Infinity },
        instructions: { windowTicks: 0, maxPending: -3 },
      }),
    );
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'staleTicks',
      'democracy.windowTicks',
      'democracy.quorum',
      'modeVote.threshold',
      'instructions.windowTicks',
      'instructions.maxPending',
    ]);
  });

  it('accepts a mode threshold in (0.5, 1] only', () => {
    expect(problemsOf(() => resolveControlOptions({ modeVote: { threshold: 0.5 } }))[0]).toMatch(
      /above half/,
    );
    expect(resolveControlOptions({ modeVote: { threshold: 1 } }).modeVote.threshold).toBe(1);
    expect(resolveControlOptions({ modeVote: { threshold: 0.51 } }).modeVote.threshold).toBe(0.51);
  });

  it('accepts a quorum in [0, 1] and rejects a negative one', () => {
    expect(resolveControlOptions({ democracy: { quorum: 0 } }).democracy.quorum).toBe(0);
    expect(resolveControlOptions({ democracy: { quorum: 1 } }).democracy.quorum).toBe(1);
    expect(problemsOf(() => resolveControlOptions({ democracy: { quorum: -0.1 } }))[0]).toContain(
      'democracy.quorum',
    );
  });

  it('rejects unknown modes, rules and non-boolean flags (values from JSON config)', () => {
    const problems = problemsOf(() =>
      resolveControlOptions(
        JSON.parse(
          '{"mode":"chaos","spectatorsVote":"yes","instructions":{"rule":"king"}}',
        ) as object,
      ),
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('"chaos"');
    expect(problems[1]).toContain('spectatorsVote');
    expect(problems[2]).toContain('"king"');
  });

  it('ControlRoom validates its options and its start tick', () => {
    expect(() => new ControlRoom(engineVocabulary, { democracy: { windowTicks: -1 } })).toThrow(
      ControlOptionsError,
    );
    expect(() => new ControlRoom(engineVocabulary, {}, NaN)).toThrow(RangeError);
    expect(() => new ControlRoom(engineVocabulary, {}, -1)).toThrow(RangeError);
    expect(new ControlRoom(engineVocabulary, { mode: 'anarchy' }, 10).mode).toBe('anarchy');
  });

  it('converts seconds to ticks, at least one, and rejects nonsense', () => {
    expect(ticksFromSeconds(1.5, 20)).toBe(30);
    expect(ticksFromSeconds(0.001, 20)).toBe(1);
    expect(() => ticksFromSeconds(NaN, 20)).toThrow(RangeError);
    expect(() => ticksFromSeconds(0, 20)).toThrow(RangeError);
    expect(() => ticksFromSeconds(1, -20)).toThrow(RangeError);
    expect(() => ticksFromSeconds(1, Infinity)).toThrow(RangeError);
  });

  it('counts needed votes as ceil(share × voters), never below one, exact shares passing', () => {
    expect(votesNeeded(0.75, 4)).toBe(3);
    expect(votesNeeded(0.76, 4)).toBe(4);
    expect(votesNeeded(0.55, 100)).toBe(55); // 0.55 * 100 is 55.00000000000001
    expect(votesNeeded(0, 10)).toBe(1);
    expect(votesNeeded(0.75, 0)).toBe(1);
  });
});
