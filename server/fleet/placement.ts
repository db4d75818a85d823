/**
 * Where a new session goes when the process asked has no room: another live process of
 * the fleet with headroom, by the loads they publish in the state store. The chosen
 * process is asked over the same public protocol a client uses (`session:create`, with
 * the caller's own credential), so its own checks — capacity, quotas, the start — hold,
 * and it answers with the host token for its session; the caller hears where the
 * session was placed (`placedAt`) and follows the links there. One hop only: a forwarded request
 * is never forwarded again.
 */
import { io } from 'socket.io-client';
import { WireError } from '../session/errors';
import type { ProcessDirectory, ProcessLoad } from '../store';
import type { CreateSessionMessage } from '../protocol/client-events';
import type { Reply } from '../protocol/server-events';
import { WireErrorBody } from '../protocol/errors';

/** Candidates tried before giving up (another process may fill up meanwhile). */
const MAX_TRIES = 3;
const FORWARD_TIMEOUT_MS = 10000;

/** Processes with room, most headroom first (this one excluded). */
export function withRoom(loads: readonly ProcessLoad[], self: string): ProcessLoad[] {
  const headroom = (load: ProcessLoad) => load.capacity - load.sessions;
  return loads
    .filter((load) => load.processId !== self && !load.draining && headroom(load) > 0)
    .sort((a, b) => headroom(b) - headroom(a));
}

export type PlacedReply = Reply<'session:create'>;

export class Placement {
  constructor(
    private readonly processes: ProcessDirectory,
    private readonly processId: string,
  ) {}

  /** Creates the session on another process with room; NO_CAPACITY when the fleet has none. */
  async createElsewhere(message: CreateSessionMessage, key: unknown): Promise<PlacedReply> {
    const loads = await this.processes.list();
    for (const target of withRoom(loads, this.processId).slice(0, MAX_TRIES)) {
      const reply = await askToCreate(target.url, message, key);
      if (reply.ok) return { session: reply.session, token: reply.token, placedAt: target.url };
      // Full meanwhile: try the next one; any other refusal is the caller's to hear.
      if (reply.error.code !== 'NO_CAPACITY')
        throw new WireError(reply.error.code, reply.error.message);
    }
    const total = loads.reduce((sum, load) => sum + load.capacity, 0);
    throw new WireError(
      'NO_CAPACITY',
      `every server is full (${loads.length} process(es), ${total} session(s) in all); try again later`,
    );
  }
}

type CreateAnswer = ({ ok: true } & PlacedReply) | { ok: false; error: WireErrorBody };

async function askToCreate(
  url: string,
  message: CreateSessionMessage,
  key: unknown,
): Promise<CreateAnswer> {
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: FORWARD_TIMEOUT_MS,
    auth: { key, forwarded: true },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return (await socket
      .timeout(FORWARD_TIMEOUT_MS)
      .emitWithAck('session:create', message)) as CreateAnswer;
  } catch (error) {
    // An unreachable process is as good as a full one: the next candidate is tried.
    return {
      ok: false,
      error: { code: 'NO_CAPACITY', message: `server ${url} did not answer: ${String(error)}` },
    };
  } finally {
    socket.close();
  }
}
