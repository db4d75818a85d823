import { ACTION_KEYS, actionFromKeys, IDLE_ACTION, isHeld } from '../../model/engine/actions';
import { Engine } from '../../model/engine/engine';
import {
  Behaviour,
  BEHAVIOURS,
  BehaviourAgent,
  PlayerPose,
  yawError,
} from '../../model/dataset/agents';

/** A fixed pose track, so agent determinism is tested without an engine. */
const poseAt = (t: number): PlayerPose => ({
  x: 100 + t * 0.3,
  y: 50 - t * 0.1,
  yaw: (t % 60) / 20 - 1.5,
  onGround: t % 7 !== 0,
});

function actionsOn(seed: number, ticks: number): number[] {
  const agent = new BehaviourAgent(seed);
  return Array.from({ length: ticks }, (_, t) => agent.act(poseAt(t)));
}

describe('behaviour agent', () => {
  it('chooses the same actions for the same seed and poses, different ones for another seed', () => {
    expect(actionsOn(5, 500)).toEqual(actionsOn(5, 500));
    expect(actionsOn(6, 500)).not.toEqual(actionsOn(5, 500));
  });

  it('uses every behaviour in long segments, holds every key, and sometimes no key', () => {
    const engine = new Engine({ seed: 2, width: 16, height: 16 });
    const agent = new BehaviourAgent(2);
    const actions: number[] = [];
    const behaviours: Behaviour[] = [];
    for (let t = 0; t < 3000; t++) {
      actions.push(agent.act(engine.player()));
      behaviours.push(agent.behaviour);
      engine.step(actions[t]);
    }
    expect(new Set(behaviours)).toEqual(new Set(BEHAVIOURS));
    for (const key of ACTION_KEYS) expect(actions.some((a) => isHeld(a, key))).toBe(true);
    expect(actions.filter((a) => a === IDLE_ACTION).length).toBeGreaterThan(30);
    const switches = behaviours.filter((b, i) => i > 0 && b !== behaviours[i - 1]).length;
    expect(switches).toBeLessThan(3000 / 10);
  });
});

describe('goal seeking uses the engine yaw convention', () => {
  let engine: Engine;
  beforeAll(() => {
    engine = new Engine({ seed: 9, width: 16, height: 16 });
  });

  /** The player's displacement while holding `keys` for a few ticks from rest, with the yaw at the start. */
  function displacement(keys: string[]): { dx: number; dy: number; yaw: number } {
    for (let t = 0; t < 40; t++) engine.step(IDLE_ACTION); // coast to a stop first
    const start = engine.player();
    for (let t = 0; t < 6; t++) engine.step(actionFromKeys(keys));
    const end = engine.player();
    return { dx: end.x - start.x, dy: end.y - start.y, yaw: start.yaw };
  }

  it('sees no turn needed toward where forward walks', () => {
    const { dx, dy, yaw } = displacement(['forward']);
    expect(Math.hypot(dx, dy)).toBeGreaterThan(0.5);
    expect(Math.abs(yawError(yaw, dx, dy))).toBeLessThan(0.1);
  });

  it('sees a right turn (negative error) toward where strafing right goes', () => {
    const { dx, dy, yaw } = displacement(['strafe_right']);
    expect(Math.hypot(dx, dy)).toBeGreaterThan(0.5);
    expect(yawError(yaw, dx, dy)).toBeCloseTo(-Math.PI / 2, 1);
  });

  it('sees a left turn (positive error) toward where strafing left goes', () => {
    const { dx, dy, yaw } = displacement(['strafe_left']);
    expect(yawError(yaw, dx, dy)).toBeCloseTo(Math.PI / 2, 1);
  });
});
