import { actionFromKeys } from '../../model/engine/actions';
import { PlayerState, stepPlayer } from '../../model/engine/player';
import { World, WORLD_SIZE } from '../../model/engine/world';

/** A flat world at height 20 with a wall (height 40) along x >= 110. */
function walledWorld(): World {
  const height = new Float32Array(WORLD_SIZE * WORLD_SIZE).fill(20);
  for (let y = 0; y < WORLD_SIZE; y++)
    for (let x = 110; x < 120; x++) height[y * WORLD_SIZE + x] = 40;
  const empty = { forest: [], desert: [], snowfield: [], grassland: [] };
  return {
    seed: 0,
    height,
    color: new Uint8Array(WORLD_SIZE * WORLD_SIZE * 3),
    biome: new Uint8Array(WORLD_SIZE * WORLD_SIZE),
    landmarks: empty,
  };
}

function body(x: number, y: number, yaw: number): PlayerState {
  return { x, y, yaw, vx: 0, vy: 0, yawVelocity: 0, lift: 0, liftVelocity: 0, stride: 0 };
}

describe('player movement', () => {
  const world = walledWorld();
  const WATER = 0;

  it('is stopped by terrain too steep to climb', () => {
    // yaw -PI/2 faces +x (east), straight at the wall.
    const p = body(100.5, 50.5, -Math.PI / 2);
    for (let t = 0; t < 60; t++) stepPlayer(p, actionFromKeys(['forward', 'sprint']), world, WATER);
    expect(p.x).toBeGreaterThan(108);
    expect(p.x).toBeLessThan(110);
  });

  it('slides along a wall it walks into at an angle', () => {
    const p = body(100.5, 50.5, -Math.PI / 2 - 0.6); // east and a little south
    for (let t = 0; t < 60; t++) stepPlayer(p, actionFromKeys(['forward']), world, WATER);
    expect(p.x).toBeLessThan(110);
    expect(p.y).toBeGreaterThan(60); // kept moving along the wall
  });

  it('swims at half speed in water', () => {
    const land = body(50.5, 50.5, 0);
    const water = body(50.5, 50.5, 0);
    let onLand = 0;
    let inWater = 0;
    for (let t = 0; t < 30; t++) {
      onLand += stepPlayer(land, actionFromKeys(['forward']), world, WATER).forward;
      inWater += stepPlayer(water, actionFromKeys(['forward']), world, 25).forward;
    }
    expect(inWater).toBeCloseTo(onLand / 2, 0);
  });
});
