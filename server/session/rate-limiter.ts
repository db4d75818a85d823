/**
 * A token bucket per member: `perSecond` messages on average, bursts up to one
 * second's worth. Excess messages are rejected (and reported to the sender), so a
 * flooding client costs the server a few comparisons per message and nothing else.
 */
export class RateLimiter {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = perSecond;
    this.refilledAt = now;
  }

  tryTake(now: number): boolean {
    this.tokens = Math.min(
      this.perSecond,
      this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond,
    );
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
