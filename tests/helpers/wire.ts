/**
 * Raw Socket.IO packets, for payloads the client library cannot encode (its
 * JSON.stringify overflows on deep nesting): `["<event>", <json>]` with an ack id,
 * resolving with the ack's first argument.
 */
import { Socket } from 'socket.io-client';
import type { Reply } from './server';

/** Ack ids far above the client library's own (which count up from 0). */
let nextAckId = 1_000_000;

export function rawAsk(
  socket: Socket,
  event: string,
  json: string,
  timeoutMs = 5000,
): Promise<Reply> {
  const id = nextAckId++;
  const engine = socket.io.engine;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      engine.off('message', onMessage);
      reject(new Error(`no ack for "${event}"`));
    }, timeoutMs);
    const onMessage = (data: unknown) => {
      const text = String(data);
      if (!text.startsWith(`3${id}[`)) return;
      clearTimeout(timer);
      engine.off('message', onMessage);
      resolve(JSON.parse(text.slice(String(id).length + 1))[0]);
    };
    engine.on('message', onMessage);
    engine.write(`2${id}[${JSON.stringify(event)},${json}]`);
  });
}

export const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
export const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
