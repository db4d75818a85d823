/**
 * Player movement: one multi-hot action per tick drives accelerations, so movement has
 * momentum (it eases in and coasts to a stop). The body collides with steep terrain,
 * trees and cacti (it slides along them), swims slowly in water, and can jump.
 * Units: world cells and ticks.
 */
import { ActionBits, isHeld } from './actions';
import { clamp, cos, sin, wrapAngle } from './det-math';
import { surfaceHeight, World, WORLD_SIZE } from './world';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { abs, floor, max, sqrt } = Math;

const ACCEL_PER_TOP_SPEED = 0.3;
const FRICTION = 0.78;
const WALK_SPEED = 0.35;
const SPRINT_SPEED = 0.7;
const SWIM_FACTOR = 0.5;
const TURN_ACCEL = 0.045;
const TURN_SPEED = 0.11;
const TURN_FRICTION = 0.6;
const JUMP_VELOCITY = 0.55;
const GRAVITY = 0.07;
/** Highest rise (in height units) the body can climb within one tick of movement. */
const MAX_CLIMB = 0.45;

export interface PlayerState {
  x: number;
  y: number;
  yaw: number;
  vx: number;
  vy: number;
  yawVelocity: number;
  /** Height above the surface (jumping). */
  lift: number;
  liftVelocity: number;
  /** Distance walked, for the walk animation. */
  stride: number;
}

export interface Motion {
  forward: number;
  right: number;
  yaw: number;
  up: number;
}

/** Forward unit vector for a yaw: yaw 0 looks along -y (north); + yaw turns left. */
export function forwardVector(yaw: number): { fx: number; fy: number } {
  return { fx: -sin(yaw), fy: -cos(yaw) };
}

export function groundLevel(world: World, waterLevel: number, x: number, y: number): number {
  return max(surfaceHeight(world, x, y), waterLevel);
}

export function stepPlayer(
  p: PlayerState,
  action: ActionBits,
  world: World,
  waterLevel: number,
): Motion {
  const startX = p.x;
  const startY = p.y;
  const startYaw = p.yaw;
  const startLift = p.lift;

  const turn = (isHeld(action, 'turn_left') ? 1 : 0) - (isHeld(action, 'turn_right') ? 1 : 0);
  p.yawVelocity = clamp(p.yawVelocity * TURN_FRICTION + turn * TURN_ACCEL, -TURN_SPEED, TURN_SPEED);
  if (abs(p.yawVelocity) < 1e-4) p.yawVelocity = 0;
  p.yaw = wrapAngle(p.yaw + p.yawVelocity);

  const along = (isHeld(action, 'forward') ? 1 : 0) - (isHeld(action, 'back') ? 1 : 0);
  const side = (isHeld(action, 'strafe_right') ? 1 : 0) - (isHeld(action, 'strafe_left') ? 1 : 0);
  const { fx, fy } = forwardVector(p.yaw);
  // Right of forward (fx, fy) is (-fy, fx) in this left-handed map frame.
  const rx = -fy;
  const ry = fx;
  const swimming = surfaceHeight(world, p.x, p.y) < waterLevel;
  const top = (isHeld(action, 'sprint') ? SPRINT_SPEED : WALK_SPEED) * (swimming ? SWIM_FACTOR : 1);
  // Acceleration scales with the top speed so that sprinting actually reaches it.
  const accel = top * ACCEL_PER_TOP_SPEED;
  p.vx = p.vx * FRICTION + accel * (along * fx + side * rx);
  p.vy = p.vy * FRICTION + accel * (along * fy + side * ry);
  const speed = sqrt(p.vx * p.vx + p.vy * p.vy);
  if (speed > top) {
    p.vx *= top / speed;
    p.vy *= top / speed;
  }
  if (speed < 1e-4) {
    p.vx = 0;
    p.vy = 0;
  }
  moveWithCollision(p, world, waterLevel);

  const onGround = p.lift <= 0;
  if (onGround && isHeld(action, 'jump')) p.liftVelocity = JUMP_VELOCITY;
  if (!onGround || p.liftVelocity > 0) {
    p.lift += p.liftVelocity;
    p.liftVelocity -= GRAVITY;
    if (p.lift <= 0) {
      p.lift = 0;
      p.liftVelocity = 0;
    }
  }

  const dx = p.x - startX;
  const dy = p.y - startY;
  p.stride += sqrt(dx * dx + dy * dy);
  // Keep coordinates small on the torus so precision never degrades in long sessions.
  p.x -= WORLD_SIZE * floor(p.x / WORLD_SIZE);
  p.y -= WORLD_SIZE * floor(p.y / WORLD_SIZE);
  return {
    forward: dx * fx + dy * fy,
    right: dx * rx + dy * ry,
    yaw: wrapAngle(p.yaw - startYaw),
    up: p.lift - startLift,
  };
}

/** Moves each axis separately so a blocked body slides along an obstacle. */
function moveWithCollision(p: PlayerState, world: World, waterLevel: number): void {
  const here = groundLevel(world, waterLevel, p.x, p.y);
  if (p.vx !== 0) {
    const nx = p.x + p.vx;
    if (groundLevel(world, waterLevel, nx, p.y) - here <= MAX_CLIMB + p.lift) p.x = nx;
    else p.vx = 0;
  }
  if (p.vy !== 0) {
    const ny = p.y + p.vy;
    if (groundLevel(world, waterLevel, p.x, ny) - here <= MAX_CLIMB + p.lift) p.y = ny;
    else p.vy = 0;
  }
}
