/**
 * Instruction state with visible transitions. Each slot keeps a weight per value that
 * moves linearly toward the one-hot of its target, so a change shows as a blend over
 * TRANSITION_TICKS frames instead of a cut. Biome travel is a fade-out, a teleport at
 * the darkest point, and a fade-in.
 */
import {
  Biome,
  Character,
  INSTRUCTION_SLOTS,
  Instruction,
  TimeOfDay,
  Weather,
  WorldEvent,
} from './instructions';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { abs, max, min } = Math;

export const TRANSITION_TICKS = 16;
export const TRAVEL_TICKS = 12;

type BlendedSlot = 'weather' | 'time' | 'event' | 'character';

export class Blend<V extends string> {
  readonly weights: Float64Array;
  private targetIndex: number;

  constructor(
    readonly values: readonly V[],
    initial: V,
  ) {
    this.weights = new Float64Array(values.length);
    this.targetIndex = values.indexOf(initial);
    this.weights[this.targetIndex] = 1;
  }

  get target(): V {
    return this.values[this.targetIndex];
  }

  /** Returns whether the target changed. */
  setTarget(value: V): boolean {
    const index = this.values.indexOf(value);
    if (index === this.targetIndex) return false;
    this.targetIndex = index;
    return true;
  }

  advance(): void {
    const rate = 1 / TRANSITION_TICKS;
    for (let i = 0; i < this.weights.length; i++) {
      const goal = i === this.targetIndex ? 1 : 0;
      const w = this.weights[i];
      this.weights[i] = w < goal ? min(goal, w + rate) : max(goal, w - rate);
    }
  }

  weight(value: V): number {
    return this.weights[this.values.indexOf(value)];
  }

  /** Weighted sum of a per-value quantity. */
  mix(quantity: (value: V) => number): number {
    let sum = 0;
    for (let i = 0; i < this.weights.length; i++) {
      if (this.weights[i] > 0) sum += this.weights[i] * quantity(this.values[i]);
    }
    return sum;
  }
}

export interface EnvironmentStart {
  weather: Weather;
  time: TimeOfDay;
  event: WorldEvent;
  character: Character;
}

export const DEFAULT_START: EnvironmentStart = {
  weather: 'clear',
  time: 'noon',
  event: 'none',
  character: 'cowboy',
};

export class Environment {
  readonly weather: Blend<Weather>;
  readonly time: Blend<TimeOfDay>;
  readonly event: Blend<WorldEvent>;
  readonly character: Blend<Character>;
  /** Ticks left in a biome travel fade (0 when not travelling). */
  travelTicksLeft = 0;
  travelTarget: Biome | null = null;
  /** Tick at which the current event started; event visuals are placed from it. */
  eventStartTick = 0;

  constructor(start: EnvironmentStart = DEFAULT_START) {
    this.weather = new Blend(INSTRUCTION_SLOTS.weather, start.weather);
    this.time = new Blend(INSTRUCTION_SLOTS.time, start.time);
    this.event = new Blend(INSTRUCTION_SLOTS.event, start.event);
    this.character = new Blend(INSTRUCTION_SLOTS.character, start.character);
  }

  private blend(slot: BlendedSlot): Blend<string> {
    return this[slot] as Blend<string>;
  }

  /** Applies one instruction; returns whether it changed anything. */
  apply(instruction: Instruction, tick: number): boolean {
    if (instruction.slot === 'biome') {
      this.travelTarget = instruction.value;
      this.travelTicksLeft = TRAVEL_TICKS;
      return true;
    }
    const changed = this.blend(instruction.slot).setTarget(instruction.value);
    if (changed && instruction.slot === 'event') this.eventStartTick = tick;
    return changed;
  }

  advance(): void {
    this.weather.advance();
    this.time.advance();
    this.event.advance();
    this.character.advance();
  }

  /** The travel fade: 0 (none) rising to 1 at the teleport and back to 0. */
  travelFade(): number {
    if (this.travelTicksLeft <= 0) return 0;
    const half = TRAVEL_TICKS / 2;
    return 1 - abs(this.travelTicksLeft - half) / half;
  }
}
