/**
 * Hostile wire input through a real server (Socket.IO, mediasoup, engine): payloads no
 * client library would send, media requests out of order or malformed, names built to
 * mislead. Each gets a typed error to its sender (never INTERNAL), every ack is answered,
 * and the session keeps ticking.
 */
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { MAX_BYTES } from '../../server/protocol/client-events';
import { TickMetadata } from '../../server/session/session';
import { ask, connect, joinAs, startTestServer, waitFor, SuiteClients } from '../helpers/server';
import { deepArray, deepObject, rawAsk } from '../helpers/wire';

let server: RunningServer;
let player: Socket;
const clients = new SuiteClients(() => server);

beforeAll(async () => {
  server = await startTestServer({ SESSIONS: 'arena', CONTROL_MODE: 'solo' });
  player = await connect(server);
  clients.track(player);
  expect(await joinAs(server, player, 'arena', 'player')).toMatchObject({ ok: true });
});

afterAll(async () => {
  clients.closeAll();
  await server?.close();
});

const open = () => clients.open();

describe('payloads no client library sends', () => {
  it.each(Object.keys(MAX_BYTES))(
    'answers "%s" nested 10,000 deep with a typed error',
    async (event) => {
      for (const json of [deepArray(10_000), deepObject(10_000)]) {
        const reply = await rawAsk(player, event, json);
        // Too deep, or too large for the event's budget before the walk got that deep.
        expect(reply).toMatchObject({ ok: false });
        expect(['BAD_REQUEST', 'PAYLOAD_TOO_LARGE']).toContain(!reply.ok && reply.error.code);
      }
    },
  );

  it('refuses prototype keys and binary attachments with BAD_REQUEST', async () => {
    expect(
      await rawAsk(player, 'action', '{"__proto__":{"seq":1,"keys":[]},"seq":1,"keys":[]}'),
    ).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(
      await rawAsk(player, 'join', '{"token":"x","constructor":{"prototype":{}}}'),
    ).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(await ask(player, 'action', { seq: 1, keys: Buffer.from('forward') })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('binary') },
    });
  });

  it('answers every ack: no payload, several payloads, unknown events', async () => {
    expect(await player.timeout(5000).emitWithAck('session:list')).toMatchObject({
      ok: true,
      sessions: expect.any(Array),
    });
    expect(await player.timeout(5000).emitWithAck('session:list', {}, {})).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await player.timeout(5000).emitWithAck('no-such-event', 1)).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: 'unknown event' },
    });
  });

  it('refuses a sequence number that would lock the member’s inputs', async () => {
    expect(await ask(player, 'action', { seq: Number.MAX_SAFE_INTEGER, keys: [] })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('seq') },
    });
    player.emit('action', { seq: 5, keys: ['jump'] });
    await waitFor<TickMetadata>(player, 'tick', (t) => t.appliedSeq === 5);
    player.emit('action', { seq: 6, keys: [] });
  });
});

describe('media requests', () => {
  const typed = (code: string) => ({ ok: false, error: { code, message: expect.any(String) } });

  it('answers each media request made out of order or malformed with a typed error', async () => {
    const socket = await open();
    expect(await ask(socket, 'media:createTransport')).toMatchObject(typed('NOT_JOINED'));
    await joinAs(server, socket, 'arena', 'spectator');
    const caps = server.registry.get('arena').video.rtpCapabilities as { codecs: unknown[] };
    const dtls = {
      role: 'client',
      fingerprints: [{ algorithm: 'sha-256', value: Array(32).fill('AB').join(':') }],
    };
    // No transport yet.
    expect(await ask(socket, 'media:consume', { rtpCapabilities: caps })).toMatchObject(
      typed('MEDIA_REFUSED'),
    );
    expect(await ask(socket, 'media:connectTransport', { dtlsParameters: dtls })).toMatchObject(
      typed('MEDIA_REFUSED'),
    );
    // Junk shapes never reach mediasoup.
    for (const rtpCapabilities of [{ codecs: 'x' }, { codecs: [{ kind: 'video' }] }, 'x', null]) {
      expect(await ask(socket, 'media:consume', { rtpCapabilities })).toMatchObject(
        typed('BAD_REQUEST'),
      );
    }
    for (const dtlsParameters of [
      { fingerprints: [] },
      { fingerprints: [{ algorithm: 'md5', value: '' }] },
      {},
    ]) {
      expect(await ask(socket, 'media:connectTransport', { dtlsParameters })).toMatchObject(
        typed('BAD_REQUEST'),
      );
    }
    // With a transport: a codec it cannot receive, then a second connect.
    expect(await ask(socket, 'media:createTransport', {})).toMatchObject({ ok: true });
    expect(await ask(socket, 'media:consume', { rtpCapabilities: { codecs: [] } })).toMatchObject(
      typed('MEDIA_REFUSED'),
    );
    expect(await ask(socket, 'media:connectTransport', { dtlsParameters: dtls })).toEqual({
      ok: true,
    });
    expect(await ask(socket, 'media:connectTransport', { dtlsParameters: dtls })).toMatchObject(
      typed('MEDIA_REFUSED'),
    );
    expect(await ask(socket, 'media:consume', { rtpCapabilities: caps })).toMatchObject({
      ok: true,
      consumer: { kind: 'video' },
    });
  });
});

describe('names', () => {
  const invite = (socket: Socket, name: string) =>
    ask(socket, 'session:invite', { sessionId: 'arena', role: 'spectator', name });

  it.each([
    ['NUL', 'a\u0000b'],
    ['CR/LF', 'eve\r\nadmin'],
    ['right-to-left override', 'user\u202Egnp.exe'],
    ['lone surrogate', 'x\uD800y'],
    ['only spaces', '   '],
    ['41 characters', 'n'.repeat(41)],
  ])('refuses a name with %s', async (_what, name) => {
    expect(await invite(player, name)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
  });

  it('signs the NFC form of a name into the token', async () => {
    const reply = (await invite(player, ' Zoe\u0301 ')) as unknown as { token: string };
    expect((await server.tokens.verify(reply.token)).sub).toBe('Zo\u00e9');
  });
});

it('keeps ticking for the honest player through all of it', async () => {
  const start = await waitFor<TickMetadata>(player, 'tick');
  player.emit('action', { seq: 7, keys: ['forward'] });
  const later = await waitFor<TickMetadata>(player, 'tick', (t) => t.appliedSeq === 7);
  expect(later.keys).toEqual(['forward']);
  expect(later.tick).toBeGreaterThan(start.tick);
});
