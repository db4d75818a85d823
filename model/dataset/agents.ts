/**
 * Scripted players that make varied play for the dataset. An agent strings together
 * behaviour segments (a momentum random walk, goal seeking, idling, bursts of turning,
 * hopping, sprinting, strafing), each lasting a random number of ticks, so the data
 * holds every key, key combinations, starts, stops and long straight runs.
 * Agents read only the player's pose, so they work with the engine or any stand-in.
 */
import { ActionBits, ActionKey, actionFromKeys, IDLE_ACTION } from '../engine/actions';
import { atan2, cos, sin, wrapAngle } from '../engine/det-math';
import { WORLD_SIZE } from '../engine/world';
import { Rng } from './prng';

/** What an agent sees each tick (a subset of Engine.player()). */
export interface PlayerPose {
  x: number;
  y: number;
  /** Radians; yaw 0 looks along -y, + turns left. */
  yaw: number;
  onGround: boolean;
}

export const BEHAVIOURS = ['wander', 'seek', 'idle', 'turn', 'hop', 'sprint', 'strafe'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** Chooses this tick's action; it may keep state across ticks of its segment. */
type Controller = (pose: PlayerPose) => ActionBits;

interface BehaviourSpec {
  /** Relative odds of choosing this behaviour for the next segment. */
  weight: number;
  /** Segment length in ticks, inclusive range. */
  ticks: readonly [number, number];
  start(rng: Rng, pose: PlayerPose): Controller;
}

const BEHAVIOUR_SPECS: Record<Behaviour, BehaviourSpec> = {
  wander: { weight: 3, ticks: [20, 70], start: (rng) => momentumWalk(rng, false) },
  seek: { weight: 3, ticks: [30, 90], start: (rng, pose) => seekGoals(rng, pose) },
  idle: { weight: 1, ticks: [4, 24], start: () => () => IDLE_ACTION },
  turn: { weight: 1.5, ticks: [4, 24], start: (rng) => turnBurst(rng) },
  hop: { weight: 1.5, ticks: [12, 40], start: (rng) => hop(rng) },
  sprint: { weight: 2, ticks: [15, 50], start: (rng) => momentumWalk(rng, true) },
  strafe: { weight: 1.5, ticks: [10, 36], start: (rng) => strafe(rng) },
};

const BEHAVIOUR_WEIGHTS = Object.fromEntries(
  BEHAVIOURS.map((b) => [b, BEHAVIOUR_SPECS[b].weight]),
) as Record<Behaviour, number>;

export class BehaviourAgent {
  private readonly rng: Rng;
  private current: Behaviour = 'idle';
  private controller: Controller = () => IDLE_ACTION;
  private ticksLeft = 0;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** The behaviour that chose the latest action. */
  get behaviour(): Behaviour {
    return this.current;
  }

  act(pose: PlayerPose): ActionBits {
    if (this.ticksLeft <= 0) this.startSegment(pose);
    this.ticksLeft--;
    return this.controller(pose);
  }

  private startSegment(pose: PlayerPose): void {
    this.current = this.rng.weighted(BEHAVIOUR_WEIGHTS);
    const spec = BEHAVIOUR_SPECS[this.current];
    this.ticksLeft = this.rng.int(spec.ticks[0], spec.ticks[1]);
    this.controller = spec.start(this.rng, pose);
  }
}

/** Builds an action from optional keys (falsy entries are skipped). */
function keys(...held: (ActionKey | false)[]): ActionBits {
  return actionFromKeys(held.filter((k): k is ActionKey => k !== false));
}

/** -1, 0 or +1 held as a pair of opposite keys. */
function axis(value: number, negative: ActionKey, positive: ActionKey): ActionKey | false {
  return value < 0 ? negative : value > 0 ? positive : false;
}

/**
 * A random walk with momentum: mostly forward, and the turn, strafe and pause states
 * persist for many ticks and flip only now and then, like a person steering.
 */
function momentumWalk(rng: Rng, sprint: boolean): Controller {
  let turn = 0;
  let side = 0;
  let moving = true;
  return () => {
    if (rng.chance(0.08)) turn = rng.chance(0.5) ? 0 : rng.sign();
    if (rng.chance(0.03)) side = rng.chance(0.7) ? 0 : rng.sign();
    // Pauses are short: stopping is rare, resuming is quick.
    if (rng.chance(moving ? 0.015 : 0.1)) moving = !moving;
    const hopNow = rng.chance(0.02);
    return keys(
      moving && 'forward',
      sprint && moving && 'sprint',
      axis(turn, 'turn_right', 'turn_left'),
      axis(side, 'strafe_left', 'strafe_right'),
      hopNow && 'jump',
    );
  };
}

/** Within this yaw error the agent stops turning (turning has momentum; avoids wobble). */
const SEEK_DEADBAND = 0.12;
/** Beyond this yaw error it turns on the spot instead of walking off course. */
const SEEK_WALK_ERROR = 0.7;
const SEEK_ARRIVED = 2.5;

/** Goal seeking: turn toward a target point, walk (or sprint when far) to it, then pick the next. */
function seekGoals(rng: Rng, pose: PlayerPose): Controller {
  let target = pickTarget(rng, pose);
  return (now) => {
    let { dx, dy } = torusDelta(now, target);
    if (length(dx, dy) < SEEK_ARRIVED) {
      target = pickTarget(rng, now);
      ({ dx, dy } = torusDelta(now, target));
    }
    const distance = length(dx, dy);
    const error = yawError(now.yaw, dx, dy);
    const aligned = Math.abs(error) < SEEK_WALK_ERROR;
    return keys(
      error > SEEK_DEADBAND && 'turn_left',
      error < -SEEK_DEADBAND && 'turn_right',
      aligned && 'forward',
      aligned && distance > 25 && 'sprint',
    );
  };
}

function pickTarget(rng: Rng, pose: PlayerPose): { x: number; y: number } {
  const bearing = rng.range(-Math.PI, Math.PI);
  const distance = rng.range(10, 60);
  return { x: pose.x + distance * cos(bearing), y: pose.y + distance * sin(bearing) };
}

/** Math.hypot is not exactly specified; sqrt is, which keeps choices identical everywhere. */
function length(dx: number, dy: number): number {
  return Math.sqrt(dx * dx + dy * dy);
}

/** Shortest displacement to a target on the wrapping world. */
function torusDelta(from: PlayerPose, to: { x: number; y: number }): { dx: number; dy: number } {
  const wrap = (d: number) => d - WORLD_SIZE * Math.round(d / WORLD_SIZE);
  return { dx: wrap(to.x - from.x), dy: wrap(to.y - from.y) };
}

/**
 * Signed turn needed to face the displacement (dx, dy): + means turn left. The engine's
 * forward vector at yaw is (-sin yaw, -cos yaw), so the facing yaw is atan2(-dx, -dy).
 */
export function yawError(yaw: number, dx: number, dy: number): number {
  return wrapAngle(atan2(-dx, -dy) - yaw);
}

/** Turning in place or while walking, now and then reversing. */
function turnBurst(rng: Rng): Controller {
  let direction = rng.sign();
  const walk = rng.chance(0.5);
  return () => {
    if (rng.chance(0.06)) direction = -direction;
    return keys(axis(direction, 'turn_right', 'turn_left'), walk && 'forward');
  };
}

/** Jumps with random gaps, in place or on the move. */
function hop(rng: Rng): Controller {
  const walk = rng.chance(0.7);
  const sprint = walk && rng.chance(0.3);
  let wait = 0;
  return (pose) => {
    const jumpNow = pose.onGround && wait <= 0;
    wait = jumpNow ? rng.int(2, 14) : wait - 1;
    return keys(walk && 'forward', sprint && 'sprint', jumpNow && 'jump');
  };
}

/** Sideways and backward moves, sometimes circling while turning the other way. */
function strafe(rng: Rng): Controller {
  let side = rng.sign();
  const along = rng.pick([-1, 0, 0, 1]);
  const circle = rng.chance(0.4);
  return () => {
    if (rng.chance(0.05)) side = -side;
    return keys(
      axis(side, 'strafe_left', 'strafe_right'),
      axis(along, 'back', 'forward'),
      // Strafing one way while turning the other circles around a point ahead.
      circle && axis(side, 'turn_right', 'turn_left'),
    );
  };
}
