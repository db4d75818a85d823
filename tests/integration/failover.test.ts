/**
 * Failover: a server process (a real separate OS process) is killed with SIGKILL while
 * its session is being played; another process sharing the Redis takes the session over
 * once its registry claim lapses. An engine session resumes from the action log at the
 * tick it had reached with the very frame the dead process last made; the player takes
 * back its own seat there (same member id, restored from the store) with its join token
 * and resume secret, and the world and its log go on without a gap. A generator session resumes from its latest stored snapshot plus the logged ticks
 * since, to the frame a replay of its whole log makes.
 */
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { JoinTokens } from '../../server/session/join-tokens';
import { deleteKeys, startRedis, TestRedis, uniqueKeyPrefix } from '../helpers/redis';
import { lastReplayedFrame } from '../helpers/replay';
import { replayFrames } from '../../server/replay/replay';
import { liveUrl, ServerProcess, spawnLocalMain } from '../helpers/process';
import { ask, connect, startTestServer, waitFor } from '../helpers/server';

const SECRET = 'one-secret-for-the-whole-fleet';
const TTL_MS = 1500;
let redis: TestRedis;
let prefix: string;
let doomed: ServerProcess;
let survivor: RunningServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  redis = await startRedis();
  prefix = uniqueKeyPrefix('failover');
  const shared = fleetEnv('engine');
  doomed = spawnLocalMain({
    ...shared,
    SESSIONS: 'world',
  });
  survivor = await startTestServer({ ...shared, SESSIONS: '' });
}, 60000);

afterAll(async () => {
  for (const s of sockets) s.close();
  doomed?.child.kill('SIGKILL');
  await survivor?.close();
  if (redis) {
    await deleteKeys(redis.url, prefix);
    await redis.stop();
  }
});

/** What every process of this suite's fleet shares: one Redis, TTL and secret. */
const fleetEnv = (frameSource: 'engine' | 'generator') => ({
  STORE_URL: redis.url,
  STORE_KEY_PREFIX: prefix,
  STORE_TTL_MS: String(TTL_MS),
  JOIN_SECRET: SECRET,
  CONTROL_MODE: 'solo',
  FRAME_SOURCE: frameSource,
});

const tickOf = (
  socket: Socket,
  test: (t: { tick: number; keys: string[] }) => boolean,
  ms = 10000,
) => waitFor<{ tick: number; keys: string[] }>(socket, 'tick', test, ms);

it("resumes a killed process's engine session elsewhere, byte-identical, and the player takes back its seat", async () => {
  const doomedUrl = await liveUrl(doomed);
  const token = await new JoinTokens(SECRET, 600).issue('world', 'player', 'pilot');
  const player = await connect({ url: doomedUrl } as RunningServer);
  sockets.push(player);
  const seated = await ask(player, 'join', { token });
  expect(seated).toMatchObject({ ok: true, member: { role: 'player' } });
  const seat = (seated as unknown as { member: { id: string; resumeToken: string } }).member;
  // Steer a little so the log holds more than idle ticks.
  player.emit('action', { seq: 1, keys: ['forward', 'turn_left'] });
  await tickOf(player, (t) => t.tick >= 20);
  player.emit('action', { seq: 2, keys: ['turn_right'] });
  await tickOf(player, (t) => t.tick >= 40);

  doomed.child.kill('SIGKILL');
  await doomed.exited;
  const killedAt = performance.now();
  player.close();

  // The survivor takes it over once the dead process's claim lapses.
  let resumed: string[] = [];
  while (!resumed.includes('world') && performance.now() - killedAt < 15000) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    resumed = survivor.registry.all().map((s) => s.id);
  }
  expect(resumed).toContain('world');
  const session = survivor.registry.get('world');
  const origin = (await survivor.store.actions.origin('world'))!;
  const logged = await survivor.store.actions.read('world');
  // It goes on from the last tick the dead process logged, with that tick's very frame.
  expect(session.startTick).toBe(logged.length);
  expect(session.startTick).toBeGreaterThanOrEqual(40);
  expect(Buffer.from(survivor.source.current('world'))).toEqual(
    Buffer.from(await lastReplayedFrame(origin, logged)),
  );

  // Its seat came along, waiting for its member.
  expect(session.roster().members).toEqual([
    { id: seat.id, name: 'pilot', role: 'player', connected: false },
  ]);
  // The client finds where it went, and takes its seat back there.
  const lobby = await connect(survivor);
  sockets.push(lobby);
  expect(await ask(lobby, 'session:locate', { sessionId: 'world' })).toMatchObject({
    url: survivor.url,
  });
  const again = await connect(survivor);
  sockets.push(again);
  expect(await ask(again, 'join', { token, resume: seat.resumeToken })).toMatchObject({
    ok: true,
    member: { id: seat.id, role: 'player', name: 'pilot' },
  });
  const first = await tickOf(again, () => true);
  expect(first.tick).toBe(session.startTick);
  again.emit('action', { seq: 1, keys: ['turn_left'] });
  await tickOf(again, (t) => t.keys.includes('turn_left'));
  await tickOf(again, (t) => t.tick >= session.startTick + 20);

  // One log across both processes, without a gap, replaying into the live frame.
  again.close();
  await new Promise((resolve) => setTimeout(resolve, 300)); // paused now; the last ticks land
  const whole = await survivor.store.actions.read('world');
  expect(whole.map((e) => e.tick)).toEqual([...whole.keys()]);
  expect(whole.length).toBe(session.tick);
  expect(Buffer.from(survivor.source.current('world'))).toEqual(
    Buffer.from(await lastReplayedFrame(origin, whole)),
  );
}, 60000);

it("resumes a killed process's generator session from its snapshot and the ticks since", async () => {
  const shared = {
    ...fleetEnv('generator'),
    // Every 10 ticks, so the kill lands between two snapshots.
    SNAPSHOT_EVERY_MS: '500',
  };
  const dreamer = spawnLocalMain({
    ...shared,
    // Run differently from the heir's defaults: the resumed session keeps its own.
    CONTROL_MODE: 'anarchy',
    INSTRUCTION_RULE: 'host',
    SESSIONS: 'dream',
  });
  const heir = await startTestServer({ ...shared, SESSIONS: '' });
  try {
    const url = await liveUrl(dreamer);
    const token = await new JoinTokens(SECRET, 600).issue('dream', 'player', 'pilot');
    const player = await connect({ url } as RunningServer);
    sockets.push(player);
    expect(await ask(player, 'join', { token })).toMatchObject({ ok: true });
    player.emit('action', { seq: 1, keys: ['forward', 'turn_right'] });
    await tickOf(player, (t) => t.tick >= 35);
    dreamer.child.kill('SIGKILL');
    await dreamer.exited;
    player.close();

    const began = performance.now();
    const resumedThere = () => heir.registry.all().some((s) => s.id === 'dream');
    while (!resumedThere() && performance.now() - began < 15000)
      await new Promise((resolve) => setTimeout(resolve, 200));
    const session = heir.registry.get('dream');
    const logged = await heir.store.actions.read('dream');
    const snapshot = (await heir.store.actions.snapshot('dream'))!;
    expect(session.startTick).toBe(logged.length);
    expect(session.control.mode).toBe('anarchy');
    expect(session.control.options.instructions.rule).toBe('host');
    expect(snapshot.tick % 10).toBe(0);
    expect(snapshot.tick).toBeGreaterThanOrEqual(30);
    expect(snapshot.tick).toBeLessThanOrEqual(logged.length);

    // The whole log replayed from the seed on the same model draws the same frame.
    const origin = (await heir.store.actions.origin('dream'))!;
    let replayed: Uint8Array | null = null;
    for await (const { frame } of replayFrames(origin, logged, heir.source)) replayed = frame;
    const resumed = heir.source.current('dream');
    const meanDifference =
      resumed.reduce((sum, value, i) => sum + Math.abs(value - replayed![i]), 0) / resumed.length;
    // Byte-identical on one machine; a hair of float difference is allowed elsewhere.
    // (Skipping the ticks since the snapshot makes it about 1.8.)
    expect(meanDifference).toBeLessThan(0.05);
  } finally {
    dreamer.child.kill('SIGKILL');
    await heir.close();
  }
}, 90000);
