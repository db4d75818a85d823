/**
 * The long reliability run behind docs/RELIABILITY.md, against the server as its own
 * process (engine frames):
 *   1. fuzz: seeded hostile messages (tests/helpers/wire-fuzz.ts) from many clients while
 *      an honest player steers another session: messages and answers by category, the
 *      typed-error rate, the honest session's ticks per second, the server's memory slope;
 *   2. lobby flood: 50 connections x 5 creates without a credential, and the existing
 *      session's tick rate before and during;
 *   3. Redis outages (a redis-server of its own, AOF on, SIGKILLed and started again):
 *      ticks missing from the action log afterwards, and the longest wait between two
 *      ticks at a client during the outage.
 *
 *   npx tsx bench/reliability.ts [--messages 100000] [--clients 20] [--seed 15] [--outages 5,20]
 *     [--out FILE]
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
import { rssOf } from './lib/proc';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, FuzzCategoryRow, OutageRow, ReliabilityResult } from './lib/results';
import { startServerProcess, ServerProcess } from './lib/server-process';
import { percentile, round } from './lib/stats';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    clients: { type: 'string', default: '20' },
    seed: { type: 'string', default: '15' },
    outages: { type: 'string', default: '5,20' },
    out: { type: 'string' },
  },
});
const SECRET = 'reliability-bench-secret-0123';
const IN_FLIGHT_PER_CLIENT = 8;
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

/** Records (time, tick number) of every tick a socket receives. */
function tickRecorder(socket: Socket) {
  const ticks: { at: number; tick: number }[] = [];
  socket.on('tick', (t: { tick: number }) => ticks.push({ at: performance.now(), tick: t.tick }));
  return {
    ticks,
    /** Ticks per second in each whole second of [from, to]. */
    ratesPerSecond(from: number, to: number): number[] {
      const rates: number[] = [];
      for (let start = from; start + 1000 <= to; start += 1000) {
        const inside = ticks.filter((t) => t.at >= start && t.at < start + 1000);
        if (inside.length > 1) rates.push(inside.at(-1)!.tick - inside[0].tick + 1);
        else rates.push(inside.length);
      }
      return rates;
    },
    longestGapMs(from: number, to: number): number {
      const inside = ticks.filter((t) => t.at >= from && t.at <= to).map((t) => t.at);
      return Math.max(0, ...inside.slice(1).map((at, i) => at - inside[i]));
    },
  };
}

/** Least-squares slope of (seconds, bytes) samples, in MiB per minute. */
function slopeMiBPerMin(samples: { s: number; bytes: number }[]): number {
  const n = samples.length;
  const mx = samples.reduce((a, p) => a + p.s, 0) / n;
  const my = samples.reduce((a, p) => a + p.bytes, 0) / n;
  const num = samples.reduce((a, p) => a + (p.s - mx) * (p.bytes - my), 0);
  const den = samples.reduce((a, p) => a + (p.s - mx) ** 2, 0);
  return den === 0 ? 0 : ((num / den) * 60) / 2 ** 20;
}

type Data = DataOf<ReliabilityResult>;

async function fuzz(messages: number, clients: number, seed: number): Promise<Data['fuzz']> {
  const server = await startServerProcess({
    SESSIONS: 'fuzz,honest',
    JOIN_SECRET: SECRET,
    CONTROL_MODE: 'solo',
  });
  try {
    const honest = await client(server.url);
    await join(honest, 'honest', 'player');
    const recorder = tickRecorder(honest);
    let seq = 0;
    const steering = setInterval(
      () => honest.emit('action', { seq: ++seq, keys: ['forward'] }),
      50,
    );
    const attackers = await Promise.all(Array.from({ length: clients }, () => client(server.url)));
    await Promise.all(
      attackers
        .slice(0, clients / 2)
        .map((s, i) => join(s, 'fuzz', i % 2 ? 'spectator' : 'player')),
    );

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
    await Promise.all(
      attackers.flatMap((s) => Array.from({ length: IN_FLIGHT_PER_CLIENT }, () => worker(s))),
    );
    const ended = performance.now();
    clearInterval(sampler);
    clearInterval(steering);
    for (const s of [honest, ...attackers]) s.close();

    const rates = recorder.ratesPerSecond(began, ended);
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
    const half = memory.slice(Math.floor(memory.length / 2));
    const mib = (bytes: number | undefined) => round((bytes ?? 0) / 2 ** 20, 1);
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
      rssMiB: { start: mib(memory[0]?.bytes), end: mib(memory.at(-1)?.bytes) },
      rssSlopeSecondHalfMiBPerMin: half.length > 1 ? round(slopeMiBPerMin(half), 2) : 0,
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
  const fuzzed = await fuzz(Number(values.messages), Number(values.clients), Number(values.seed));
  progress('fuzz', { ...fuzzed, byCategory: undefined });
  const flooded = await flood();
  progress('flood', flooded);
  const outages: OutageRow[] = [];
  for (const s of values.outages!.split(',').filter(Boolean)) {
    outages.push(await outage(Number(s)));
    progress('outage', outages.at(-1));
  }
  emitResult<Data>('reliability', values.out, { fuzz: fuzzed, flood: flooded, outages });
});
