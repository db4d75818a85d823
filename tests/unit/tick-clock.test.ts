import { TickClock } from '../../server/tick/tick-clock';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Fake timers make time exact, so these tests check the logic, never the machine's speed. */
const fakeNow = () => Date.now();
const elapse = (ms: number) => jest.advanceTimersByTimeAsync(ms);

describe('TickClock', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('ticks at its rate without drifting', async () => {
    const began: number[] = [];
    const clock = new TickClock(50, ({ began: at }) => void began.push(at), fakeNow);
    clock.start();
    await elapse(530);
    await clock.stop();
    expect(began).toEqual(Array.from({ length: 27 }, (_, i) => i * 20));
    expect(clock.stats().overruns).toBe(0);
  });

  it('skips and counts the ticks an overrunning handler missed, without catching up', async () => {
    const seen: number[] = [];
    const clock = new TickClock(
      50,
      async ({ tick }) => {
        seen.push(tick);
        if (tick === 2) await sleep(75); // runs from 40 to 115 ms, past ticks 3, 4 and 5 (60, 80, 100)
      },
      fakeNow,
    );
    clock.start();
    await elapse(200);
    await clock.stop();
    // No burst of catch-up ticks: the clock resumes at the next due time (tick 6, 120 ms).
    expect(seen).toEqual([0, 1, 2, 6, 7, 8, 9, 10]);
    expect(clock.stats().overruns).toBe(3);
  });

  it('keeps ticking when a handler throws, and reports the error', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const clock = new TickClock(
      100,
      () => {
        calls++;
        if (calls === 1) throw new Error('boom');
      },
      fakeNow,
    );
    clock.on('error', (e) => errors.push(e));
    clock.start();
    await elapse(55);
    await clock.stop();
    expect(errors).toHaveLength(1);
    expect(calls).toBe(6);
  });

  it('rejects a non-positive rate', () => {
    expect(() => new TickClock(0, () => undefined)).toThrow(/positive/);
  });
});
