/**
 * Signaling through a real server (Socket.IO, mediasoup, engine): actions and
 * instructions reach the tick, and bad input gets a typed error to its sender only.
 */
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { TickMetadata } from '../../server/session/session';
import { ask, connect, joinAs, startTestServer, waitFor } from '../helpers/server';

/** Both Socket.IO engines must behave the same. */
describe.each(['node', 'uws'] as const)('on the %s engine', (engine) => {
  let server: RunningServer;
  let player: Socket;
  let other: Socket;
  let spectator: Socket;
  let playerId: string;
  let spectatorId: string;

  beforeAll(async () => {
    server = await startTestServer({
      SESSIONS: 'alpha,beta',
      INPUT_RATE_LIMIT: '30',
      SOCKET_ENGINE: engine,
      // Solo: the first player to join is the pilot.
      CONTROL_MODE: 'solo',
    });
    [player, other, spectator] = await Promise.all([
      connect(server),
      connect(server),
      connect(server),
    ]);
    const ids = [];
    for (const [socket, role] of [
      [player, 'player'],
      [other, 'player'],
      [spectator, 'spectator'],
    ] as const) {
      const reply = await joinAs(server, socket, 'alpha', role);
      expect(reply).toMatchObject({ ok: true, member: { role } });
      ids.push((reply as unknown as { member: { id: string } }).member.id);
    }
    [playerId, , spectatorId] = ids;
  });

  afterAll(async () => {
    for (const s of [player, other, spectator]) s?.close();
    await server?.close();
  });

  const errorOf = (socket: Socket, event: string) =>
    waitFor<{ event: string; code: string; message: string }>(
      socket,
      'wt:error',
      (e) => e.event === event,
    );

  describe('signaling', () => {
    it('tells a joining member how RTP timestamps map to ticks', async () => {
      const socket = await connect(server);
      const reply = await joinAs(server, socket, 'beta', 'spectator');
      expect(reply).toMatchObject({
        ok: true,
        video: { width: 128, height: 128, fps: 20, clockRate: 90000, rtpTicksPerTick: 4500 },
      });
      socket.close();
    });

    it('applies the pilot’s held keys at the next tick, seen by every member', async () => {
      player.emit('action', { seq: 1, keys: ['forward', 'turn_left'] });
      const seenBySpectator = await waitFor<TickMetadata>(
        spectator,
        'tick',
        (t) => t.appliedSeq === 1,
      );
      expect(seenBySpectator.keys).toEqual(['forward', 'turn_left']);
      expect(seenBySpectator.pilot).toBe(playerId);
      player.emit('action', { seq: 2, keys: [] });
      await waitFor<TickMetadata>(player, 'tick', (t) => t.appliedSeq === 2 && t.keys.length === 0);
    });

    it('applies an instruction once a majority of players approve it', async () => {
      const proposed = (await ask(player, 'instruction', { text: 'weather=snow' })) as unknown as {
        proposalId: number;
      };
      expect(proposed).toMatchObject({ ok: true, proposalId: expect.any(Number) });
      const pending = await waitFor<TickMetadata>(spectator, 'tick');
      expect(pending.instructions).toEqual([]);
      expect(
        await ask(other, 'instruction:vote', { proposalId: proposed.proposalId, approve: true }),
      ).toEqual({ ok: true });
      const tick = await waitFor<TickMetadata>(other, 'tick', (t) => t.instructions.length > 0);
      expect(tick.instructions).toEqual(['weather=snow']);
    });

    it('rejects an unknown session', async () => {
      const socket = await connect(server);
      expect(await joinAs(server, socket, 'nope', 'player')).toEqual({
        ok: false,
        error: { code: 'UNKNOWN_SESSION', message: 'no session "nope"' },
      });
      socket.close();
    });

    it('rejects malformed actions with a typed error, and the pilot still drives', async () => {
      const error = errorOf(other, 'action');
      other.emit('action', { seq: 'x', keys: ['fly'] });
      expect(await error).toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringMatching(/seq.*keys/s),
      });
      player.emit('action', { seq: 3, keys: ['turn_right'] });
      const tick = await waitFor<TickMetadata>(spectator, 'tick', (t) => t.appliedSeq === 3);
      expect(tick.keys).toEqual(['turn_right']);
      expect(tick.pilot).toBe(playerId);
      player.emit('action', { seq: 4, keys: [] });
    });

    it('rejects unknown instructions with the expected values', async () => {
      expect(await ask(player, 'instruction', { text: 'weather=hail' })).toMatchObject({
        ok: false,
        error: {
          code: 'BAD_REQUEST',
          message: expect.stringContaining('expected one of: clear, rain, snow, fog'),
        },
      });
    });

    it('rejects oversized payloads', async () => {
      expect(await ask(player, 'instruction', { text: 'x'.repeat(4000) })).toMatchObject({
        ok: false,
        error: { code: 'PAYLOAD_TOO_LARGE' },
      });
    });

    it('forbids spectators to steer, without touching the pilot', async () => {
      const before = await waitFor<TickMetadata>(player, 'tick');
      const error = errorOf(spectator, 'action');
      spectator.emit('action', { seq: 1, keys: ['jump'] });
      expect(await error).toMatchObject({ code: 'FORBIDDEN' });
      expect(await ask(spectator, 'instruction', { text: 'time=night' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      const after = await waitFor<TickMetadata>(player, 'tick', (t) => t.tick > before.tick + 2);
      expect(after.keys).not.toContain('jump');
      expect(after.pilot).not.toBe(spectatorId);
    });

    it('needs a join before anything else', async () => {
      const socket = await connect(server);
      const error = errorOf(socket, 'action');
      socket.emit('action', { seq: 1, keys: [] });
      expect(await error).toMatchObject({ code: 'NOT_JOINED' });
      socket.close();
    });

    it('rate-limits a flooding member while the session keeps ticking for others', async () => {
      const limited = errorOf(other, 'action');
      for (let seq = 10; seq < 110; seq++) other.emit('action', { seq, keys: ['forward'] });
      expect(await limited).toMatchObject({ code: 'RATE_LIMITED' });
      const start = await waitFor<TickMetadata>(spectator, 'tick');
      const later = await waitFor<TickMetadata>(spectator, 'tick', (t) => t.tick >= start.tick + 5);
      expect(later.tick).toBeGreaterThanOrEqual(start.tick + 5);
    });
  });
});
