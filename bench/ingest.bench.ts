/**
 * Ingest: Socket.IO `action` messages per second and their ack latency, against a server
 * process on Node's HTTP/ws engine and on uWebSockets.js, with the same client load in
 * the same run. The clients are joined players of one session (the tick loop runs as
 * usual), each on its own websocket, in this process:
 *
 *   closed-loop  every client keeps --window messages in flight: the most the server takes
 *   paced        --rate messages per second in all, spread evenly: latency at a set load
 *
 * Server CPU is read from /proc, so it excludes the clients; the CPU per message is over
 * what the server uses with the same clients joined and silent. On a small machine the
 * clients and the server share the cores, so one closed-loop run per engine swings with
 * scheduling: --rounds measures each engine that many times, alternating which goes
 * first, and the report takes the median and shows the range.
 * Run: npx tsx bench/ingest.bench.ts [--engines node,uws --clients 32 --window 4
 *        --seconds 10 --rate 1000 --rounds 3]
 */
import { parseArgs } from 'node:util';
import { io, Socket } from 'socket.io-client';
import { ask } from '../tests/helpers/server';
import { cpuOverWindow, sleep } from './lib/cpu-window';
import { cpuMsOf, selfCpuMs } from './lib/proc';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, IngestResult, IngestRow } from './lib/results';
import { summarize } from './lib/stats';
import { startServerProcess } from './lib/server-process';

const { values } = parseArgs({
  options: {
    engines: { type: 'string', default: 'node,uws' },
    clients: { type: 'string', default: '32' },
    window: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
const SESSION = 'ingest';
const WARMUP_MS = 1000; // JIT on both sides before anything is counted
const ACK_TIMEOUT_MS = 5000;
const IDLE_MAX_MS = 3000;
const clients = Number(values.clients);
const inFlight = Number(values.window);
const rate = Number(values.rate);
const ms = Number(values.seconds) * 1000;

interface Player {
  socket: Socket;
  seq: number;
}

interface Tally {
  acked: number;
  errors: number;
  latencies: number[];
}

async function joinPlayer(url: string, i: number): Promise<Player> {
  const socket = io(url, { transports: ['websocket'], forceNew: true });
  await new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('connect_error', reject);
  });
  const invite = await ask(socket, 'session:invite', {
    sessionId: SESSION,
    role: 'player',
    name: `load-${i}`,
  });
  const joined = invite.ok && (await ask(socket, 'join', { token: invite.token }));
  if (!joined || !joined.ok)
    throw new Error(`player ${i} could not join: ${JSON.stringify(joined || invite)}`);
  return { socket, seq: 0 };
}

/** One action with its ack; alternating keys so every message changes what is held. */
async function send(player: Player, tally: Tally): Promise<void> {
  const seq = ++player.seq;
  const began = performance.now();
  try {
    const reply = await player.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('action', { seq, keys: seq % 2 ? ['forward'] : [] });
    tally.latencies.push(performance.now() - began);
    if (reply.ok) tally.acked++;
    else tally.errors++;
  } catch {
    tally.errors++;
  }
}

async function closedLoop(players: Player[], durationMs: number, tally: Tally) {
  const end = performance.now() + durationMs;
  const lane = async (player: Player) => {
    while (performance.now() < end) await send(player, tally);
  };
  await Promise.all(players.flatMap((p) => Array.from({ length: inFlight }, () => lane(p))));
}

async function paced(players: Player[], durationMs: number, tally: Tally) {
  const intervalMs = (1000 * players.length) / rate;
  const pending: Promise<void>[] = [];
  const timers = players.map((player, i) =>
    setTimeout(
      () => {
        timers[i] = setInterval(() => pending.push(send(player, tally)), intervalMs);
      },
      (i * intervalMs) / players.length,
    ),
  );
  await sleep(durationMs);
  timers.forEach((t) => clearInterval(t));
  await Promise.all(pending);
}

async function measure(engine: string, round: number): Promise<IngestRow[]> {
  const server = await startServerProcess({
    SOCKET_ENGINE: engine,
    SESSIONS: SESSION,
    INPUT_RATE_LIMIT: '10000',
    MAX_PLAYERS: String(clients),
    CONTROL_MODE: 'anarchy',
    MEDIA_WORKERS: '1',
  });
  const players = await Promise.all(
    Array.from({ length: clients }, (_, i) => joinPlayer(server.url, i)),
  );
  await closedLoop(players, WARMUP_MS, { acked: 0, errors: 0, latencies: [] });
  // The server's CPU with everyone joined and silent (ticks, broadcasts): not the messages' cost.
  const idle = await cpuOverWindow({ server: () => cpuMsOf(server.pid) }, () =>
    sleep(Math.min(ms, IDLE_MAX_MS)),
  );
  const rows: IngestRow[] = [];
  const loads = { 'closed-loop': closedLoop, paced } as const;
  for (const [load, run] of Object.entries(loads)) {
    const tally: Tally = { acked: 0, errors: 0, latencies: [] };
    const cpu = await cpuOverWindow({ server: () => cpuMsOf(server.pid), clients: selfCpuMs }, () =>
      run(players, ms, tally),
    );
    const messageCpuMs = ((cpu.percent.server - idle.percent.server) / 100) * cpu.wallMs;
    rows.push({
      engine,
      round,
      load: load as IngestRow['load'],
      clients,
      offered: load === 'paced' ? `${rate}/s` : `${inFlight} in flight per client`,
      messagesPerSecond: Math.round((tally.acked * 1000) / cpu.wallMs),
      errors: tally.errors,
      ackMs: summarize(tally.latencies),
      serverCpuPercent: cpu.percent.server,
      serverIdleCpuPercent: idle.percent.server,
      clientCpuPercent: cpu.percent.clients,
      serverCpuUsPerMessage: Math.round((messageCpuMs * 1000) / Math.max(1, tally.acked)),
    });
    progress('ingest', rows.at(-1));
  }
  players.forEach((p) => p.socket.close());
  await server.stop();
  return rows;
}

runMain(async () => {
  const rows: IngestRow[] = [];
  const engines = values.engines!.split(',');
  const rounds = Number(values.rounds);
  for (let round = 1; round <= rounds; round++) {
    // Alternating the order cancels a drift of the machine over the run.
    for (const engine of round % 2 ? engines : [...engines].reverse())
      rows.push(...(await measure(engine, round)));
  }
  emitResult<DataOf<IngestResult>>('ingest', values.out, { rounds, rows });
});
