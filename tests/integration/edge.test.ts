/**
 * Spectators across processes, two processes behind one real Redis (in this jest
 * process, each with its own registry, media worker and Socket.IO server): a spectator
 * who joins process B a session served by process A is seated on B, which pipes A's one
 * encoded stream into a router of its own (mediasoup PipeTransport, SRTP) and serves it
 * from there; A counts B's spectators (so its session does not pause) and its ticks
 * reach them. Players stay on A; spectators are steered to B; the last spectator leaving
 * closes the pipe; a pipe whose edge stops renewing it lapses; the edge pipes again when
 * A's media worker dies; the session's end reaches the edge.
 */
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { RelayMedia } from '../../server/media/relay-media';
import { deleteKeys, startRedis, TestRedis, uniqueKeyPrefix } from '../helpers/redis';
import {
  ask,
  connect,
  joinAs,
  SuiteClients,
  startTestServer,
  waitFor,
  waitUntil,
} from '../helpers/server';
import { RtpTap } from './media-helpers';

const SESSION = 'show';
const TTL_MS = 3000;

let redis: TestRedis;
let prefix: string;
let origin: RunningServer;
let edge: RunningServer;
const clients = new SuiteClients(() => origin);

beforeAll(async () => {
  redis = await startRedis();
  prefix = uniqueKeyPrefix('edge');
  const fleetEnv = {
    STORE_URL: redis.url,
    STORE_KEY_PREFIX: prefix,
    STORE_TTL_MS: String(TTL_MS),
    JOIN_SECRET: 'one-secret-for-the-whole-fleet',
    CONTROL_MODE: 'solo',
    RECONNECT_WINDOW_MS: '0',
  };
  origin = await startTestServer({ ...fleetEnv, SESSIONS: SESSION });
  edge = await startTestServer({ ...fleetEnv, SESSIONS: '' });
}, 60000);

afterAll(async () => {
  clients.closeAll();
  for (const server of [edge, origin]) await server?.close();
  if (redis) {
    await deleteKeys(redis.url, prefix);
    await redis.stop();
  }
});

const session = () => origin.registry.get(SESSION);
const relay = () => edge.edges!.get(SESSION);

describe('a spectator of a session on process A, connected to process B', () => {
  let spectator: Socket;

  it('is seated on B, which relays the session and reports to A', async () => {
    expect(origin.registry.isPaused(session())).toBe(true); // nobody yet
    spectator = clients.track(await connect(edge));
    const reply = await joinAs(origin, spectator, SESSION, 'spectator', 'watcher');
    expect(reply).toMatchObject({
      ok: true,
      member: { role: 'spectator', name: 'watcher' },
      session: { id: SESSION, title: SESSION },
      members: { sessionId: SESSION, spectators: 1 },
    });
    expect(edge.registry.has(SESSION)).toBe(false); // still served by A alone
    expect(edge.edges!.has(SESSION)).toBe(true);
    expect(session().video.stats().pipes).toBe(1);
    expect(session().roster().spectators).toBe(1);
    expect(origin.registry.isPaused(session())).toBe(false);
  });

  it("receives A's ticks and the piped stream, keyframes asked through the pipe", async () => {
    const tick = await waitFor<{ sessionId: string; tick: number }>(spectator, 'tick');
    expect(tick.sessionId).toBe(SESSION);
    const media = relay().video as RelayMedia;
    const tap = await RtpTap.open(media);
    try {
      // A new consumer on B makes B ask for a keyframe; only A's encoder can make one.
      await tap.waitFor(() => tap.keyframeTimestamps('vp8').length > 0, 5000, 'a keyframe');
      await tap.waitFor(() => tap.frameTimestamps.length >= 20, 5000, '20 frames');
      const stamps = tap.frameTimestamps;
      expect(stamps.every((t, i) => i === 0 || t > stamps[i - 1])).toBe(true);
    } finally {
      tap.transport.close();
    }
    // Its own receive transport is on B's router, not A's.
    const created = await ask(spectator, 'media:createTransport');
    expect(created).toMatchObject({ ok: true });
    const transportId = (created as unknown as { transport: { id: string } }).transport.id;
    expect((await media.router.dump()).transportIds).toContain(transportId);
  });

  it('cannot steer, vote or close from the edge', async () => {
    for (const [event, payload] of [
      ['action', { seq: 1, keys: ['forward'] }],
      ['control:vote-mode', { mode: 'anarchy' }],
      ['session:close', {}],
    ] as const) {
      const reply = await ask(spectator, event, payload);
      expect(reply).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });

  it('leaves players to A: a player token is not seated on B', async () => {
    const player = clients.track(await connect(edge));
    const reply = await joinAs(origin, player, SESSION, 'player');
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNKNOWN_SESSION' } });
    if (!reply.ok)
      expect(reply.error.message).toBe(
        `session "${SESSION}" is served by ${origin.url}: players join it there`,
      );
  });

  it('steers spectators to B and players to A', async () => {
    const lobby = clients.track(await connect(origin));
    expect(await ask(lobby, 'session:locate', { sessionId: SESSION, role: 'spectator' })).toEqual({
      ok: true,
      sessionId: SESSION,
      url: edge.url,
    });
    expect(await ask(lobby, 'session:locate', { sessionId: SESSION })).toEqual({
      ok: true,
      sessionId: SESSION,
      url: origin.url,
    });
  });

  it('a second spectator on B shares the one pipe; the last one leaving closes it', async () => {
    const second = clients.track(await connect(edge));
    expect(await joinAs(origin, second, SESSION, 'spectator', 'second')).toMatchObject({
      ok: true,
    });
    expect(session().video.stats().pipes).toBe(1);
    await waitUntil(() => session().roster().spectators === 2, 'A counting two spectators');
    expect(await ask(second, 'leave')).toMatchObject({ ok: true });
    await waitUntil(() => session().roster().spectators === 1, 'A counting one spectator');
    expect(await ask(spectator, 'leave')).toMatchObject({ ok: true });
    await waitUntil(() => !edge.edges!.has(SESSION), 'the relay closing');
    await waitUntil(() => session().video.stats().pipes === 0, "A's pipe closing");
    expect(session().roster().spectators).toBe(0);
  });

  it("pipes again when A's media worker dies, and tells its spectators to rebuild their media", async () => {
    const watcher = clients.track(await connect(edge));
    expect(await joinAs(origin, watcher, SESSION, 'spectator')).toMatchObject({ ok: true });
    const before = relay().video;
    const reset = waitFor(watcher, 'media:reset', () => true, 4 * TTL_MS);
    process.kill(origin.pool.workers[0].pid, 'SIGKILL');
    await reset;
    // The edge finds its pipe gone at its next renewal and opens another.
    await waitUntil(() => relay().video !== before, 'a new pipe', 4 * TTL_MS);
    const tap = await RtpTap.open(relay().video);
    try {
      await tap.waitFor(
        () => tap.frameTimestamps.length >= 10,
        5000,
        'frames through the new pipe',
      );
    } finally {
      tap.transport.close();
    }
    expect(before.isClosed).toBe(true);
    expect(session().video.stats().pipes).toBe(1);
    expect(await ask(watcher, 'leave')).toMatchObject({ ok: true });
    await waitUntil(() => !edge.edges!.has(SESSION), 'the relay closing');
  });

  it('closes the pipe of an edge that stops renewing it (a dead edge) when its lease lapses', async () => {
    // An edge's request, as a relay makes it, then silence.
    const media = await RelayMedia.open(edge.pool, { listenIp: '127.0.0.1' });
    try {
      await edge.store.bus.request(
        origin.processId,
        { type: 'pipe', sessionId: SESSION, edgeId: 'gone-edge', end: media.end, viewers: 3 },
        5000,
      );
      expect(session().video.stats().pipes).toBe(1);
      expect(session().roster().spectators).toBe(3);
      await waitUntil(() => session().video.stats().pipes === 0, 'the lease to lapse', 3 * TTL_MS);
      expect(session().roster().spectators).toBe(0);
    } finally {
      media.close();
    }
  });

  it("hears the session's end, and B drops its relay", async () => {
    const watcher = clients.track(await connect(edge));
    expect(await joinAs(origin, watcher, SESSION, 'spectator')).toMatchObject({ ok: true });
    const closed = waitFor<{ sessionId: string }>(watcher, 'session:closed');
    origin.registry.close(SESSION, 'closed by host');
    expect((await closed).sessionId).toBe(SESSION);
    await waitUntil(() => !edge.edges!.has(SESSION), 'the relay closing', 2 * TTL_MS);
    expect(await ask(watcher, 'media:createTransport')).toMatchObject({
      ok: false,
      error: { code: 'NOT_JOINED' },
    });
  });
});
