/** The closed-loop plays: the script's coverage, its cut for quick runs, and held-out seeds. */
import { actionFromKeys } from '../../model/engine/actions';
import { ENGINE_FPS, EnvironmentState } from '../../model/engine/engine';
import { INSTRUCTION_SLOTS } from '../../model/engine/instructions';
import { controlCases, instructionCases } from '../../model/eval/closed-loop/cases';
import { scriptedPlay, SCRIPT_TICKS } from '../../model/eval/closed-loop/script';
import {
  heldOutSeeds,
  HELD_OUT_SEED_BASE,
  trainingSeeds,
} from '../../model/eval/closed-loop/seeds';
import { TickInput } from '../../model/eval/rollouts';

const environment: EnvironmentState = {
  weather: 'clear',
  time: 'noon',
  event: 'none',
  character: 'cowboy',
  biome: 'desert',
};

function inputs(ticks?: number): TickInput[] {
  const play = scriptedPlay(1, ticks);
  return Array.from({ length: play.ticks }, (_, step) => play.next(step, environment));
}

describe('scripted play', () => {
  it('lasts 60 s and gives every weather, time, event and character value, and a travel', () => {
    const given = instructionCases(inputs()).map(
      (c) => `${c.instruction.slot}=${c.instruction.value}`,
    );
    expect(SCRIPT_TICKS).toBe(60 * ENGINE_FPS);
    for (const slot of ['weather', 'time', 'event', 'character'] as const)
      for (const value of INSTRUCTION_SLOTS[slot]) expect(given).toContain(`${slot}=${value}`);
    // The travel goes to a biome other than the one underfoot.
    expect(given.filter((g) => g.startsWith('biome='))).toEqual(['biome=forest']);
  });

  it('changes events only under clear or rainy skies, and travels under a clear sky and no flood', () => {
    // Fog and snow wash out what the detectors read; a flood covers the ground a biome is seen by.
    const now: Record<string, string> = { weather: 'clear', event: 'none' };
    const judged: string[] = [];
    for (const { instruction } of instructionCases(inputs())) {
      if (instruction.slot === 'event') judged.push(`event under ${now.weather}`);
      if (instruction.slot === 'biome') judged.push(`travel under ${now.weather}, ${now.event}`);
      now[instruction.slot] = instruction.value;
    }
    expect(judged.filter((j) => j.startsWith('event')).length).toBe(INSTRUCTION_SLOTS.event.length);
    for (const j of judged)
      expect(j).toMatch(/^event under (clear|rain)$|^travel under clear, (?!flood)/);
  });

  it('holds each turn for 1, 2 and 3 s, walks forward, and has idle stretches', () => {
    const play = scriptedPlay(1);
    const played = inputs();
    const cases = controlCases(
      play,
      played,
      played.map(() => environment),
    );
    const seconds = (kind: string) =>
      cases.filter((c) => c.kind === kind).map((c) => (c.to - c.from) / ENGINE_FPS);
    for (const kind of ['turn_left', 'turn_right'])
      expect(seconds(kind)).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(seconds('forward').length).toBeGreaterThanOrEqual(4);
    expect(seconds('idle').length).toBeGreaterThanOrEqual(6);
    const held = inputs().map((i) => i.action);
    expect(held).toContain(actionFromKeys(['turn_left']));
  });

  it('cut short, keeps only what fits: whole segments, instructions with a second left', () => {
    const cut = scriptedPlay(1, 200);
    expect(cut.segments.every((s) => s.to <= 200)).toBe(true);
    expect(instructionCases(inputs(200)).every((c) => c.step + ENGINE_FPS <= 200)).toBe(true);
  });
});

describe('held-out seeds', () => {
  it('come from their own block and are refused when a training episode used one', () => {
    expect(heldOutSeeds(3, [])).toEqual([1, 2, 3].map((i) => HELD_OUT_SEED_BASE + i));
    expect(() => heldOutSeeds(3, [HELD_OUT_SEED_BASE + 2])).toThrow(/training episodes/);
  });

  it('are checked against the dataset a model manifest names (regenerated from its plan)', () => {
    const seeds = trainingSeeds({ dataset: { seed: 1, episodes: 200, steps: 160 } });
    expect(seeds).toHaveLength(200);
    expect(() => heldOutSeeds(6, seeds)).not.toThrow();
    expect(trainingSeeds(undefined)).toEqual([]);
  });
});
