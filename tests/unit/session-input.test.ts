import { actionFromKeys, IDLE_ACTION } from '../../model/engine/actions';
import { LatestPilotPolicy } from '../../server/session/control/latest-pilot';
import { HeldKeys } from '../../server/session/held-keys';
import { RateLimiter } from '../../server/session/rate-limiter';

describe('HeldKeys', () => {
  it('applies rising sequence numbers and drops duplicates and reordered messages', () => {
    const keys = new HeldKeys(1000);
    const fwd = actionFromKeys(['forward']);
    expect(keys.update(1, fwd, 0)).toBe(true);
    expect(keys.update(1, IDLE_ACTION, 10)).toBe(false);
    expect(keys.update(0, IDLE_ACTION, 10)).toBe(false);
    expect(keys.current(20)).toBe(fwd);
    expect(keys.lastSeq).toBe(1);
  });

  it('releases keys that are not refreshed in time', () => {
    const keys = new HeldKeys(500);
    keys.update(1, actionFromKeys(['turn_left']), 0);
    expect(keys.current(499)).toBe(actionFromKeys(['turn_left']));
    expect(keys.current(501)).toBe(IDLE_ACTION);
  });
});

describe('RateLimiter', () => {
  it('allows a burst of one second of messages, then refills over time', () => {
    const limiter = new RateLimiter(5, 0);
    const burst = Array.from({ length: 8 }, () => limiter.tryTake(0));
    expect(burst.filter(Boolean)).toHaveLength(5);
    expect(limiter.tryTake(100)).toBe(false);
    expect(limiter.tryTake(250)).toBe(true);
  });
});

describe('LatestPilotPolicy', () => {
  const member = (
    id: string,
    keys: number,
    role: 'player' | 'spectator' = 'player',
    lastSeq = 1,
  ) => ({ id, role, keys, lastSeq });

  it('follows the player who sent the latest input', () => {
    const policy = new LatestPilotPolicy();
    const a = member('a', actionFromKeys(['forward']), 'player', 3);
    const b = member('b', actionFromKeys(['turn_left']), 'player', 7);
    policy.onInput('a');
    expect(policy.decide([a, b])).toEqual({ action: a.keys, pilot: 'a', appliedSeq: 3 });
    policy.onInput('b');
    expect(policy.decide([a, b])).toEqual({ action: b.keys, pilot: 'b', appliedSeq: 7 });
  });

  it('is idle with no pilot, after the pilot leaves, and never follows a spectator', () => {
    const policy = new LatestPilotPolicy();
    expect(policy.decide([])).toEqual({ action: IDLE_ACTION, pilot: null, appliedSeq: null });
    policy.onInput('s');
    expect(policy.decide([member('s', 1, 'spectator')]).pilot).toBeNull();
    policy.onInput('a');
    policy.onLeave('a');
    expect(policy.decide([member('a', 1)]).action).toBe(IDLE_ACTION);
  });
});
