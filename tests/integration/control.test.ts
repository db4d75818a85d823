/**
 * Co-op control through a real server with many Socket.IO clients: democracy votes
 * decide the applied action, a supermajority switches the mode, anarchy merges
 * everyone's keys, and the host approves instructions. (Each policy's rules in detail
 * are unit-tested in tests/unit/control-*.)
 */
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { TickMetadata } from '../../server/session/session';
import { ask, connect, joinAs, startTestServer, waitFor } from '../helpers/server';

const servers: RunningServer[] = [];
const sockets: Socket[] = [];

async function crowd(
  server: RunningServer,
  sessionId: string,
  roles: Array<'host' | 'player' | 'spectator'>,
) {
  const members: Socket[] = [];
  for (const role of roles) {
    const socket = await connect(server);
    sockets.push(socket);
    expect(await joinAs(server, socket, sessionId, role)).toMatchObject({ ok: true });
    members.push(socket);
  }
  return members;
}

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const s of servers) await s.close();
});

describe('democracy, mode votes and anarchy', () => {
  let server: RunningServer;
  let players: Socket[];
  let spectator: Socket;

  beforeAll(async () => {
    server = await startTestServer({
      SESSIONS: 'vote',
      CONTROL_MODE: 'democracy',
      VOTE_WINDOW_MS: '250',
    });
    servers.push(server);
    [spectator, ...players] = await crowd(server, 'vote', [
      'spectator',
      'player',
      'player',
      'player',
    ]);
  });

  it('applies the plurality of the players’ votes, seen by a spectator', async () => {
    players[0].emit('action', { seq: 1, keys: ['turn_left'] });
    players[1].emit('action', { seq: 1, keys: ['turn_left'] });
    players[2].emit('action', { seq: 1, keys: ['forward'] });
    const tick = await waitFor<TickMetadata>(
      spectator,
      'tick',
      (t) => t.keys.includes('turn_left'),
      5000,
    );
    expect(tick.keys).toEqual(['turn_left']);
    expect(tick.mode).toBe('democracy');
    expect(tick.pilot).toBeNull();
    for (const p of players) p.emit('action', { seq: 2, keys: [] });
  });

  it('forbids a spectator to vote when spectators have no vote', async () => {
    const error = waitFor<{ code: string }>(spectator, 'wt:error');
    spectator.emit('action', { seq: 1, keys: ['jump'] });
    expect(await error).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('switches mode only on a supermajority (2 of 3 is not 75%, 3 of 3 is)', async () => {
    for (const p of players.slice(0, 2))
      expect(await ask(p, 'control:vote-mode', { mode: 'anarchy' })).toEqual({ ok: true });
    const partial = await waitFor<TickMetadata>(
      spectator,
      'tick',
      (t) => t.modeVote.votes.anarchy === 2,
    );
    expect(partial.mode).toBe('democracy');
    expect(partial.modeVote.needed).toBe(3);
    expect(await ask(players[2], 'control:vote-mode', { mode: 'anarchy' })).toEqual({ ok: true });
    const switched = await waitFor<TickMetadata>(spectator, 'tick', (t) => t.mode === 'anarchy');
    expect(switched.mode).toBe('anarchy');
  });

  it('in anarchy merges every player’s keys: the majority side of opposite keys wins', async () => {
    players[0].emit('action', { seq: 3, keys: ['forward'] });
    players[1].emit('action', { seq: 3, keys: ['forward', 'sprint'] });
    players[2].emit('action', { seq: 3, keys: ['back'] });
    const tick = await waitFor<TickMetadata>(spectator, 'tick', (t) => t.keys.includes('forward'));
    expect(tick.keys).toContain('forward');
    expect(tick.keys).not.toContain('back');
    for (const p of players) p.emit('action', { seq: 4, keys: [] });
  });
});

describe('round-robin and solo hand-off', () => {
  it('passes the controller in turns, and only the holder’s keys steer', async () => {
    const server = await startTestServer({
      SESSIONS: 'turns',
      CONTROL_MODE: 'round-robin',
      TURN_MS: '400',
    });
    servers.push(server);
    const [a, b] = await crowd(server, 'turns', ['player', 'player']);
    a.emit('action', { seq: 1, keys: ['turn_left'] });
    b.emit('action', { seq: 1, keys: ['turn_right'] });
    const first = await waitFor<TickMetadata>(
      a,
      'tick',
      (t) => t.pilot !== null && t.keys.length > 0,
    );
    const second = await waitFor<TickMetadata>(
      a,
      'tick',
      (t) => t.pilot !== null && t.pilot !== first.pilot && t.keys.length > 0,
    );
    // Each turn applies its holder's keys only; both players hold different ones.
    expect(new Set([first.keys[0], second.keys[0]])).toEqual(new Set(['turn_left', 'turn_right']));
    expect(second.steering).toMatchObject({ mode: 'round-robin', holder: second.pilot });
  });

  it('lets the host hand the solo controller to a player', async () => {
    const server = await startTestServer({ SESSIONS: 'handoff', CONTROL_MODE: 'solo' });
    servers.push(server);
    const [host, player] = await crowd(server, 'handoff', ['host', 'player']);
    const before = await waitFor<TickMetadata>(player, 'tick');
    const hostId = before.pilot!;
    const playerId = (await server.store.presence.list('handoff')).find(
      (m) => m.role === 'player',
    )!.memberId;
    player.emit('action', { seq: 1, keys: ['forward'] });
    const ignored = await waitFor<TickMetadata>(player, 'tick', (t) => t.tick > before.tick + 2);
    expect(ignored.pilot).toBe(hostId);
    expect(ignored.keys).toEqual([]);
    expect(await ask(host, 'control:hand-off', { to: playerId })).toEqual({ ok: true });
    player.emit('action', { seq: 2, keys: ['forward'] });
    const steered = await waitFor<TickMetadata>(
      host,
      'tick',
      (t) => t.pilot === playerId && t.keys.includes('forward'),
    );
    expect(steered.appliedSeq).toBe(2);
  });
});

describe('instructions approved by the host', () => {
  it('holds a player’s proposal until the host approves it, then applies it', async () => {
    const server = await startTestServer({
      SESSIONS: 'hosted',
      CONTROL_MODE: 'solo',
      INSTRUCTION_RULE: 'host',
    });
    servers.push(server);
    const [host, player] = await crowd(server, 'hosted', ['host', 'player']);
    const proposed = (await ask(player, 'instruction', { text: 'event=tornado' })) as unknown as {
      proposalId: number;
    };
    expect(proposed).toMatchObject({ ok: true });
    const pending = await waitFor<TickMetadata>(host, 'tick', (t) =>
      t.proposals.some((p) => p.id === proposed.proposalId),
    );
    expect(pending.instructions).toEqual([]);
    expect(
      await ask(player, 'instruction:review', { proposalId: proposed.proposalId, approve: true }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(
      await ask(host, 'instruction:review', { proposalId: proposed.proposalId, approve: true }),
    ).toEqual({ ok: true });
    const applied = await waitFor<TickMetadata>(player, 'tick', (t) => t.instructions.length > 0);
    expect(applied.instructions).toEqual(['event=tornado']);
  });
});
