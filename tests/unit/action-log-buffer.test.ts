/**
 * The action-log buffer over the real in-memory log: nothing is written while the store
 * is away, everything is backfilled in order once it is back, failed writes are retried,
 * and past its capacity ticks are dropped, counted and logged.
 */
import { createLogger } from '../../server/log';
import { ActionLogBuffer } from '../../server/store/action-log-buffer';
import { MemoryStore } from '../../server/store/memory-store';
import { ActionLog, ActionLogEntry } from '../../server/store';

const ORIGIN = { seed: 7, frameSource: 'engine', width: 16, height: 16, tickHz: 20 };
const entry = (tick: number): ActionLogEntry => ({
  tick,
  action: 1,
  instructions: [],
  pilot: null,
});

function setUp(capacity = 100, log: ActionLog = new MemoryStore(1000).actions) {
  const lines: { msg: string; dropped?: number }[] = [];
  const state = { available: false };
  const buffer = new ActionLogBuffer({
    log,
    available: () => state.available,
    capacity,
    retryMs: 10,
    logger: createLogger('warn', {}, (line) => lines.push(JSON.parse(line))),
  });
  return { buffer, log, lines, state };
}

it('holds ticks while the store is away and backfills them in order once it is back', async () => {
  const { buffer, log, state } = setUp();
  buffer.begin('s', ORIGIN);
  for (let tick = 0; tick < 10; tick++) buffer.append('s', entry(tick));
  expect(await log.length('s')).toBe(0);
  expect(buffer.stats()).toEqual({ waiting: 10, dropped: 0 });

  state.available = true;
  buffer.kick();
  expect(await buffer.flush(1000)).toBe(true);
  expect(await log.origin('s')).toEqual(ORIGIN);
  expect((await log.read('s')).map((e) => e.tick)).toEqual([...Array(10).keys()]);
});

it('retries a failed write, and counts a write whose reply was lost as written', async () => {
  const real = new MemoryStore(1000).actions;
  let failures = 2;
  const flaky: ActionLog = Object.assign(Object.create(real), {
    append: async (sessionId: string, e: ActionLogEntry) => {
      await real.append(sessionId, e);
      // Written, but the caller hears a timeout (a reply lost in an outage).
      if (failures-- > 0) throw new Error('command timed out');
    },
  });
  const { buffer, state } = setUp(100, flaky);
  state.available = true;
  buffer.begin('s', ORIGIN);
  for (let tick = 0; tick < 5; tick++) buffer.append('s', entry(tick));
  expect(await buffer.flush(2000)).toBe(true);
  expect((await real.read('s')).map((e) => e.tick)).toEqual([0, 1, 2, 3, 4]);
});

it('drops ticks past its capacity, counts them and says so in the log', async () => {
  const { buffer, log, lines, state } = setUp(5);
  buffer.begin('s', ORIGIN);
  for (let tick = 0; tick < 8; tick++) buffer.append('s', entry(tick));
  expect(buffer.stats()).toEqual({ waiting: 5, dropped: 3 });
  state.available = true;
  buffer.kick();
  await buffer.flush(1000);
  expect(await log.length('s')).toBe(5);
  expect(lines.map((l) => [l.msg, l.dropped])).toEqual([
    ['action log buffer full; dropping ticks until the store is back', undefined],
    ['action log buffer drained; ticks were dropped', 3],
  ]);
});

it('writes nothing of a held session until it begins', async () => {
  const { buffer, log, state } = setUp();
  state.available = true;
  buffer.hold('s');
  buffer.append('s', entry(0));
  await buffer.flush(100);
  expect(await log.origin('s')).toBeNull();
  buffer.begin('s', ORIGIN);
  expect(await buffer.flush(1000)).toBe(true);
  expect((await log.read('s')).map((e) => e.tick)).toEqual([0]);
});

it('leaves the event loop free while a held session ticks (its claim is still on its way)', async () => {
  let checks = 0;
  const buffer = new ActionLogBuffer({
    log: new MemoryStore(1000).actions,
    // Each writer start asks first; a writer restarting for held ticks alone asks forever.
    available: () => {
      if (++checks > 1000) throw new Error('the writer keeps restarting');
      return true;
    },
    capacity: 100,
    logger: createLogger('silent'),
  });
  buffer.hold('s');
  for (let tick = 0; tick < 3; tick++) buffer.append('s', entry(tick));
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(checks).toBeLessThan(10);
  expect(buffer.stats()).toEqual({ waiting: 3, dropped: 0 });
});
