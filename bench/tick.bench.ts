/**
 * Tick stability of a real server (real encoder and mediasoup, no viewers): how late
 * each tick starts against its due time (jitter), how long it runs, and how many ticks
 * overran, at 20 Hz with 1, 4 and 8 sessions. Engine frames unless --source says
 * otherwise, so the figure is about the server, not the model.
 * Run: npx tsx bench/tick.bench.ts [--sessions 1,4,8 --seconds 20 --warmup 2 --hz 20
 *        --source engine|generator --model-dir model/shipped]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { startTestServer } from '../tests/helpers/server';
import { cpuOverWindow, sleep } from './lib/cpu-window';
import { selfCpuMs } from './lib/proc';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, TickResult, TickRow } from './lib/results';
import { summarize } from './lib/stats';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1,4,8' },
    seconds: { type: 'string', default: '20' },
    hz: { type: 'string', default: '20' },
    source: { type: 'string', default: 'engine' },
    'model-dir': { type: 'string', default: 'model/shipped' },
    /** Seconds before measuring: JIT, encoder start-up, first keyframes. */
    warmup: { type: 'string', default: '2' },
    out: { type: 'string' },
  },
});

async function measure(sessions: number, seconds: number, hz: number): Promise<TickRow> {
  const server = await startTestServer({
    SESSIONS: Array.from({ length: sessions }, (_, i) => `tick-${i}`).join(','),
    TICK_HZ: String(hz),
    FRAME_SOURCE: values.source!,
    MODEL_DIR: values['model-dir']!,
    // Nobody joins these sessions: measure them ticking, as if watched.
    PAUSE_WHEN_EMPTY: 'false',
    // As deployed: one media worker per core.
    MEDIA_WORKERS: String(os.cpus().length),
  });
  const lateness: number[] = [];
  const durations: number[] = [];
  let recording = false;
  server.loop.clock.on('tick', (t: { due: number; began: number; durationMs: number }) => {
    if (!recording) return;
    lateness.push(t.began - t.due);
    durations.push(t.durationMs);
  });
  await sleep(Number(values.warmup) * 1000);
  const overrunsBefore = server.loop.clock.stats().overruns;
  recording = true;
  const cpu = await cpuOverWindow({ server: selfCpuMs }, () => sleep(seconds * 1000));
  recording = false;
  const overruns = server.loop.clock.stats().overruns - overrunsBefore;
  await server.close();
  return {
    sessions,
    hz,
    ticks: lateness.length,
    startLatenessMs: summarize(lateness),
    tickDurationMs: summarize(durations),
    overruns,
    overrunRate: overruns / (lateness.length + overruns),
    serverCpuPercent: cpu.percent.server,
  };
}

runMain(async () => {
  const rows: TickRow[] = [];
  for (const n of values.sessions!.split(',').map(Number)) {
    rows.push(await measure(n, Number(values.seconds), Number(values.hz)));
    progress('tick', rows.at(-1));
  }
  emitResult<DataOf<TickResult>>('tick', values.out, { source: values.source!, rows });
});
