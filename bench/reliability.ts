/**
 * The long reliability run behind docs/RELIABILITY.md, against the server as its own
 * process (engine frames):
 *   1. fuzz: seeded hostile messages (tests/helpers/wire-fuzz.ts) from many clients while
 *      an honest player steers another session: messages and answers by category, the
 *      typed-error rate, the honest session's ticks per second, the server's memory slope;
 *   2. soak: a player steering and 20 spectators (Socket.IO members, each with a
 *      synthetic SRTP viewer of the video: synthetic-viewers.ts) held for --soak seconds:
 *      the player's ticks in every second, and the server process's RSS and V8 heap;
 *   3. lobby flood: 50 connections x 5 creates without a credential, and the existing
 *      session's tick rate before and during;
 *   4. Redis outages (a redis-server of its own, AOF on, SIGKILLed and started again):
 *      ticks missing from the action log afterwards, and the longest wait between two
 *      ticks at a client during the outage.
 *
 *   npx tsx bench/reliability.ts [--messages 100000] [--clients 20] [--seed 15] [--soak 600]
 *     [--spectators 20] [--outages 5,20] [--phases fuzz,soak,flood,outages] [--out FILE]
 *
 * --phases runs only some (to look into one); the suite runs them all, as the result type
 * and the report expect.
 *
 * A member of `npm run bench` (bench/suite.ts): the result goes to --out, or stdout.
 */
import { parseArgs } from 'node:util';
import { io, Socket } from 'socket.io-client';
import { JoinTokens } from '../server/session/join-tokens';
import { createStore } from '../server/store';
import { startOwnRedis, uniqueKeyPrefix } from '../tests/helpers/redis';
import type { Reply } from '../tests/helpers/server';
import { CATEGORIES, Category, fuzzMessages, Outcome, send } from '../tests/helpers/wire-fuzz';
import { cpuOverWindow } from './lib/cpu-window';
import { cpuMsOf, rssOf, selfCpuMs } from './lib/proc';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, FuzzCategoryRow, OutageRow, ReliabilityResult } from './lib/results';
import { startServerProcess, startViewedServer, ServerProcess } from './lib/server-process';
import { percentile, round, slope } from './lib/stats';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '20' },
    seed: { type: 'string', default: '15' },
    soak: { type: 'string', default: '600' },
    spectators: { type: 'string', default: '20' },
    outages: { type: 'string', default: '5,20' },
    phases: { type: 'string', default: 'fuzz,soak,flood,outages' },
    out: { type: 'string' },
  },
});
const SECRET = 'reliability-bench-secret-0123';
const IN_FLIGHT_PER_CLIENT = 8;
/** A second counts as held at this many ticks (the tick rate is 20 Hz). */
const HELD_TICKS_PER_SECOND = 19.5;
const MIB = 2 ** 20;
/** Joins done and keyframes sent before a measured window. */
const SETTLE_MS = 1000;
const QUIET_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function client(url: string, auth: Record<string, string> = {}): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
  await new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(null));
    socket.once('connect_error', reject);
  });
  return socket;
}

async function join(socket: Socket, sessionId: string, role: 'player' | 'spectator') {
  const token = await new JoinTokens(SECRET, 3600).issue(sessionId, role, role);
  const reply = (await socket.timeout(10_000).emitWithAck('join', { token })) as Reply;
  if (!reply.ok) throw new Error(`join failed: ${reply.error.code}`);
}

/** Records when each tick reaches a socket (ticks the server skipped never arrive). */
function tickRecorder(socket: Socket) {
  const arrivals: number[] = [];
  socket.on('tick', () => arrivals.push(performance.now()));
  /** Ticks received by `time`, interpolated between arrivals. */
  const receivedBy = (time: number) => {
    let lo = 0;
    let hi = arrivals.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (arrivals[mid] <= time) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0 || lo === arrivals.length) return lo;
    return lo + (time - arrivals[lo - 1]) / (arrivals[lo] - arrivals[lo - 1]) - 1;
  };
  return {
    /**
     * Ticks received in each whole second of [from, to]. Counted by interpolation, so a
     * tick a few ms either side of a boundary does not read as 19 and then 21.
     */
    ratesPerSecond(from: number, to: number): number[] {
      const rates: number[] = [];
      for (let start = from; start + 1000 <= to; start += 1000)
        rates.push(round(receivedBy(start + 1000) - receivedBy(start), 2));
      return rates;
    },
    longestGapMs(from: number, to: number): number {
      const inside = arrivals.filter((at) => at >= from && at <= to);
      return Math.max(0, ...inside.slice(1).map((at, i) => at - inside[i]));
    },
  };
}

/** Least-squares slope of memory samples over their second half, in MiB per minute. */
function secondHalfSlope<T extends { s: number }>(samples: T[], bytes: (sample: T) => number) {
  const half = samples.slice(Math.floor(samples.length / 2));
  if (half.length < 2) return 0;
  return round((slope(half.map((p) => ({ x: p.s, y: bytes(p) }))) * 60) / MIB, 2);
}

const mib = (bytes: number | undefined) => round((bytes ?? 0) / MIB, 1);

/** A player that joins `sessionId` and holds 'forward' (an input every 50 ms), its ticks recorded. */
async function steeringPlayer(url: string, sessionId: string) {
  const socket = await client(url);
  await join(socket, sessionId, 'player');
  const recorder = tickRecorder(socket);
  let seq = 0;
  const steering = setInterval(() => socket.emit('action', { seq: ++seq, keys: ['forward'] }), 50);
  return {
    recorder,
    close() {
      clearInterval(steering);
      socket.close();
    },
  };
}

type Data = DataOf<ReliabilityResult>;

/** The server's tick clock so far: ticks run, and ticks skipped because one ran late. */
async function serverTicks(url: string): Promise<{ ticks: number; overruns: number }> {
  const health = (await (await fetch(`${url}/healthz`)).json()) as {
    tick: { ticks: number; overruns: number };
  };
  return health.tick;
}

async function fuzz(messages: number, clients: number, seed: number): Promise<Data['fuzz']> {
  const server = await startServerProcess({
    SESSIONS: 'fuzz,honest',
    JOIN_SECRET: SECRET,
    CONTROL_MODE: 'solo',
  });
  try {
    const honest = await steeringPlayer(server.url, 'honest');
    const attackers = await Promise.all(Array.from({ length: clients }, () => client(server.url)));
    await Promise.all(
      attackers
        .slice(0, clients / 2)
        .map((s, i) => join(s, 'fuzz', i % 2 ? 'spectator' : 'player')),
    );
    // The same server, sessions and members before any hostile message: the rate to compare with.
    await sleep(SETTLE_MS);
    const quietFrom = performance.now();
    await sleep(QUIET_MS);
    const quiet = honest.recorder.ratesPerSecond(quietFrom, performance.now());
    const ticksBefore = await serverTicks(server.url);

    const stream = fuzzMessages(seed);
    const byCategory = new Map<Category, Map<Outcome, number>>(
      CATEGORIES.map((c) => [c, new Map()]),
    );
    const memory: { s: number; bytes: number }[] = [];
    const began = performance.now();
    const sampler = setInterval(
      () => memory.push({ s: (performance.now() - began) / 1000, bytes: rssOf(server.pid) }),
      1000,
    );
    const meters = { server: () => cpuMsOf(server.pid), clients: selfCpuMs };
    let sent = 0;
    const worker = async (socket: Socket) => {
      while (sent < messages) {
        sent++;
        const message = stream.next().value!;
        const outcome = await send(socket, message);
        const counts = byCategory.get(message.category)!;
        counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      }
    };
    const cpu = await cpuOverWindow(meters, async () => {
      await Promise.all(
        attackers.flatMap((s) => Array.from({ length: IN_FLIGHT_PER_CLIENT }, () => worker(s))),
      );
    });
    const ended = performance.now();
    const ticksAfter = await serverTicks(server.url);
    clearInterval(sampler);
    honest.close();
    for (const s of attackers) s.close();

    const rates = honest.recorder.ratesPerSecond(began, ended);
    const rows: FuzzCategoryRow[] = [...byCategory].map(([category, counts]) => {
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const untyped = (counts.get('INTERNAL') ?? 0) + (counts.get('timeout') ?? 0);
      return {
        category,
        total,
        ok: counts.get('ok') ?? 0,
        untyped,
        codes: Object.fromEntries(counts),
      };
    });
    const total = rows.reduce((a, r) => a + r.total, 0);
    const untyped = rows.reduce((a, r) => a + r.untyped, 0);
    const count = (code: string) => rows.reduce((a, r) => a + (r.codes[code] ?? 0), 0);
    return {
      messages: total,
      clients,
      seed,
      seconds: round((ended - began) / 1000, 1),
      typedErrorRate: round((total - untyped) / total, 6),
      untyped,
      internal: count('INTERNAL'),
      unanswered: count('timeout'),
      byCategory: rows,
      honestTicksPerSecond: rates.length
        ? { min: Math.min(...rates), median: percentile(rates, 50) }
        : { min: 0, median: 0 },
      honestTicksPerSecondQuiet: percentile(quiet, 50),
      serverTicks: {
        run: ticksAfter.ticks - ticksBefore.ticks,
        skipped: ticksAfter.overruns - ticksBefore.overruns,
      },
      messagesPerSecond: round(total / (cpu.wallMs / 1000), 0),
      serverCpuPercent: cpu.percent.server,
      clientCpuPercent: cpu.percent.clients,
      rssMiB: { start: mib(memory[0]?.bytes), end: mib(memory.at(-1)?.bytes) },
      rssSlopeSecondHalfMiBPerMin: secondHalfSlope(memory, (p) => p.bytes),
    };
  } finally {
    await server.stop();
  }
}

async function soak(seconds: number, spectators: number): Promise<Data['soak']> {
  const server = await startViewedServer({
    env: { JOIN_SECRET: SECRET, CONTROL_MODE: 'solo' },
    session: 'soak',
    viewers: spectators,
  });
  try {
    const player = await steeringPlayer(server.url, 'soak');
    const watchers = await Promise.all(
      Array.from({ length: spectators }, () => client(server.url)),
    );
    await Promise.all(watchers.map((s) => join(s, 'soak', 'spectator')));
    await sleep(SETTLE_MS);
    await server.window();
    const began = performance.now();
    await sleep(seconds * 1000);
    const ended = performance.now();
    const report = await server.report();
    player.close();
    for (const s of watchers) s.close();

    const rates = player.recorder.ratesPerSecond(began, ended);
    const { memory } = report;
    return {
      seconds,
      spectators,
      ticksPerSecond: {
        min: rates.length ? Math.min(...rates) : 0,
        median: rates.length ? percentile(rates, 50) : 0,
        held: rates.length
          ? round(rates.filter((r) => r >= HELD_TICKS_PER_SECOND).length / rates.length, 4)
          : 0,
      },
      viewerFramesPerSecondMin: round(Math.min(...report.viewerFramesPerSecond), 1),
      rssMiB: { start: mib(memory[0]?.rssBytes), end: mib(memory.at(-1)?.rssBytes) },
      heapMiB: { start: mib(memory[0]?.heapBytes), end: mib(memory.at(-1)?.heapBytes) },
      slopeSecondHalfMiBPerMin: {
        rss: secondHalfSlope(memory, (p) => p.rssBytes),
        heap: secondHalfSlope(memory, (p) => p.heapBytes),
      },
    };
  } finally {
    await server.stop();
  }
}

async function flood(): Promise<Data['flood']> {
  const server = await startServerProcess({ SESSIONS: 'home', JOIN_SECRET: SECRET });
  try {
    const member = await client(server.url);
    await join(member, 'home', 'spectator');
    const recorder = tickRecorder(member);
    await sleep(4000);
    const before = performance.now();
    await sleep(3000);
    const during = performance.now();
    const conns = await Promise.all(Array.from({ length: 50 }, () => client(server.url)));
    const replies = (await Promise.all(
      conns.flatMap((c) =>
        Array.from({ length: 5 }, () =>
          c.timeout(10_000).emitWithAck('session:create', { name: 'spam' }),
        ),
      ),
    )) as Reply[];
    await sleep(Math.max(0, 3000 - (performance.now() - during)));
    const after = performance.now();
    for (const c of [member, ...conns]) c.close();
    const mean = (rates: number[]) => round(rates.reduce((a, b) => a + b, 0) / rates.length, 2);
    return {
      creates: replies.length,
      refused: replies.filter((r) => !r.ok && r.error.code === 'FORBIDDEN').length,
      ticksPerSecondBefore: mean(recorder.ratesPerSecond(before, during)),
      ticksPerSecondDuring: mean(recorder.ratesPerSecond(during, after)),
    };
  } finally {
    await server.stop();
  }
}

async function outage(seconds: number): Promise<OutageRow> {
  const redis = await startOwnRedis({ appendOnly: true });
  const prefix = uniqueKeyPrefix(`reliability-${seconds}`);
  let server: ServerProcess | null = null;
  try {
    server = await startServerProcess({
      SESSIONS: 'steady',
      JOIN_SECRET: SECRET,
      STORE_URL: redis.url,
      STORE_KEY_PREFIX: prefix,
    });
    const member = await client(server.url);
    await join(member, 'steady', 'player');
    const recorder = tickRecorder(member);
    await sleep(2000);
    await redis.kill();
    const down = performance.now();
    await sleep(seconds * 1000);
    await redis.restart();
    const up = performance.now();
    await sleep(3000);
    member.close();
    await server.stop();
    server = null;
    const store = await createStore(redis.url, { keyPrefix: prefix });
    const log = await store.actions.read('steady');
    const origin = await store.actions.origin('steady');
    await store.close();
    const last = log.at(-1)?.tick ?? -1;
    return {
      seconds,
      ticksLogged: log.length,
      ticksMissingFromLog: last + 1 - log.length,
      originPresent: origin !== null,
      longestClientGapMs: round(recorder.longestGapMs(down, up + 1000), 0),
    };
  } finally {
    await server?.stop();
    await redis.stop();
  }
}

runMain(async () => {
  const phases = new Set(values.phases!.split(','));
  const result: Partial<Data> = {};
  if (phases.has('fuzz')) {
    result.fuzz = await fuzz(Number(values.messages), Number(values.clients), Number(values.seed));
    progress('fuzz', { ...result.fuzz, byCategory: undefined });
  }
  if (phases.has('soak')) {
    result.soak = await soak(Number(values.soak), Number(values.spectators));
    progress('soak', result.soak);
  }
  if (phases.has('flood')) {
    result.flood = await flood();
    progress('flood', result.flood);
  }
  if (phases.has('outages')) {
    result.outages = [];
    for (const s of values.outages!.split(',').filter(Boolean)) {
      result.outages.push(await outage(Number(s)));
      progress('outage', result.outages.at(-1));
    }
  }
  emitResult('reliability', values.out, result);
});
