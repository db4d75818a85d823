/**
 * Tick stability of a real server (engine frames, real encoder and mediasoup, no
 * viewers): how late each tick starts against its due time (jitter), how long it
 * runs, and how many ticks overran, at 20 Hz with 1 and 4 sessions.
 * Run: npx tsx bench/tick.bench.ts [-- --sessions 1,4 --seconds 20]
 */
import { parseArgs } from 'node:util';
import { startServer } from '../server/app';
import { loadConfig } from '../server/config';
import { createLogger } from '../server/log';
import { summarize } from './lib/stats';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '1,4' },
    seconds: { type: 'string', default: '20' },
    hz: { type: 'string', default: '20' },
  },
});

async function measure(sessions: number, seconds: number, hz: number) {
  const ids = Array.from({ length: sessions }, (_, i) => `bench-${i}`);
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    SESSIONS: ids.join(','),
    TICK_HZ: String(hz),
    LOG_LEVEL: 'warn',
  });
  const server = await startServer(config, createLogger('warn'));
  const lateness: number[] = [];
  const durations: number[] = [];
  let recording = false;
  server.loop.clock.on('tick', (t: { due: number; began: number; durationMs: number }) => {
    if (!recording) return;
    lateness.push(t.began - t.due);
    durations.push(t.durationMs);
  });
  await new Promise((r) => setTimeout(r, 2000)); // warm-up: JIT, encoder start
  const overrunsBefore = server.loop.clock.stats().overruns;
  const cpuBefore = process.cpuUsage();
  recording = true;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  recording = false;
  const cpu = process.cpuUsage(cpuBefore);
  const overruns = server.loop.clock.stats().overruns - overrunsBefore;
  await server.close();
  return {
    sessions,
    hz,
    ticks: lateness.length,
    startLatenessMs: summarize(lateness),
    tickDurationMs: summarize(durations),
    overruns,
    overrunRate: +(overruns / (lateness.length + overruns)).toFixed(4),
    serverCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100),
  };
}

async function main() {
  const results = [];
  for (const n of values.sessions!.split(',').map(Number)) {
    results.push(await measure(n, Number(values.seconds), Number(values.hz)));
    console.error(JSON.stringify(results.at(-1)));
  }
  console.log(JSON.stringify(results, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
