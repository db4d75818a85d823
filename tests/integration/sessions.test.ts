/**
 * Session lifecycle and roles through a real server: signed join tokens, capacity,
 * create/list/invite/close, idle close, and reconnection inside and outside the window.
 */
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { JoinTokens } from '../../server/session/join-tokens';
import { ask, connect, joinAs, startTestServer, waitFor } from '../helpers/server';

let server: RunningServer;
const sockets: Socket[] = [];
const open = async () => {
  const socket = await connect(server);
  sockets.push(socket);
  return socket;
};
type Joined = { ok: true; member: { id: string; role: string; resumeToken: string } };

beforeAll(async () => {
  server = await startTestServer({
    SESSIONS: 'lobby',
    MAX_PLAYERS: '2',
    RECONNECT_WINDOW_MS: '1500',
    IDLE_CLOSE_MS: '1000',
    OPEN_INVITES: 'false',
  });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close();
});

describe('join tokens and roles', () => {
  it('refuses a join without a valid signed token', async () => {
    const socket = await open();
    expect(await ask(socket, 'join', { token: 'not-a-jwt' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const forged = await new JoinTokens('another-secret-of-16+', 60).issue(
      'lobby',
      'host',
      'mallory',
    );
    expect(await ask(socket, 'join', { token: forged })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'join token is not valid for this server' },
    });
  });

  it('takes the role from the token and enforces capacity per role', async () => {
    const [a, b, c] = [await open(), await open(), await open()];
    expect(await joinAs(server, a, 'lobby', 'player')).toMatchObject({
      ok: true,
      member: { role: 'player' },
    });
    expect(await joinAs(server, b, 'lobby', 'player')).toMatchObject({ ok: true });
    expect(await joinAs(server, c, 'lobby', 'player')).toMatchObject({
      ok: false,
      error: {
        code: 'SESSION_FULL',
        message: expect.stringContaining('no free player seat (2 max)'),
      },
    });
    expect(await joinAs(server, c, 'lobby', 'spectator')).toMatchObject({
      ok: true,
      member: { role: 'spectator' },
    });
    for (const s of [a, b, c]) await ask(s, 'leave', {});
  });

  it('lets only a host invite when invites are closed, and only a host close', async () => {
    const guest = await open();
    expect(
      await ask(guest, 'session:invite', { sessionId: 'lobby', role: 'player', name: 'g' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const created = (await ask(guest, 'session:create', { id: 'party', name: 'hana' })) as {
      ok: true;
      token: string;
    };
    expect(created).toMatchObject({ ok: true, session: { id: 'party' } });
    const host = await open();
    expect(await ask(host, 'join', { token: created.token })).toMatchObject({
      ok: true,
      member: { role: 'host' },
    });
    const invite = (await ask(host, 'session:invite', {
      sessionId: 'party',
      role: 'player',
      name: 'kai',
    })) as { ok: true; token: string };
    expect(await ask(guest, 'join', { token: invite.token })).toMatchObject({
      ok: true,
      member: { role: 'player' },
    });
    expect(await ask(guest, 'session:close', {})).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const list = (await ask(guest, 'session:list', {})) as {
      ok: true;
      sessions: { id: string; players: number }[];
    };
    expect(list.sessions).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'party', players: 2 })]),
    );
    const closed = waitFor(guest, 'session:closed');
    expect(await ask(host, 'session:close', {})).toEqual({ ok: true });
    await closed;
    expect(() => server.registry.get('party')).toThrow(/no session "party"/);
  });
});

describe('idle sessions', () => {
  it('closes a run-time session nobody is connected to, and keeps configured ones', async () => {
    const socket = await open();
    expect(await ask(socket, 'session:create', { id: 'brief', name: 'x' })).toMatchObject({
      ok: true,
    });
    await new Promise((r) => setTimeout(r, 2500));
    expect(() => server.registry.get('brief')).toThrow(/no session/);
    expect(server.registry.get('lobby').isClosed).toBe(false);
  });
});

describe('reconnection', () => {
  it('keeps identity and role when a member resumes inside the window, without a duplicate', async () => {
    const first = await open();
    const token = await server.tokens.issue('lobby', 'player', 'rin');
    const joined = (await ask(first, 'join', { token })) as Joined;
    const before = server.registry.get('lobby').memberCount();
    first.disconnect();
    await new Promise((r) => setTimeout(r, 300));
    const again = await open();
    const resumed = (await ask(again, 'join', {
      token,
      resume: joined.member.resumeToken,
    })) as Joined;
    expect(resumed.member.id).toBe(joined.member.id);
    expect(server.registry.get('lobby').memberCount()).toBe(before);
    await ask(again, 'leave', {});
  });

  it('forgets a member who stays away past the window', async () => {
    const socket = await open();
    const token = await server.tokens.issue('lobby', 'player', 'p');
    const joined = (await ask(socket, 'join', { token })) as Joined;
    socket.disconnect();
    await new Promise((r) => setTimeout(r, 2000));
    const again = await open();
    expect(await ask(again, 'join', { token, resume: joined.member.resumeToken })).toMatchObject({
      ok: false,
      error: {
        code: 'FORBIDDEN',
        message: expect.stringContaining('reconnection window has passed'),
      },
    });
  });

  it('recovers a dropped Socket.IO connection with its membership and room', async () => {
    const socket = await open();
    const joined = (await joinAs(server, socket, 'lobby', 'player')) as Joined;
    // The proof a recovered connection must bring (what the browser client sends).
    socket.auth = { resume: joined.member.resumeToken };
    // Recovery resumes from the last broadcast the client saw.
    await waitFor(socket, 'tick');
    // Drop the transport without a clean disconnect, as a network failure would.
    const reconnected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    (socket.io.engine as unknown as { transport: { close(): void } }).transport.close();
    await reconnected;
    expect(socket.recovered).toBe(true);
    await waitFor(socket, 'tick');
    socket.emit('action', { seq: 1, keys: ['forward'] });
    const tick = await waitFor<{ keys: string[] }>(socket, 'tick', (t) =>
      t.keys.includes('forward'),
    );
    expect(tick.keys).toEqual(['forward']);
  });
});

describe('lobby limits', () => {
  it('caps sessions per process and rate-limits lobby requests per connection', async () => {
    const small = await startTestServer({ SESSIONS: 'only', MAX_SESSIONS: '2' });
    try {
      const socket = await connect(small);
      sockets.push(socket);
      expect(await ask(socket, 'session:create', { id: 'second', name: 'a' })).toMatchObject({
        ok: true,
      });
      expect(await ask(socket, 'session:create', { id: 'third', name: 'a' })).toMatchObject({
        ok: false,
        error: { code: 'NO_CAPACITY', message: expect.stringContaining('every server is full') },
      });
      const replies = await Promise.all(
        Array.from({ length: 12 }, () => ask(socket, 'session:list', {})),
      );
      expect(
        replies.filter((r) => !r.ok && r.error.code === 'RATE_LIMITED').length,
      ).toBeGreaterThan(0);
      const other = await connect(small);
      sockets.push(other);
      expect(await ask(other, 'session:list', {})).toMatchObject({ ok: true });
    } finally {
      await small.close();
    }
  });
});
