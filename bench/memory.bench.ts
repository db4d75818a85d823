/**
 * Memory: resident memory of a server process (engine frames, no viewers) serving 1, 10
 * and 50 sessions, each count in a fresh process, split into the Node process (engine
 * worlds, encoders, sessions) and its mediasoup workers. Sampled over a window after
 * start-up; the peak is reported, with the ticks and overruns over the run, since 50
 * sessions' encoders may not keep up on a small machine.
 * Run: npx tsx bench/memory.bench.ts [--sessions 1,10,50 --settle 5 --seconds 10]
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sleep } from './lib/cpu-window';
import { childrenOf, rssOf } from './lib/proc';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, MemoryResult, MemoryRow } from './lib/results';
import { startServerProcess } from './lib/server-process';
import { round, slope } from './lib/stats';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1,10,50' },
    settle: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});
const SAMPLE_EVERY_MS = 500;
const START_TIMEOUT_MS = 180000;
const MIB = 1024 * 1024;
/** Process names are cut to 15 characters in /proc/<pid>/comm. */
const isMediaWorker = (pid: number) =>
  readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('mediasoup-worke');

async function measure(sessions: number): Promise<MemoryRow> {
  const server = await startServerProcess(
    {
      SESSIONS: Array.from({ length: sessions }, (_, i) => `mem-${i}`).join(','),
      MAX_SESSIONS: String(Math.max(32, sessions)),
      MEDIA_WORKERS: String(os.cpus().length),
    },
    START_TIMEOUT_MS,
  );
  await sleep(Number(values.settle) * 1000);
  const peak = { server: 0, workers: 0 };
  const end = performance.now() + Number(values.seconds) * 1000;
  while (performance.now() < end) {
    const workers = childrenOf(server.pid).filter(isMediaWorker);
    peak.server = Math.max(peak.server, rssOf(server.pid));
    peak.workers = Math.max(
      peak.workers,
      workers.reduce((sum, pid) => sum + rssOf(pid), 0),
    );
    await sleep(SAMPLE_EVERY_MS);
  }
  const health = (await (await fetch(`${server.url}/healthz`)).json()) as {
    tick: { ticks: number; overruns: number };
  };
  await server.stop();
  return {
    sessions,
    serverRssMiB: round(peak.server / MIB, 1),
    workersRssMiB: round(peak.workers / MIB, 1),
    totalRssMiB: round((peak.server + peak.workers) / MIB, 1),
    ticks: health.tick.ticks,
    overruns: health.tick.overruns,
  };
}

runMain(async () => {
  const rows: MemoryRow[] = [];
  for (const n of values.sessions!.split(',').map(Number)) {
    rows.push(await measure(n));
    progress('memory', rows.at(-1));
  }
  const perSession = (pick: (r: MemoryRow) => number) =>
    round(slope(rows.map((r) => ({ x: r.sessions, y: pick(r) }))), 2);
  emitResult<DataOf<MemoryResult>>('memory', values.out, {
    source: 'engine',
    workers: os.cpus().length,
    rows,
    perSessionMiB: {
      server: perSession((r) => r.serverRssMiB),
      total: perSession((r) => r.totalRssMiB),
    },
  });
});
