/**
 * Three server processes' worth of fleet behind one real Redis (in this jest process,
 * each with its own registry, media workers and Socket.IO server): each publishes its
 * load; a session asked of a full process is placed on one with room, which answers with
 * the host token; a full fleet refuses with NO_CAPACITY and nothing changes; a session
 * with nobody connected pauses; a draining process tells its members, turns unready and
 * takes no new session.
 */
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { deleteKeys, startRedis, TestRedis, uniqueKeyPrefix } from '../helpers/redis';
import { ask, connect, SuiteClients, startTestServer, waitFor } from '../helpers/server';

let redis: TestRedis;
let prefix: string;
const fleet: RunningServer[] = [];
const clients = new SuiteClients(() => fleet[0]);

beforeAll(async () => {
  redis = await startRedis();
  prefix = uniqueKeyPrefix('fleet');
  for (let i = 0; i < 3; i++)
    fleet.push(
      await startTestServer({
        STORE_URL: redis.url,
        STORE_KEY_PREFIX: prefix,
        JOIN_SECRET: 'one-secret-for-the-whole-fleet',
        CREATE_KEY: 'one-operator-key-for-the-fleet',
        SESSIONS: '',
        SESSION_CAPACITY: '1',
        CONTROL_MODE: 'solo',
      }),
    );
}, 60000);

afterAll(async () => {
  clients.closeAll();
  for (const server of fleet) await server.close();
  if (redis) {
    await deleteKeys(redis.url, prefix);
    await redis.stop();
  }
});

type Created = { ok: true; session: { id: string }; token: string; placedAt?: string };

const sessionCount = () => fleet.reduce((n, server) => n + server.registry.all().length, 0);
const serverAt = (url: string) => fleet.find((server) => server.url === url)!;

/** A connection to `url` joined with `token`. */
async function joined(url: string, token: string): Promise<Socket> {
  const socket = clients.track(await connect({ url } as RunningServer));
  expect(await ask(socket, 'join', { token })).toMatchObject({ ok: true });
  return socket;
}

describe('a fleet of three processes with room for one session each', () => {
  const created: Created[] = [];

  it('publishes every process with its capacity and load', async () => {
    const loads = await fleet[0].store.processes.list();
    expect(loads.map((l) => l.url).sort()).toEqual(fleet.map((s) => s.url).sort());
    expect(loads.every((l) => l.capacity === 1 && l.sessions === 0 && !l.draining)).toBe(true);
  });

  it('places sessions where there is room, all asked of the same process', async () => {
    const lobby = clients.track(await connect(fleet[0]));
    for (let i = 0; i < 3; i++) {
      const reply = (await ask(lobby, 'session:create', { name: `host-${i}` })) as Created;
      expect(reply).toMatchObject({ ok: true });
      created.push(reply);
    }
    // The first fits where it was asked; the next two go to the other two processes.
    expect(created[0].placedAt).toBeUndefined();
    expect(fleet[0].registry.get(created[0].session.id)).toBeDefined();
    const placed = created.slice(1).map((c) => c.placedAt);
    expect([...placed].sort()).toEqual([fleet[1].url, fleet[2].url].sort());
    created.slice(1).forEach((c) => expect(serverAt(c.placedAt!).registry.get(c.session.id)));
  });

  it("lists the whole fleet's sessions in any process's lobby, with where each runs", async () => {
    const lobby = clients.track(await connect(fleet[1]));
    // Registrations are refreshed at each heartbeat; the counts at creation are enough here.
    const { sessions } = (await ask(lobby, 'session:list')) as unknown as {
      sessions: { id: string; url?: string; title: string; mode: string }[];
    };
    const byId = new Map(sessions.map((s) => [s.id, s]));
    expect(sessions).toHaveLength(3);
    for (const c of created) {
      const where = c.placedAt ?? fleet[0].url;
      expect(byId.get(c.session.id)).toMatchObject({ mode: 'solo', title: c.session.id });
      // Its own session has no url (this server); the others name their server.
      expect(byId.get(c.session.id)?.url).toBe(where === fleet[1].url ? undefined : where);
    }
  });

  it('refuses a fourth with NO_CAPACITY, creating nothing anywhere', async () => {
    const lobby = clients.track(await connect(fleet[1]));
    expect(await ask(lobby, 'session:create', { name: 'one-too-many' })).toMatchObject({
      ok: false,
      error: { code: 'NO_CAPACITY', message: expect.stringContaining('every server is full') },
    });
    expect(sessionCount()).toBe(3);
  });

  it("hands out a host token the placed session's process honours", async () => {
    const { session, token, placedAt } = created[1];
    const host = await joined(placedAt!, token);
    const tick = await waitFor<{ sessionId: string }>(host, 'tick');
    expect(tick.sessionId).toBe(session.id);
    host.close();
  });

  it('pauses a session while nobody is connected and resumes it on a join', async () => {
    const server = fleet[0];
    const session = server.registry.get(created[0].session.id);
    const paused = session.tick;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(session.tick).toBe(paused);
    expect(server.registry.list()[0]).toMatchObject({ id: session.id, paused: true });

    const host = await joined(server.url, created[0].token);
    await waitFor(host, 'tick');
    expect(session.tick).toBeGreaterThan(paused);
    expect(server.registry.list()[0]).toMatchObject({ paused: false });

    host.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = session.tick;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(session.tick).toBe(stopped);
  });

  it('drains: members told, unready, no new session taken; done when they leave', async () => {
    const { session, placedAt } = created[2];
    const server = serverAt(placedAt!);
    const token = await server.tokens.issue(session.id, 'spectator', 'watcher');
    const watcher = await joined(server.url, token);
    const told = waitFor<{ sessionId: string; withinMs: number }>(watcher, 'session:draining');
    const began = performance.now();
    const drained = server.drain(20000);

    expect(await told).toEqual({ sessionId: session.id, withinMs: 20000 });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const loads = await server.store.processes.list();
    expect(loads.find((l) => l.url === server.url)?.draining).toBe(true);
    // Asked directly, it places elsewhere (the fleet is full: refused).
    const lobby = clients.track(await connect(server));
    expect(await ask(lobby, 'session:create', { name: 'late' })).toMatchObject({
      ok: false,
      error: { code: 'NO_CAPACITY' },
    });

    watcher.close();
    await drained;
    expect(performance.now() - began).toBeLessThan(10000);
    // The session goes on until the process closes it.
    expect(server.registry.get(session.id).isClosed).toBe(false);
  });
});
