/**
 * The app's one Socket.IO connection, typed by the protocol, and requests as promises:
 * every request resolves with its reply or rejects with the server's typed error.
 */
import { io, Socket } from 'socket.io-client';
import type { ClientEvent, ClientToServerEvents } from '../server/protocol/client-events';
import type { ErrorCode } from '../server/protocol/errors';
import type { Reply, RequestEvent, ServerToClientEvents } from '../server/protocol/server-events';

export type ServerSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export class ServerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const REQUEST_TIMEOUT_MS = 10_000;

/** The operator key that lets this browser create sessions (from `#key=` or the lobby form). */
const KEY_STORAGE = 'worldtick:create-key';

export function createKey(): string | null {
  return localStorage.getItem(KEY_STORAGE);
}

export function saveCreateKey(key: string): void {
  localStorage.setItem(KEY_STORAGE, key);
}

export function connect(auth: Record<string, string> = {}): ServerSocket {
  const key = createKey();
  return io({ transports: ['websocket'], auth: key ? { key, ...auth } : auth });
}

export async function request<E extends RequestEvent & ClientEvent>(
  socket: ServerSocket,
  event: E,
  payload: unknown = {},
): Promise<Reply<E>> {
  // Socket.IO's types cannot see the optional ack in ClientToServerEvents; the wire has it.
  const withAck = socket.timeout(REQUEST_TIMEOUT_MS) as unknown as {
    emitWithAck(event: string, payload: unknown): Promise<unknown>;
  };
  const reply = (await withAck.emitWithAck(event, payload)) as
    ({ ok: true } & Reply<E>) | { ok: false; error: { code: ErrorCode; message: string } };
  if (!reply.ok) throw new ServerError(reply.error.code, reply.error.message);
  return reply;
}
