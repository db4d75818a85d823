/**
 * The protocol module is the contract: everything a real server emits and every reply
 * it sends parses with the schemas in server/protocol, in every control mode, and the
 * vocabulary a client receives at join is the frame source's.
 */
import { Socket } from 'socket.io-client';
import { z } from 'zod';
import { RunningServer } from '../../server/app';
import { ENGINE_VOCABULARY } from '../../server/generator/engine-source';
import { CONTROL_MODES } from '../../server/protocol/roles';
import {
  ackSchema,
  ClosedMessage,
  MembersMessage,
  RequestEvent,
  TickMessage,
} from '../../server/protocol/server-events';
import { ask, joinAs, startTestServer, SuiteClients, waitFor } from '../helpers/server';

jest.setTimeout(30000);

let server: RunningServer;
const clients = new SuiteClients(() => server);

beforeAll(async () => {
  server = await startTestServer({ SESSIONS: 'default' });
});
afterEach(() => clients.closeAll());
afterAll(() => server?.close());

/** The reply, checked against the protocol's ack schema for `event`. */
async function conforming(socket: Socket, event: RequestEvent, payload?: unknown) {
  const reply = await ask(socket, event, payload);
  const parsed = ackSchema(event).safeParse(reply);
  if (!parsed.success)
    throw new Error(`${event} reply does not conform: ${z.prettifyError(parsed.error)}`);
  return reply;
}

function expectConforms(schema: z.ZodType, value: unknown, what: string): void {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new Error(`${what} does not conform: ${z.prettifyError(parsed.error)}`);
}

describe('what the server sends conforms to server/protocol', () => {
  it('replies, ticks in every control mode, rosters and the close', async () => {
    const host = await clients.open();
    const spectator = await clients.open();
    const created = await conforming(host, 'session:create', {
      name: 'host',
      title: 'Contract',
      mode: 'democracy',
      instructionRule: 'host',
    });
    const { session, token } = created as unknown as { session: { id: string }; token: string };
    const joined = await conforming(host, 'join', { token });
    expect(joined).toMatchObject({
      session: { title: 'Contract', instructionRule: 'host', vocabulary: ENGINE_VOCABULARY },
    });
    const roster = waitFor<unknown>(
      host,
      'session:members',
      (m) => (m as MembersMessage).spectators === 1,
    );
    await joinAs(server, spectator, session.id, 'spectator', 'viewer');
    expectConforms(MembersMessage, await roster, 'session:members');

    await conforming(host, 'session:list');
    await conforming(host, 'session:invite', { sessionId: session.id, role: 'player', name: 'p' });
    await conforming(host, 'action', { seq: 1, keys: ['forward'] });
    const proposal = await conforming(host, 'instruction', { text: 'weather=snow' });
    expect(proposal).toMatchObject({ ok: true, proposalId: expect.any(Number) });
    for (const mode of CONTROL_MODES) {
      await conforming(host, 'control:set-mode', { mode });
      const tick = await waitFor<TickMessage>(spectator, 'tick', (t) => t.mode === mode);
      expectConforms(TickMessage, tick, `a ${mode} tick`);
    }
    // Refusals conform too: a typed error in the ack.
    expect(await conforming(spectator, 'action', { seq: 1, keys: ['fly'] })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    await conforming(spectator, 'control:set-mode', { mode: 'solo' });

    const closed = waitFor<unknown>(spectator, 'session:closed');
    let closes = 0;
    spectator.on('session:closed', () => closes++);
    await conforming(host, 'session:close', {});
    expectConforms(ClosedMessage, await closed, 'session:closed');
    expect(await closed).toEqual({ sessionId: session.id, reason: 'closed by host' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(closes).toBe(1); // announced once
  });
});
