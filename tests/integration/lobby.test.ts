/**
 * The lobby under a flood, through a real server: creating a session needs a credential
 * (the operator key or a signed create token), each credential and each address keeps
 * a bounded number of sessions open, sessions nobody joins are reclaimed soon, and the
 * existing session keeps its tick rate while strangers hammer `session:create`.
 */
import { io, Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { JoinTokens } from '../../server/session/join-tokens';
import { TickMetadata } from '../../server/session/session';
import { liveUrl, spawnLocalMain } from '../helpers/process';
import { ask, joinAs, Reply, startTestServer, waitFor } from '../helpers/server';

let server: RunningServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startTestServer({
    SESSIONS: 'home',
    CREATE_QUOTA: '2',
    CREATE_ADDRESS_QUOTA: '4',
  });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close();
});

/** A client with the given lobby credential (none: a stranger). */
async function client(key?: string, url = server.url): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, auth: { key } });
  sockets.push(socket);
  await new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(null));
    socket.once('connect_error', reject);
  });
  return socket;
}

/** `perClient` creates from each of `clients` connections at once. */
async function flood(key: string | undefined, clients: number, perClient: number, url?: string) {
  const conns = await Promise.all(Array.from({ length: clients }, () => client(key, url)));
  const replies = await Promise.all(
    conns.flatMap((c) =>
      Array.from({ length: perClient }, () => ask(c, 'session:create', { name: 'spam' })),
    ),
  );
  for (const c of conns) c.close();
  return replies;
}

const codes = (replies: Reply[]) =>
  replies.reduce<Record<string, number>>((n, r) => {
    const code = r.ok ? 'ok' : r.error.code;
    return { ...n, [code]: (n[code] ?? 0) + 1 };
  }, {});

/** Ticks per second of `socket`'s session over `ms`, from the ticks' own numbers. */
async function tickRate(socket: Socket, ms: number): Promise<number> {
  const first = await waitFor<TickMetadata>(socket, 'tick');
  const began = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const last = await waitFor<TickMetadata>(socket, 'tick');
  return ((last.tick - first.tick) / (performance.now() - began)) * 1000;
}

it('refuses a credential-less flood while the existing session keeps its tick rate', async () => {
  // The server in its own process, so the flood's client side does not share its event loop.
  const secret = 'lobby-flood-secret-0123456789';
  const served = spawnLocalMain({
    SESSIONS: 'home',
    FRAME_SOURCE: 'engine',
    JOIN_SECRET: secret,
  });
  try {
    const url = await liveUrl(served);
    const member = await client(undefined, url);
    const token = await new JoinTokens(secret, 60).issue('home', 'spectator', 'watcher');
    expect(await ask(member, 'join', { token })).toMatchObject({ ok: true });
    const before = await tickRate(member, 3000);

    const during = tickRate(member, 3000);
    const replies = (
      await Promise.all([
        flood(undefined, 50, 5, url),
        flood('wrong-key-of-enough-length', 10, 5, url),
      ])
    ).flat();
    expect(codes(replies)).toEqual({ FORBIDDEN: 300 });
    const list = (await ask(member, 'session:list')) as unknown as { sessions: { id: string }[] };
    expect(list.sessions.map((s) => s.id)).toEqual(['home']);
    expect(await during).toBeGreaterThanOrEqual(before * 0.95);
  } finally {
    served.child.kill('SIGTERM');
    await served.exited;
  }
});

it('holds each credential and each address to its quota; another credential still creates', async () => {
  const spam = await server.tokens.issueCreate('spammer');
  const replies = await flood(spam, 20, 2);
  expect(codes(replies)).toEqual({ ok: 2, QUOTA_EXCEEDED: 38 });

  const operator = await client(server.createKey);
  expect(await ask(operator, 'session:create', { name: 'real' })).toMatchObject({ ok: true });
  // A third credential from the same address meets the address's quota of 4.
  const other = await client(await server.tokens.issueCreate('neighbour'));
  expect(await ask(other, 'session:create', { name: 'n' })).toMatchObject({ ok: true });
  expect(await ask(other, 'session:create', { name: 'n' })).toMatchObject({
    ok: false,
    error: { code: 'QUOTA_EXCEEDED', message: expect.stringContaining('address') },
  });
});

it('reclaims sessions nobody joins, and their quota with them', async () => {
  // A server of its own: its quick reclaim must not race the quota test's sessions.
  const quick = await startTestServer({
    SESSIONS: 'home',
    CREATE_QUOTA: '2',
    UNJOINED_CLOSE_MS: '1000',
  });
  try {
    const ids = () =>
      quick.registry
        .all()
        .map((s) => s.id)
        .sort();
    const owner = await client(quick.createKey, quick.url);
    const create = (name: string) => ask(owner, 'session:create', { name });
    const kept = (await create('kept')) as unknown as { token: string; session: { id: string } };
    const unused = (await create('unused')) as unknown as { session: { id: string } };
    expect(await create('third')).toMatchObject({ ok: false, error: { code: 'QUOTA_EXCEEDED' } });
    await joinAs(quick, await client(undefined, quick.url), kept.session.id, 'spectator');
    await new Promise((r) => setTimeout(r, 2500));
    expect(ids()).toEqual(['home', kept.session.id].sort());
    expect(ids()).not.toContain(unused.session.id);
    expect(await create('again')).toMatchObject({ ok: true });
  } finally {
    await quick.close();
  }
});

it('refuses a join token as a create credential, and a create token as a join token', async () => {
  const joinToken = await server.tokens.issue('home', 'player', 'p');
  expect(await ask(await client(joinToken), 'session:create', { name: 'x' })).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN' },
  });
  const createToken = await server.tokens.issueCreate('someone');
  expect(await ask(await client(), 'join', { token: createToken })).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN' },
  });
});
