/**
 * What a closed-loop play feeds the engine and the generator alike, tick by tick.
 *
 * The scripted play (60 s): idle stretches, turn-left and turn-right held for 1, 2 and
 * 3 s, forward walks (also turning and sprinting), and one instruction every ~3.5 s that
 * cycles every weather, time, event and character value away from the default start
 * (clear noon, no event, cowboy) and back, plus one biome travel. The random play
 * (model/eval/stability.ts's `randomPlay`): random held actions and random instructions.
 */
import { ActionKey, actionFromKeys, IDLE_ACTION } from '../../engine/actions';
import { EnvironmentState } from '../../engine/engine';
import { INSTRUCTION_SLOTS, Instruction, makeInstruction, Slot } from '../../engine/instructions';
import { ENGINE_FPS } from '../../engine/engine';
import { TickInput } from '../rollouts';
import { randomPlay } from '../stability';

export const SCRIPT_TICKS = 60 * ENGINE_FPS;

/** A held action over steps [from, to): the clip is frames from..to (frame i follows step i - 1). */
export interface Segment {
  keys: readonly ActionKey[];
  from: number;
  to: number;
}

/** [keys, seconds] in play order; [] is idle. */
const SEGMENTS: [ActionKey[], number][] = [
  [[], 2],
  [['turn_left'], 1],
  [[], 2],
  [['turn_right'], 1],
  [[], 2],
  [['forward'], 2],
  [[], 1],
  [['turn_left'], 2],
  [[], 2],
  [['turn_right'], 2],
  [[], 1],
  [['forward'], 3],
  [[], 2],
  [['turn_left'], 3],
  [[], 2],
  [['turn_right'], 3],
  [[], 1],
  [['forward'], 2],
  [['forward', 'turn_left'], 2],
  [[], 2],
  [['forward', 'sprint'], 2],
  [[], 2],
  [['turn_left'], 1],
  [[], 1],
  [['turn_right'], 2],
  [['forward'], 3],
  [[], 3],
  [['turn_left'], 2],
  [['forward'], 2],
  [[], 4],
];

/** The travel target is picked when given: the first biome that is not the one underfoot. */
const TRAVEL = 'travel';

/**
 * [second, slot, value]: every value of the four blended slots once, and one travel.
 * Fog and snow wash out the colours the detectors read: no time or event changes under
 * fog, no event change under snow, and the travel comes under a clear sky and before
 * the flood (a flood covers the ground a biome is seen by; the fire of 8 s still burns
 * then, but its flames stand on the ground and leave it to be seen).
 */
const INSTRUCTIONS: [number, Slot, string][] = [
  [1.0, 'weather', 'rain'],
  [4.5, 'time', 'dusk'],
  [8.0, 'event', 'fire'],
  [11.5, 'weather', 'fog'],
  [15.0, 'character', 'wizard'],
  [18.5, 'weather', 'snow'],
  [22.0, 'time', 'night'],
  [25.5, 'time', 'dawn'],
  [29.0, 'weather', 'clear'],
  [32.5, 'biome', TRAVEL],
  [36.2, 'event', 'flood'],
  [39.5, 'character', 'astronaut'],
  [43.0, 'event', 'tornado'],
  [46.5, 'character', 'guard'],
  [50.0, 'time', 'noon'],
  [53.5, 'event', 'none'],
  [57.0, 'character', 'cowboy'],
];

export type PlayKind = 'scripted' | 'random';

export interface Play {
  kind: PlayKind;
  /** World seed (held out from training, seeds.ts). */
  seed: number;
  ticks: number;
  /** The scripted play's held actions; empty for a random play. */
  segments: readonly Segment[];
  /** Step i's inputs, asked for in order; the environment only picks a travel target. */
  next(step: number, environment: EnvironmentState): TickInput;
}

function scriptSegments(): Segment[] {
  let at = 0;
  return SEGMENTS.map(([keys, seconds]) => {
    const from = at;
    at += Math.round(seconds * ENGINE_FPS);
    return { keys, from, to: at };
  });
}

/**
 * The scripted play on a world seed, cut to `ticks` (quick runs): segments that do not
 * end by then and instructions with less than a second left are dropped.
 */
export function scriptedPlay(seed: number, ticks = SCRIPT_TICKS): Play {
  const segments = scriptSegments().filter((s) => s.to <= ticks);
  const instructions = new Map(
    INSTRUCTIONS.map(([second, slot, value]) => [Math.round(second * ENGINE_FPS), { slot, value }]),
  );
  return {
    kind: 'scripted',
    seed,
    ticks,
    segments,
    next(step, environment) {
      const segment = segments.find((s) => step >= s.from && step < s.to);
      const given = step + ENGINE_FPS <= ticks ? instructions.get(step) : undefined;
      const applied: Instruction[] = [];
      if (given?.value === TRAVEL) {
        const target = INSTRUCTION_SLOTS.biome.find((b) => b !== environment.biome)!;
        applied.push(makeInstruction('biome', target));
      } else if (given) {
        applied.push(makeInstruction(given.slot, given.value));
      }
      return {
        action: segment ? actionFromKeys(segment.keys) : IDLE_ACTION,
        instructions: applied,
      };
    },
  };
}

/** A random play of `ticks` steps; `seed` is the world seed and also seeds the choices. */
export function randomPlayOf(seed: number, ticks: number): Play {
  const inputs = randomPlay(seed);
  return {
    kind: 'random',
    seed,
    ticks,
    segments: [],
    next: () => inputs.next().value,
  };
}
