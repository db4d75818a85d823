/**
 * What both fleet buses share: a request's reply as it travels (JSON), and the
 * in-memory bus of a single process (a fleet of one has nobody else to ask).
 */
import { FleetRequestError } from './errors';
import type { FleetBus } from './state-store';

export type Handler = (body: unknown) => Promise<unknown>;

/** A reply on the wire: the handler's result, or its error's code and message. */
export type Reply = { ok: true; body: unknown } | { ok: false; code: string; message: string };

/** Runs the handler; whatever it throws becomes an error reply (never a rejection). */
export async function answer(handler: Handler, body: unknown): Promise<Reply> {
  try {
    return { ok: true, body: (await handler(body)) ?? null };
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return {
      ok: false,
      code: typeof code === 'string' ? code : 'INTERNAL',
      message: typeof message === 'string' ? message : String(error),
    };
  }
}

/** The asker's side of a reply: its body, or a FleetRequestError. */
export function unwrap(reply: Reply): unknown {
  if (reply.ok) return reply.body;
  throw new FleetRequestError(reply.code, reply.message);
}

export function noAnswer(processId: string, timeoutMs: number): FleetRequestError {
  return new FleetRequestError(
    'TIMEOUT',
    `process "${processId}" did not answer within ${timeoutMs} ms`,
  );
}

export function nobodyListens(processId: string): FleetRequestError {
  return new FleetRequestError('NO_PROCESS', `no live process "${processId}" listens`);
}

/** Rejects with `onTimeout()` unless `promise` settles within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** One process: requests reach only handlers of this store, bodies copied as JSON would be. */
export class MemoryBus implements FleetBus {
  private readonly handlers = new Map<string, Handler>();

  async listen(processId: string, handler: Handler): Promise<void> {
    this.handlers.set(processId, handler);
  }

  async request(processId: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const handler = this.handlers.get(processId);
    if (!handler) throw nobodyListens(processId);
    const copy = JSON.parse(JSON.stringify(body)) as unknown;
    const reply = await within(answer(handler, copy), timeoutMs, () =>
      noAnswer(processId, timeoutMs),
    );
    return unwrap(JSON.parse(JSON.stringify(reply)) as Reply);
  }
}
