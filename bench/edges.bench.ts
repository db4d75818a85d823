/**
 * Viewers across processes: one session's synthetic viewers held by 1, 2 and 4 server
 * processes behind one Redis. The session is served (ticked, encoded) by the first
 * process, its origin; each other process is an edge that relays it (one spectator joins
 * there over the public protocol, which pipes the origin's stream to the edge's router).
 * Viewers are spread evenly over every process's router, doubling until a step is not
 * held: a viewer (10th percentile) gets under 95% of the frames, a media worker
 * saturates, or the machine's cores would be exceeded (the next step is then not tried).
 *
 * The processes run in this one Node.js process (each with its own registry, Socket.IO
 * server and media worker); the forwarding a viewer costs happens in the media workers,
 * which are separate processes and are measured one by one. Synthetic viewers are SRTP
 * PlainTransport consumers sending to a UDP socket in a child process per router
 * (bench/lib/synthetic-viewers.ts), as in the fan-out benchmark.
 * Run: npx tsx bench/edges.bench.ts [--processes 1,2,4 --viewers 0,250,500,1000,2000 --seconds 10]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { types } from 'mediasoup';
import type { RunningServer } from '../server/app';
import { startRedis, uniqueKeyPrefix } from '../tests/helpers/redis';
import { connect, joinAs, startTestServer } from '../tests/helpers/server';
import { cpuOverWindow, sleep } from './lib/cpu-window';
import { selfCpuMs, workersCpuMs } from './lib/proc';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, EdgesResult, EdgesRow } from './lib/results';
import { percentile, round, slope } from './lib/stats';
import { ReceiverWindow, SyntheticViewers } from './lib/synthetic-viewers';

const { values } = parseArgs({
  options: {
    processes: { type: 'string', default: '1,2,4' },
    viewers: { type: 'string', default: '0,250,500,1000,2000' },
    seconds: { type: 'string', default: '10' },
    hz: { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});
const SESSION = 'crowd';
const SETTLE_MS = 1500; // new viewers' keyframes
const HELD_FRAME_SHARE = 0.95;
const WORKER_SATURATED_PERCENT = 95;
/** Adding a step's viewers longer than this means the workers are past what they hold. */
const GROW_TIMEOUT_MS = 60000;
/** A step whose extrapolated CPU exceeds the machine's cores by more than this is not tried. */
const PREDICTED_SATURATION = 1.1;
const seconds = Number(values.seconds);
const hz = Number(values.hz);
const list = (s: string) => s.split(',').map(Number);
const cores = os.cpus().length;

/** One process's share of `total` viewers spread evenly over `n` processes. */
const shareOf = (total: number, n: number, i: number) =>
  Math.floor(total / n) + (i < total % n ? 1 : 0);

/** Every viewer sink's window, measured over the same `during`. */
async function measureAll(
  sinks: SyntheticViewers[],
  during: () => Promise<void>,
): Promise<ReceiverWindow[]> {
  if (sinks.length === 0) return (await during(), []);
  const [first, ...rest] = sinks;
  let inner: ReceiverWindow[] = [];
  const window = await first.measure(async () => {
    inner = await measureAll(rest, during);
  });
  return [window, ...inner];
}

/** The routers each process serves the session's viewers from, origin first. */
function routersOf(fleet: RunningServer[]): { router: types.Router; producerId: string }[] {
  const [origin, ...edges] = fleet;
  const media = origin.registry.media(SESSION) as unknown as {
    router: types.Router;
    producerId: string;
  };
  return [
    media,
    ...edges.map((edge) => {
      const video = edge.edges!.get(SESSION).video;
      return { router: video.router, producerId: video.producerId! };
    }),
  ];
}

runMain(async () => {
  const redis = await startRedis();
  const rows: EdgesRow[] = [];
  const stoppedBecause: Record<string, string> = {};
  for (const processes of list(values.processes!)) {
    const prefix = uniqueKeyPrefix('bench-edges');
    const env = {
      STORE_URL: redis.url,
      STORE_KEY_PREFIX: prefix,
      JOIN_SECRET: 'bench-edges-fleet-secret',
      TICK_HZ: String(hz),
      MEDIA_WORKERS: '1',
      MAX_SPECTATORS: '100000',
      // The synthetic viewers are consumers, not members: keep the session ticking.
      PAUSE_WHEN_EMPTY: 'false',
    };
    const fleet = [await startTestServer({ ...env, SESSIONS: SESSION })];
    for (let i = 1; i < processes; i++) fleet.push(await startTestServer({ ...env, SESSIONS: '' }));
    const [origin] = fleet;
    // One spectator per edge opens its relay, as a browser arriving there would.
    const spectators = await Promise.all(
      fleet.slice(1).map(async (edge) => {
        const socket = await connect(edge);
        const reply = await joinAs(origin, socket, SESSION, 'spectator');
        if (!reply.ok) throw new Error(`edge join failed: ${reply.error.message}`);
        return socket;
      }),
    );
    const routers = routersOf(fleet);
    const sinks = routers.map(({ router, producerId }) =>
      SyntheticViewers.start(router, producerId),
    );
    const meters = {
      server: selfCpuMs,
      ...Object.fromEntries(fleet.map((s, i) => [`w${i}`, () => workersCpuMs(s.pool.workers)])),
    };
    let last: EdgesRow | null = null;
    stoppedBecause[processes] = 'reached the largest step asked for';
    for (const viewers of list(values.viewers!)) {
      if (last && last.viewers > 0) {
        const scale = viewers / last.viewers;
        const predicted = (last.workersCpuPercent + last.receiverCpuPercent) * scale;
        if (predicted > cores * 100 * PREDICTED_SATURATION) {
          stoppedBecause[processes] =
            `${viewers} viewers would need about ${round(predicted, 0)}% of a core in media ` +
            `workers and receivers; this machine has ${cores} cores`;
          break;
        }
      }
      // One router at a time: a worker taking new viewers asks for a keyframe per viewer,
      // and all of them at once would starve each other of the machine's cores.
      const grown = (async () => {
        for (const [i, sink] of sinks.entries()) await sink.grow(shareOf(viewers, processes, i));
      })();
      grown.catch(() => {}); // (still pending when the step is given up: the close rejects it)
      const added = await Promise.race([grown.then(() => true), sleep(GROW_TIMEOUT_MS)]);
      if (!added) {
        stoppedBecause[processes] =
          `adding viewers up to ${viewers} did not finish within ${GROW_TIMEOUT_MS / 1000} s ` +
          `(a media worker this busy answers its requests slowly)`;
        break;
      }
      await sleep(SETTLE_MS);
      const overruns0 = origin.loop.clock.stats().overruns;
      let cpu!: Awaited<ReturnType<typeof cpuOverWindow<string>>>;
      const windows = await measureAll(sinks, async () => {
        cpu = await cpuOverWindow(meters, () => sleep(seconds * 1000));
      });
      const fps = windows.flatMap((w) => w.streams.map((s) => s.frames / (w.wallMs / 1000)));
      const workers = fleet.map((_, i) => cpu.percent[`w${i}`]);
      const fpsLow = viewers ? percentile(fps, 10) : hz;
      const row: EdgesRow = {
        processes,
        viewers,
        perProcess: fleet.map((_, i) => shareOf(viewers, processes, i)),
        originWorkerCpuPercent: workers[0],
        edgeWorkerCpuPercent: workers.slice(1),
        workersCpuPercent: round(
          workers.reduce((a, b) => a + b, 0),
          1,
        ),
        serverCpuPercent: cpu.percent.server,
        receiverCpuPercent: round(
          windows.reduce((sum, w) => sum + w.cpuPercent, 0),
          1,
        ),
        framesPerSecond: viewers
          ? { p10: round(fpsLow, 1), p50: round(percentile(fps, 50), 1) }
          : null,
        tickOverruns: origin.loop.clock.stats().overruns - overruns0,
        held: fpsLow >= HELD_FRAME_SHARE * hz && workers.every((w) => w < WORKER_SATURATED_PERCENT),
      };
      rows.push(row);
      progress('edges', row);
      last = row;
      if (!row.held) {
        stoppedBecause[processes] = `not held at ${viewers} viewers`;
        break;
      }
    }
    for (const sink of sinks) sink.close();
    for (const socket of spectators) socket.close();
    for (const server of [...fleet].reverse()) await server.close();
  }
  await redis.stop();

  const maxHeld = Object.fromEntries(
    list(values.processes!).map((p) => [
      p,
      Math.max(0, ...rows.filter((r) => r.processes === p && r.held).map((r) => r.viewers)),
    ]),
  );
  // A viewer's cost on an edge: edge worker CPU against that edge's viewers, held steps.
  const edgePoints = rows
    .filter((r) => r.held && r.processes > 1)
    .flatMap((r) => r.edgeWorkerCpuPercent.map((y, i) => ({ x: r.perProcess[i + 1], y })));
  // What each edge costs its origin: origin worker CPU against the edges piped, no viewers.
  const idle = rows.filter((r) => r.viewers === 0);
  emitResult<DataOf<EdgesResult>>('edges', values.out, {
    hz,
    seconds,
    rows,
    maxHeld,
    stoppedBecause,
    edgeWorkerPercentPerViewer: edgePoints.length > 1 ? round(slope(edgePoints), 4) : null,
    originWorkerPercentPerEdge:
      idle.length > 1
        ? round(slope(idle.map((r) => ({ x: r.processes - 1, y: r.originWorkerCpuPercent }))), 3)
        : null,
  });
});
