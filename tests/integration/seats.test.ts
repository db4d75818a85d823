/**
 * Seats nobody can steal, through a real server: a resume token works only with the
 * join token its seat was taken with, a Socket.IO recovery id alone restores no role,
 * join tokens must expire, invites are single-use, and a reloaded page (whose sequence
 * numbers start again) steers at once.
 */
import { SignJWT } from 'jose';
import { io } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { TickMetadata } from '../../server/session/session';
import { ask, joinAs, startTestServer, waitFor, SuiteClients } from '../helpers/server';

const SECRET = 'seats-test-secret-0123456789';
let server: RunningServer;
const clients = new SuiteClients(() => server);
type Joined = { ok: true; member: { id: string; role: string; resumeToken: string } };

beforeAll(async () => {
  server = await startTestServer({
    SESSIONS: 'keep,reload',
    JOIN_SECRET: SECRET,
    CONTROL_MODE: 'solo',
    RECONNECT_WINDOW_MS: '10000',
  });
});

afterAll(async () => {
  clients.closeAll();
  await server?.close();
});

const open = () => clients.open();
const forbidden = (message: string | RegExp) => ({
  ok: false,
  error: {
    code: 'FORBIDDEN',
    message: typeof message === 'string' ? expect.stringContaining(message) : message,
  },
});
const away = () => new Promise((r) => setTimeout(r, 200));

it('refuses a stolen resume token with any other join token, and the owner still resumes', async () => {
  const victim = await open();
  const victimToken = await server.tokens.issue('keep', 'player', 'vic');
  const seat = (await ask(victim, 'join', { token: victimToken })) as Joined;
  victim.disconnect();
  await away();

  const thief = await open();
  for (const name of ['mallory', 'vic']) {
    const token = await server.tokens.issue('keep', 'player', name);
    expect(await ask(thief, 'join', { token, resume: seat.member.resumeToken })).toEqual(
      forbidden('belongs to another join token'),
    );
  }
  const again = await open();
  expect(
    await ask(again, 'join', { token: victimToken, resume: seat.member.resumeToken }),
  ).toMatchObject({ ok: true, member: { id: seat.member.id } });
  await ask(again, 'leave', {});
});

it('gives a stolen Socket.IO recovery id no role without the member’s resume secret', async () => {
  const host = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
  clients.track(host);
  await new Promise((resolve) => host.once('connect', () => resolve(null)));
  const token = await server.tokens.issue('keep', 'host', 'boss');
  expect(await ask(host, 'join', { token })).toMatchObject({ ok: true, member: { role: 'host' } });
  await waitFor(host, 'tick'); // carries the offset recovery resumes from
  const { _pid: pid, _lastOffset: offset } = host as unknown as {
    _pid: string;
    _lastOffset: string;
  };
  const hostId = host.id;
  host.io.engine.close(); // dropped, not a clean disconnect: the server keeps the recovery state
  await away();

  const thief = io(server.url, {
    transports: ['websocket'],
    forceNew: true,
    auth: { pid, offset },
  });
  clients.track(thief);
  await new Promise((resolve) => thief.once('connect', () => resolve(null)));
  expect(thief.id).toBe(hostId); // the server did restore the dropped connection's state
  expect(await ask(thief, 'session:close', {})).toMatchObject({
    ok: false,
    error: { code: 'NOT_JOINED' },
  });
  expect(server.registry.get('keep').isClosed).toBe(false);
  // Nor does the room's traffic reach it.
  await expect(waitFor(thief, 'tick', () => true, 500)).rejects.toThrow(/no matching/);
});

it('refuses a join token without an expiry', async () => {
  const noExp = await new SignJWT({ sid: 'keep', role: 'player', joins: 0 })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('forever')
    .setJti('no-exp')
    .setIssuer('worldtick')
    .sign(new TextEncoder().encode(SECRET));
  expect(await ask(await open(), 'join', { token: noExp })).toEqual(forbidden('"exp" claim'));
});

it('admits one join per invite; its holder may still resume with it', async () => {
  const [first, second] = [await open(), await open()];
  const invite = (await ask(first, 'session:invite', {
    sessionId: 'keep',
    role: 'spectator',
    name: 'fan',
  })) as unknown as { token: string };
  const seat = (await ask(first, 'join', { token: invite.token })) as Joined;
  expect(seat).toMatchObject({ ok: true });
  expect(await ask(second, 'join', { token: invite.token })).toEqual(
    forbidden('admits 1 join(s) and has been used'),
  );
  first.disconnect();
  await away();
  expect(
    await ask(second, 'join', { token: invite.token, resume: seat.member.resumeToken }),
  ).toMatchObject({ ok: true, member: { id: seat.member.id } });
});

it('applies a reloaded page’s inputs at once, though its sequence starts again', async () => {
  const page = await open();
  const token = await server.tokens.issue('reload', 'player', 'pilot');
  const seat = (await ask(page, 'join', { token })) as Joined;
  page.emit('action', { seq: 5000, keys: ['forward'] });
  await waitFor<TickMetadata>(page, 'tick', (t) => t.appliedSeq === 5000);
  page.disconnect();
  await away();

  const reloaded = await open();
  expect(await ask(reloaded, 'join', { token, resume: seat.member.resumeToken })).toMatchObject({
    ok: true,
  });
  reloaded.emit('action', { seq: 1, keys: ['jump'] });
  const tick = await waitFor<TickMetadata>(reloaded, 'tick', (t) => t.appliedSeq === 1);
  expect(tick.keys).toEqual(['jump']);
  expect(tick.pilot).toBe(seat.member.id);
  await ask(reloaded, 'leave', {});
});

it('joins with the helper’s fresh tokens as before', async () => {
  expect(await joinAs(server, await open(), 'reload', 'spectator')).toMatchObject({ ok: true });
});
