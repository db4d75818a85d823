/**
 * Session capacity: how many sessions fit the tick budget, from a step time; measured on
 * the real engine source, or taken as configured; never above MAX_SESSIONS.
 */
import { capacityOf, sessionsWithin, TICK_BUDGET_SHARE } from '../../server/fleet/capacity';
import { EngineFrameSource } from '../../server/generator/engine-source';

it('fits the budgeted share of a tick over each session step plus its media', () => {
  // 20 Hz: 50 ms a tick, 35 budgeted.
  expect(sessionsWithin(20, 12, 4)).toEqual({ sessions: 2, budgetMs: 50 * TICK_BUDGET_SHARE });
  expect(sessionsWithin(20, 1, 4).sessions).toBe(7);
  // A source slower than the whole budget still serves one session (it overruns alone).
  expect(sessionsWithin(20, 80, 4).sessions).toBe(1);
  expect(sessionsWithin(60, 12, 4).sessions).toBe(1);
});

describe('capacityOf', () => {
  const source = new EngineFrameSource(64, 64);

  afterAll(() => source.release());

  it('measures the real source on a probe session it closes again', async () => {
    const capacity = await capacityOf(source, { tickHz: 20, maxSessions: 1000 });
    expect(capacity.basis).toMatchObject({ stepMs: expect.any(Number), mediaMs: 4 });
    if (capacity.basis === 'configured') throw new Error('expected a measurement');
    expect(capacity.sessions).toBe(sessionsWithin(20, capacity.basis.stepMs).sessions);
    expect(() => source.current('capacity-probe')).toThrow();
  });

  it('takes a configured capacity as given, capped by MAX_SESSIONS', async () => {
    expect(await capacityOf(source, { tickHz: 20, configured: 5, maxSessions: 32 })).toEqual({
      sessions: 5,
      basis: 'configured',
    });
    expect((await capacityOf(source, { tickHz: 20, maxSessions: 1 })).sessions).toBe(1);
  });
});
