import { RateLimiter } from '../../server/session/rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst of one second of messages, then refills over time', () => {
    const limiter = new RateLimiter(5, 0);
    const burst = Array.from({ length: 8 }, () => limiter.tryTake(0));
    expect(burst.filter(Boolean)).toHaveLength(5);
    expect(limiter.tryTake(100)).toBe(false);
    expect(limiter.tryTake(250)).toBe(true);
  });
});
