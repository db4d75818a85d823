/**
 * Redis outages against a real server and a redis-server of the test's own (AOF on, as
 * docs/RELIABILITY.md asks of a deployment), killed and started again: ticks reach
 * clients undelayed while Redis is gone, the action log is complete from tick 0 once it
 * is back (and replays into the live frame), the registry and the log's origin are
 * published again, and SIGTERM with Redis down still exits 0.
 */
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { TickMetadata } from '../../server/session/session';
import { lastReplayedFrame } from '../helpers/replay';
import { liveUrl, spawnLocalMain } from '../helpers/process';
import { OwnRedis, startOwnRedis, uniqueKeyPrefix } from '../helpers/redis';
import { ask, connect, joinAs, startTestServer, waitFor, waitUntil } from '../helpers/server';

const hostToken = (stdout: string) => /#token=(\S+)/.exec(stdout)![1];

let redis: OwnRedis;

beforeAll(async () => {
  redis = await startOwnRedis({ appendOnly: true });
});

afterAll(async () => {
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Until `test` holds (a rejection counts as not yet: the store may be away), every 100 ms. */
const until = (test: () => Promise<boolean>, what: string, timeoutMs = 15_000) =>
  waitUntil(() => test().catch(() => false), what, timeoutMs, 100);

describe.each([5, 20])('a %i s Redis outage', (seconds) => {
  let server: RunningServer;
  let player: Socket;
  const arrivals: { tick: number; at: number }[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      SESSIONS: 'steady',
      STORE_URL: redis.url,
      STORE_KEY_PREFIX: uniqueKeyPrefix(`outage-${seconds}`),
      STORE_TTL_MS: '3000',
      CONTROL_MODE: 'solo',
    });
    player = await connect(server);
    await joinAs(server, player, 'steady', 'player');
    player.on('tick', (t: TickMetadata) => arrivals.push({ tick: t.tick, at: performance.now() }));
  });

  afterAll(async () => {
    player?.close();
    await server?.close();
  });

  it('keeps ticks flowing to clients, then logs every tick from 0 and republishes the session', async () => {
    player.emit('action', { seq: 1, keys: ['forward', 'turn_left'] });
    await waitFor<TickMetadata>(player, 'tick', (t) => t.appliedSeq === 1);
    await redis.kill();
    const down = performance.now();
    await sleep(seconds * 1000);
    await redis.restart();
    const up = performance.now();
    player.emit('action', { seq: 2, keys: ['jump'] });
    await waitFor<TickMetadata>(player, 'tick', (t) => t.appliedSeq === 2);

    // Ticks kept arriving at their pace while Redis was gone: no stall, no burst after.
    const during = arrivals.filter((a) => a.at >= down && a.at <= up + 1000);
    const gaps = during.slice(1).map((a, i) => a.at - during[i].at);
    expect(during.length).toBeGreaterThan(((seconds + 1) * 1000 * 0.8) / 50);
    expect(Math.max(...gaps)).toBeLessThan(1000);

    // The log catches up: every tick from 0, the origin, and the registry entry are back.
    const session = server.registry.get('steady');
    await until(
      async () => (await server.store.actions.length('steady')) >= session.tick - 1,
      'the log to catch up',
    );
    await server.loop.stop();
    await until(
      async () => (await server.store.actions.length('steady')) === session.tick,
      'the last appends',
    );
    const log = await server.store.actions.read('steady');
    expect(log.map((e) => e.tick)).toEqual([...Array(session.tick).keys()]);
    const origin = await server.store.actions.origin('steady');
    expect(origin).not.toBeNull();
    expect(await server.store.sessions.lookup('steady')).toMatchObject({ url: server.url });
    expect((await server.store.presence.list('steady')).map((m) => m.role)).toEqual(['player']);
    const health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health.store).toEqual({ available: true, actionLog: { waiting: 0, dropped: 0 } });
    const last = await lastReplayedFrame(origin!, log);
    expect(Buffer.compare(last, server.source.current('steady'))).toBe(0);
  });
});

it('exits 0 on SIGTERM while Redis is down', async () => {
  const served = spawnLocalMain({
    SESSIONS: 'stopping',
    FRAME_SOURCE: 'engine',
    LOG_LEVEL: 'info',
    STORE_URL: redis.url,
    STORE_KEY_PREFIX: uniqueKeyPrefix('sigterm'),
  });
  const url = await liveUrl(served);
  const member = await connect({ url, createKey: '' } as RunningServer);
  await ask(member, 'join', { token: hostToken(served.output.stdout) });
  await redis.kill();
  await sleep(6000);
  served.child.kill('SIGTERM');
  const code = await served.exited;
  await redis.restart();
  member.close();
  expect({ code, stopped: served.output.stderr.includes('worldtick stopped') }).toEqual({
    code: 0,
    stopped: true,
  });
});
