/**
 * The procedural open-world engine: a deterministic game whose frames train the
 * generator and serve as ground truth beside it. One `step` is one tick: apply the
 * instructions, advance transitions, move the player by the action; `render` draws
 * the current state.
 */
import { ActionBits, assertAction } from './actions';
import { hash3, Rng } from './det-math';
import { DEFAULT_START, Environment, EnvironmentStart, TRAVEL_TICKS } from './environment';
import {
  Biome,
  Character,
  Instruction,
  InstructionError,
  makeInstruction,
  Slot,
  SLOT_NAMES,
  TimeOfDay,
  Weather,
  WorldEvent,
} from './instructions';
import { EVENT_LOOK } from './look';
import { forwardVector, groundLevel, Motion, PlayerState, stepPlayer } from './player';
import { CAMERA_BACK, CAMERA_UP, Renderer, Scene } from './render';
import { biomeAt, generateWorld, SEA_LEVEL, torusDistanceSq, World } from './world';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { max, sqrt } = Math;
const INFINITY = 1 / 0;

export const ENGINE_FPS = 20;
export const DEFAULT_FRAME_SIZE = 128;
const MIN_FRAME_SIZE = 16;
const MAX_FRAME_SIZE = 1024;

export interface EngineOptions {
  seed: number;
  /** Frame width in pixels (default 128). */
  width?: number;
  /** Frame height in pixels (default 128). */
  height?: number;
  /** Starting weather, time, event and character (default clear noon, no event, cowboy). */
  start?: Partial<EnvironmentStart>;
}

export interface EnvironmentState {
  weather: Weather;
  time: TimeOfDay;
  event: WorldEvent;
  character: Character;
  /** The biome under the player. */
  biome: Biome;
}

/** An environment as the instructions that would set it, one per slot. */
export function environmentInstructions(environment: EnvironmentState): Instruction[] {
  return SLOT_NAMES.map((slot) => makeInstruction(slot, environment[slot]));
}

export interface StepLabels {
  /** Player motion this tick in the camera frame (cells; yaw in radians, + = left). */
  motion: Motion;
  /** Which slots an instruction changed at this tick. */
  changed: Record<Slot, boolean>;
}

export class EngineOptionsError extends Error {
  override readonly name = 'EngineOptionsError';
}

export class Engine {
  readonly seed: number;
  readonly width: number;
  readonly height: number;
  private readonly world: World;
  private readonly env: Environment;
  private readonly renderer: Renderer;
  private readonly body: PlayerState;
  private cameraHeight: number;
  private eventOrigin = { x: 0, y: 0, yaw: 0 };
  private ticks = 0;

  constructor(options: EngineOptions) {
    this.seed = checkSeed(options.seed);
    this.width = checkSize('width', options.width ?? DEFAULT_FRAME_SIZE);
    this.height = checkSize('height', options.height ?? DEFAULT_FRAME_SIZE);
    const start = { ...DEFAULT_START, ...options.start };
    for (const slot of ['weather', 'time', 'event', 'character'] as const)
      makeInstruction(slot, start[slot]);
    this.world = generateWorld(this.seed);
    this.env = new Environment(start);
    this.renderer = new Renderer(this.width, this.height);
    const rng = new Rng(hash3(this.seed, 0x51a7, 2));
    const spawn = rng.pick(
      this.world.landmarks.grassland.length
        ? this.world.landmarks.grassland
        : this.world.landmarks.forest,
    );
    this.body = {
      x: spawn.x,
      y: spawn.y,
      yaw: rng.range(-Math.PI, Math.PI),
      vx: 0,
      vy: 0,
      yawVelocity: 0,
      lift: 0,
      liftVelocity: 0,
      stride: 0,
    };
    this.cameraHeight = this.targetCameraHeight();
    // A starting event is placed around the spawn, as if it had just been instructed there.
    this.eventOrigin = { x: spawn.x, y: spawn.y, yaw: this.body.yaw };
  }

  get tick(): number {
    return this.ticks;
  }

  /** Advances one tick. Throws ActionError / InstructionError on malformed input, before any change. */
  step(action: ActionBits, instructions: readonly Instruction[] = []): StepLabels {
    assertAction(action);
    const checked = instructions.map((i) => {
      if (typeof i !== 'object' || i === null)
        throw new InstructionError('instruction must be an object {slot, value}');
      return makeInstruction(i.slot, i.value);
    });
    const changed = Object.fromEntries(SLOT_NAMES.map((s) => [s, false])) as Record<Slot, boolean>;
    for (const instruction of checked) {
      if (this.env.apply(instruction, this.ticks)) changed[instruction.slot] = true;
      if (instruction.slot === 'event')
        this.eventOrigin = { x: this.body.x, y: this.body.y, yaw: this.body.yaw };
    }
    this.env.advance();
    this.advanceTravel();
    const motion = stepPlayer(this.body, action, this.world, this.waterLevel());
    this.cameraHeight += (this.targetCameraHeight() - this.cameraHeight) * 0.5;
    this.ticks++;
    return { motion, changed };
  }

  /** Draws the current state as RGB bytes (width * height * 3), into `out` when given. */
  render(out: Uint8Array = new Uint8Array(this.width * this.height * 3)): Uint8Array {
    if (out.length !== this.width * this.height * 3) {
      throw new EngineOptionsError(
        `render buffer must hold ${this.width * this.height * 3} bytes; got ${out.length}`,
      );
    }
    return this.renderer.render(this.scene(), out);
  }

  environment(): EnvironmentState {
    return {
      weather: this.env.weather.target,
      time: this.env.time.target,
      event: this.env.event.target,
      character: this.env.character.target,
      biome: biomeAt(this.world, this.body.x, this.body.y),
    };
  }

  player() {
    const p = this.body;
    return {
      x: p.x,
      y: p.y,
      height: this.playerGround() + p.lift,
      yaw: p.yaw,
      speed: sqrt(p.vx * p.vx + p.vy * p.vy),
      onGround: p.lift <= 0,
    };
  }

  private scene(): Scene {
    return {
      world: this.world,
      env: this.env,
      player: this.body,
      playerGround: this.playerGround(),
      cameraHeight: this.cameraHeight,
      waterLevel: this.waterLevel(),
      tick: this.ticks,
      eventOrigin: this.eventOrigin,
    };
  }

  private waterLevel(): number {
    return SEA_LEVEL + this.env.event.mix((e) => EVENT_LOOK[e].waterRise);
  }

  private playerGround(): number {
    return groundLevel(this.world, this.waterLevel(), this.body.x, this.body.y);
  }

  /** Above the player, and above any hill or tree between the camera and the player. */
  private targetCameraHeight(): number {
    const { fx, fy } = forwardVector(this.body.yaw);
    let obstacle = -INFINITY;
    for (let back = 1; back <= CAMERA_BACK; back++) {
      const h = groundLevel(
        this.world,
        this.waterLevel(),
        this.body.x - fx * back,
        this.body.y - fy * back,
      );
      obstacle = max(obstacle, h);
    }
    return max(this.playerGround() + CAMERA_UP, obstacle + 1.5);
  }

  /** Biome travel: teleport to the nearest landmark of the target biome at the fade's peak. */
  private advanceTravel(): void {
    if (this.env.travelTicksLeft <= 0 || !this.env.travelTarget) return;
    this.env.travelTicksLeft--;
    if (this.env.travelTicksLeft !== TRAVEL_TICKS / 2) return;
    const candidates = this.world.landmarks[this.env.travelTarget];
    let best = candidates[0];
    let bestDistance = INFINITY;
    for (const c of candidates) {
      // Not the spot the player already stands on, so travel always goes somewhere.
      const d = torusDistanceSq(c.x, c.y, this.body.x, this.body.y);
      if (d > 64 && d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    Object.assign(this.body, { x: best.x, y: best.y, vx: 0, vy: 0, lift: 0, liftVelocity: 0 });
    this.cameraHeight = this.targetCameraHeight();
  }
}

function checkSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new EngineOptionsError(`seed must be an integer in [0, 4294967295]; got ${String(seed)}`);
  }
  return seed;
}

function checkSize(name: string, value: unknown): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < MIN_FRAME_SIZE ||
    value > MAX_FRAME_SIZE
  ) {
    throw new EngineOptionsError(
      `${name} must be an integer in [${MIN_FRAME_SIZE}, ${MAX_FRAME_SIZE}]; got ${String(value)}`,
    );
  }
  return value;
}
