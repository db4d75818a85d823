/** Socket.IO request/ack with the server's `{ ok, error }` convention, as a promise. */
import type { Socket } from 'socket.io-client';

export class ServerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export async function request<T>(socket: Socket, event: string, payload: unknown = {}): Promise<T> {
  const reply = (await socket.timeout(10000).emitWithAck(event, payload)) as
    ({ ok: true } & T) | { ok: false; error: { code: string; message: string } };
  if (!reply.ok) throw new ServerError(reply.error.code, reply.error.message);
  return reply;
}
