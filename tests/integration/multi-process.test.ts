/**
 * Two server processes behind one real Redis (this jest process and a spawned one): each serves its own session, both see
 * every session in the shared registry, a client routed by one process plays on the
 * other, and each tick's action lands in the Redis action log, from which a replay
 * reproduces the live frame byte for byte.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { deleteKeys, startRedis, TestRedis, uniqueKeyPrefix } from '../helpers/redis';
import { probeVideo, tempVideoPath } from '../helpers/video';
import { lastReplayedFrame } from '../helpers/replay';
import { liveUrl, ServerProcess, spawnLocalMain } from '../helpers/process';
import { ask, connect, joinAs, startTestServer, waitFor } from '../helpers/server';

let redis: TestRedis;
let prefix: string;
let alpha: RunningServer;
/** The second process: a real separate OS process running the main command. */
let beta: ServerProcess;
let betaUrl: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedis();
  prefix = uniqueKeyPrefix('multi');
  const shared = {
    STORE_URL: redis.url,
    STORE_KEY_PREFIX: prefix,
    JOIN_SECRET: 'one-secret-for-both-processes',
    CONTROL_MODE: 'solo',
    // Replays are compared byte for byte, which only the engine guarantees.
    FRAME_SOURCE: 'engine',
  };
  alpha = await startTestServer({ ...shared, SESSIONS: 'world-a' });
  beta = spawnLocalMain({
    ...shared,
    SESSIONS: 'world-b',
  });
  betaUrl = await liveUrl(beta);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await alpha?.close();
  beta?.child.kill('SIGTERM');
  await beta?.exited;
  if (redis) {
    await deleteKeys(redis.url, prefix);
    await redis.stop();
  }
});

describe('two processes sharing one Redis', () => {
  it('list every session with the process that serves it', async () => {
    const entries = await alpha.store.sessions.list();
    expect(entries.map((e) => [e.sessionId, e.url]).sort()).toEqual([
      ['world-a', alpha.url],
      ['world-b', betaUrl],
    ]);
  });

  it('route a client of one process to a session the other serves', async () => {
    const lobby = await connect(alpha);
    sockets.push(lobby);
    const located = (await ask(lobby, 'session:locate', { sessionId: 'world-b' })) as unknown as {
      url: string;
    };
    expect(located).toMatchObject({ ok: true, url: betaUrl });
    // A token signed by alpha is valid on beta: the processes share the secret.
    const token = await alpha.tokens.issue('world-b', 'player', 'traveller');
    const player = await connect({ url: located.url } as RunningServer);
    sockets.push(player);
    expect(await ask(player, 'join', { token })).toMatchObject({
      ok: true,
      member: { role: 'player' },
    });
    player.emit('action', { seq: 1, keys: ['forward'] });
    const tick = await waitFor<{ keys: string[]; sessionId: string }>(player, 'tick', (t) =>
      t.keys.includes('forward'),
    );
    expect(tick.sessionId).toBe('world-b');
    expect(await presenceOf(alpha, 'world-b')).toEqual(['player']);
  });

  it('log every tick to Redis, and replay the log into the live frame', async () => {
    const driver = await connect(alpha);
    sockets.push(driver);
    await joinAs(alpha, driver, 'world-a', 'player');
    driver.emit('action', { seq: 1, keys: ['turn_left', 'forward'] });
    await waitFor<{ keys: string[] }>(driver, 'tick', (t) => t.keys.includes('turn_left'));
    expect(await ask(driver, 'instruction', { text: 'time=dusk' })).toMatchObject({ ok: true });
    await waitFor<{ instructions: string[] }>(driver, 'tick', (t) => t.instructions.length > 0);
    await alpha.loop.stop();
    await new Promise((r) => setTimeout(r, 200)); // let the last appends land
    const live = alpha.source.current('world-a');
    const origin = await alpha.store.actions.origin('world-a');
    const log = await alpha.store.actions.read('world-a');
    expect(log.length).toBe(alpha.registry.get('world-a').tick);
    expect(log.some((e) => e.instructions.length === 1)).toBe(true);
    const last = await lastReplayedFrame(origin!, log);
    expect(Buffer.compare(last, live)).toBe(0);
  });
});

describe('the replay command', () => {
  it('renders a logged session from Redis to a video file', () => {
    const out = tempVideoPath('world-a.mkv');
    const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
    const args = [
      'server/replay/replay-cli.ts',
      '--session',
      'world-a',
      '--out',
      out,
      '--store',
      redis.url,
      '--prefix',
      prefix,
    ];
    const printed = execFileSync(tsx, args, { cwd: path.resolve(__dirname, '../..') }).toString();
    const ticks = alpha.registry.get('world-a').tick;
    expect(printed).toContain(`${ticks + 1} frames of "world-a"`);
    expect(probeVideo(out).frames).toBe(ticks + 1);
  });
});

async function presenceOf(server: RunningServer, sessionId: string): Promise<string[]> {
  return (await server.store.presence.list(sessionId)).map((m) => m.role).sort();
}
