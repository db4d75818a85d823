/**
 * Paused sessions: what a session with nobody connected costs. A fresh server process
 * per row (its own frame source, one media worker per core, no clients at all): with no
 * session, with N sessions paused (the default), and with one session ticking unwatched
 * (PAUSE_WHEN_EMPTY=false, what every session cost before pausing) for contrast. CPU of
 * the server process and its media workers over a window after start-up, from /proc.
 * Run: npx tsx bench/paused.bench.ts [--sessions 16 --settle 5 --seconds 30
 *   --source generator --model-dir model/shipped]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { cpuOverWindow, sleep } from './lib/cpu-window';
import { childrenOf, cpuMsOf } from './lib/proc';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, PausedResult, PausedRow } from './lib/results';
import { startServerProcess } from './lib/server-process';
import { round } from './lib/stats';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '16' },
    settle: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '30' },
    source: { type: 'string', default: 'generator' },
    'model-dir': { type: 'string', default: 'model/shipped' },
    out: { type: 'string' },
  },
});
const START_TIMEOUT_MS = 180000;
const CLOCK_TICK_MS = 10;
/** Process names are cut to 15 characters in /proc/<pid>/comm. */
const isMediaWorker = (pid: number) =>
  readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('mediasoup-worke');

async function measure(sessions: number, paused: boolean): Promise<PausedRow> {
  const server = await startServerProcess(
    {
      SESSIONS: Array.from({ length: sessions }, (_, i) => `idle-${i}`).join(','),
      MAX_SESSIONS: String(Math.max(32, sessions)),
      MEDIA_WORKERS: String(os.cpus().length),
      FRAME_SOURCE: values.source!,
      MODEL_DIR: values['model-dir']!,
      PAUSE_WHEN_EMPTY: String(paused),
    },
    START_TIMEOUT_MS,
  );
  await sleep(Number(values.settle) * 1000);
  const workers = childrenOf(server.pid).filter(isMediaWorker);
  const window = await cpuOverWindow(
    {
      server: () => cpuMsOf(server.pid),
      workers: () => workers.reduce((sum, pid) => sum + cpuMsOf(pid), 0),
    },
    () => sleep(Number(values.seconds) * 1000),
  );
  const health = (await (await fetch(`${server.url}/healthz`)).json()) as {
    tick: { ticks: number };
  };
  await server.stop();
  return {
    sessions,
    paused,
    serverCpuPercent: window.percent.server,
    workersCpuPercent: window.percent.workers,
    totalCpuPercent: round(window.percent.server + window.percent.workers, 2),
    ticks: health.tick.ticks,
  };
}

runMain(async () => {
  const n = Number(values.sessions);
  const rows: PausedRow[] = [];
  for (const [sessions, paused] of [
    [0, true],
    [n, true],
    [1, false],
  ] as const) {
    rows.push(await measure(sessions, paused));
    progress('paused', rows.at(-1));
  }
  const [none, many] = rows;
  emitResult<DataOf<PausedResult>>('paused', values.out, {
    source: values.source!,
    seconds: Number(values.seconds),
    rows,
    perPausedSessionPercent: round(Math.max(0, many.totalCpuPercent - none.totalCpuPercent) / n, 4),
    // /proc counts CPU in 10 ms clock ticks: less than one tick over the window is not seen.
    resolutionPercent: round(((CLOCK_TICK_MS / (Number(values.seconds) * 1000)) * 100) / n, 4),
  });
});
