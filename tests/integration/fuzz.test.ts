/**
 * A short seeded fuzz run against a real server (Socket.IO, mediasoup, engine): 2,000
 * hostile messages of every category (tests/helpers/wire-fuzz.ts) from joined and
 * unjoined clients. Every ack is answered, nothing is INTERNAL, and an honest player in
 * another session keeps steering its ticks. The long run is bench/reliability.ts.
 */
import { Socket } from 'socket.io-client';
import { RunningServer } from '../../server/app';
import { TickMetadata } from '../../server/session/session';
import { connect, joinAs, startTestServer, waitFor } from '../helpers/server';
import { CATEGORIES, Category, fuzzMessages, Outcome, send } from '../helpers/wire-fuzz';

const SEED = 15;
const MESSAGES = 2000;
const CLIENTS = 4;
const IN_FLIGHT = 16;

let server: RunningServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = await startTestServer({ SESSIONS: 'fuzz,honest', CONTROL_MODE: 'solo' });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await server?.close();
});

it(`answers ${MESSAGES} seeded hostile messages with typed errors while an honest player steers`, async () => {
  const honest = await connect(server);
  sockets.push(honest);
  await joinAs(server, honest, 'honest', 'player');
  const arrivals: number[] = [];
  honest.on('tick', () => arrivals.push(performance.now()));

  const attackers = await Promise.all(Array.from({ length: CLIENTS }, () => connect(server)));
  sockets.push(...attackers);
  await joinAs(server, attackers[0], 'fuzz', 'player');
  await joinAs(server, attackers[1], 'fuzz', 'spectator');

  const messages = fuzzMessages(SEED);
  const outcomes = new Map<Category, Outcome[]>(CATEGORIES.map((c) => [c, []]));
  let sent = 0;
  const worker = async (socket: Socket) => {
    while (sent < MESSAGES) {
      sent++;
      const message = messages.next().value!;
      outcomes.get(message.category)!.push(await send(socket, message));
    }
  };
  const began = performance.now();
  await Promise.all(
    attackers.flatMap((s) => Array.from({ length: IN_FLIGHT / CLIENTS }, () => worker(s))),
  );
  const ended = performance.now();

  const all = [...outcomes.values()].flat();
  expect(all).toHaveLength(MESSAGES);
  expect(all.filter((o) => o === 'timeout' || o === 'INTERNAL')).toEqual([]);
  for (const [category, answers] of outcomes) {
    expect({ category, typed: answers.some((o) => o !== 'ok') }).toEqual({ category, typed: true });
  }
  // The honest player's session ticked all along, and still takes its input at once.
  const during = arrivals.filter((at) => at >= began && at <= ended);
  const gaps = during.slice(1).map((at, i) => at - during[i]);
  expect(during.length).toBeGreaterThan(0);
  expect(Math.max(0, ...gaps)).toBeLessThan(2000);
  honest.emit('action', { seq: 1, keys: ['forward'] });
  const tick = await waitFor<TickMetadata>(honest, 'tick', (t) => t.appliedSeq === 1);
  expect(tick.keys).toEqual(['forward']);
});
