/**
 * Seeded hostile Socket.IO traffic: an endless, reproducible stream of messages by
 * category, and a sender that reports how the server answered each. Used by the short
 * fuzz suite (tests/integration/fuzz.test.ts) and the long run (bench/reliability.ts).
 */
import { Socket } from 'socket.io-client';
import { MAX_BYTES } from '../../server/protocol/client-events';
import type { Reply } from './server';
import { deepArray, deepObject, rawAsk } from './wire';

export const CATEGORIES = [
  'wrong-type',
  'mutated',
  'deep',
  'oversized',
  'prototype',
  'binary',
  'arity',
  'unknown-event',
  'media',
  'names',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** A message sent through the client library (`args`), or as a raw packet (`raw` JSON). */
export type FuzzMessage = { category: Category; event: string } & (
  { args: unknown[] } | { raw: string }
);

/** How one message was answered: ok, a typed error code, or no answer at all. */
export type Outcome = 'ok' | 'timeout' | string;

const EVENTS = Object.keys(MAX_BYTES);

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function* fuzzMessages(seed: number): Generator<FuzzMessage> {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const int = (max: number) => Math.floor(next() * max);
  const junk = (): unknown =>
    pick([
      () => null,
      () => -1,
      () => 2 ** 53,
      () => 1.5,
      () => '',
      () => 'x'.repeat(int(300)),
      () => [],
      () => ({}),
      () => true,
      () => [1, 'a', null],
      () => ({ nested: { deeper: [int(10)] } }),
    ])();
  const valid: Record<string, () => Record<string, unknown>> = {
    join: () => ({ token: 'x.y.z', resume: '00000000-0000-4000-8000-000000000000' }),
    'session:create': () => ({ name: 'fuzz', seed: int(1000) }),
    'session:locate': () => ({ sessionId: 'fuzz' }),
    'session:invite': () => ({ sessionId: 'fuzz', role: 'player', name: 'f' }),
    action: () => ({ seq: int(1000), keys: ['forward'] }),
    instruction: () => ({ text: 'weather=rain' }),
    'instruction:review': () => ({ proposalId: int(5), approve: true }),
    'instruction:vote': () => ({ proposalId: int(5), approve: null }),
    'control:vote-mode': () => ({ mode: 'democracy' }),
    'control:set-mode': () => ({ mode: 'solo' }),
    'control:hand-off': () => ({ to: '00000000-0000-4000-8000-000000000000' }),
    'media:connectTransport': () => ({
      dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] },
    }),
    'media:consume': () => ({ rtpCapabilities: { codecs: [] } }),
  };
  const mutate = (event: string) => {
    const body = valid[event]?.() ?? {};
    const keys = Object.keys(body);
    if (keys.length > 0) body[pick(keys)] = junk();
    return body;
  };
  const names = [
    'a\u0000b',
    'x\r\ny',
    'rtl\u202Eexe',
    'lone\uD800',
    '\u2066iso',
    ' ',
    'n'.repeat(41),
    'ok name',
  ];
  for (;;) {
    const category = pick(CATEGORIES);
    const event = pick(EVENTS);
    switch (category) {
      case 'wrong-type':
        yield { category, event, args: [junk()] };
        break;
      case 'mutated':
        yield { category, event, args: [mutate(event)] };
        break;
      case 'deep': {
        const depth = pick([50, 1000, 10_000]);
        yield { category, event, raw: next() < 0.5 ? deepArray(depth) : deepObject(depth) };
        break;
      }
      case 'oversized':
        yield { category, event, args: [{ text: 'x'.repeat(MAX_BYTES[event as 'join'] + 10) }] };
        break;
      case 'prototype':
        yield {
          category,
          event,
          raw: pick([
            '{"__proto__":{"admin":true}}',
            '{"constructor":{"prototype":{"x":1}}}',
            '{"seq":1,"keys":[],"__proto__":null}',
          ]),
        };
        break;
      case 'binary':
        yield { category, event, args: [{ token: Buffer.from([int(256)]), seq: 1, keys: [] }] };
        break;
      case 'arity':
        yield { category, event, args: pick([[], [{}, {}], [1, 2, 3]]) };
        break;
      case 'unknown-event':
        yield { category, event: pick(['__proto__', 'toString', 'x'.repeat(200), '']), args: [{}] };
        break;
      case 'media':
        yield {
          category,
          event: pick(['media:connectTransport', 'media:consume', 'media:createTransport']),
          args: [pick([{ dtlsParameters: junk() }, { rtpCapabilities: junk() }, mutate(event)])],
        };
        break;
      case 'names':
        yield {
          category,
          event: pick(['session:invite', 'session:create']),
          args: [{ sessionId: 'fuzz', role: 'spectator', name: pick(names) }],
        };
        break;
    }
  }
}

/** Sends one message with an ack and reports the answer's code. */
export async function send(
  socket: Socket,
  message: FuzzMessage,
  timeoutMs = 10_000,
): Promise<Outcome> {
  try {
    const reply: Reply =
      'raw' in message
        ? await rawAsk(socket, message.event, message.raw, timeoutMs)
        : ((await socket.timeout(timeoutMs).emitWithAck(message.event, ...message.args)) as Reply);
    return reply.ok ? 'ok' : reply.error.code;
  } catch {
    return 'timeout';
  }
}
