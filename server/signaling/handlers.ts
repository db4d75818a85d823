/**
 * Socket.IO signaling: each handler validates a wire message and makes one call on
 * the session; nothing else happens here. Every failure goes back to the sender only,
 * as a typed error (in the ack when there is one, else as a `wt:error` event).
 */
import { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { actionFromKeys } from '../../model/engine/actions';
import { InstructionError, parseInstruction } from '../../model/engine/instructions';
import { Logger } from '../log';
import { toWireError, WireError } from '../session/errors';
import { SessionRegistry } from '../session/registry';
import { Session } from '../session/session';
import {
  ActionMessage,
  ClientEvent,
  ConnectTransportMessage,
  ConsumeMessage,
  EmptyMessage,
  InstructionMessage,
  JoinMessage,
  MAX_BYTES,
} from './schemas';

export interface VideoFormat {
  width: number;
  height: number;
  fps: number;
  codec: string;
}

type Ack = (response: unknown) => void;

export function registerHandlers(
  io: Server,
  registry: SessionRegistry,
  video: VideoFormat,
  log: Logger,
): void {
  io.on('connection', (socket) => {
    let session: Session | null = null;
    const memberId = socket.id;
    const joined = (): Session => {
      if (!session || session.isClosed) throw new WireError('NOT_JOINED', 'join a session first');
      return session;
    };
    const handle = <S extends z.ZodType>(
      event: ClientEvent,
      schema: S,
      run: (msg: z.infer<S>) => unknown,
    ) =>
      socket.on(event, async (payload: unknown, ack?: unknown) => {
        const reply = typeof ack === 'function' ? (ack as Ack) : null;
        try {
          const result = await run(parse(event, schema, payload));
          reply?.({ ok: true, ...(result as object) });
        } catch (error) {
          const body = toWireError(error);
          if (body.code === 'INTERNAL') log.error('handler failed', { event, memberId, error });
          if (reply) reply({ ok: false, error: body });
          else socket.emit('wt:error', { event, ...body });
        }
      });

    handle('join', JoinMessage, async ({ sessionId, role }) => {
      if (session)
        throw new WireError('BAD_REQUEST', `already in session "${session.id}"; leave it first`);
      const target = registry.get(sessionId);
      target.join(memberId, role);
      session = target;
      await socket.join(roomOf(sessionId));
      log.info('member joined', { sessionId, memberId, role });
      return {
        member: { id: memberId, role },
        session: { id: sessionId, tick: target.tick },
        video: {
          ...video,
          clockRate: 90000,
          rtpTimestampAtTickZero: target.video.rtpTimestampOfTick(0),
          rtpTicksPerTick: 90000 / video.fps,
          rtpCapabilities: target.video.rtpCapabilities,
        },
      };
    });

    handle('leave', EmptyMessage, () => {
      leave();
      return {};
    });

    handle('action', ActionMessage, ({ seq, keys }) =>
      joined().input(memberId, seq, actionFromKeys(keys)),
    );

    handle('instruction', InstructionMessage, ({ text }) => {
      const s = joined();
      try {
        s.instruct(memberId, parseInstruction(text));
      } catch (error) {
        if (error instanceof InstructionError) throw new WireError('BAD_REQUEST', error.message);
        throw error;
      }
      return {};
    });

    handle('media:createTransport', EmptyMessage, async () => ({
      transport: await joined().video.createTransport(memberId),
    }));
    handle('media:connectTransport', ConnectTransportMessage, async ({ dtlsParameters }) => {
      await joined().video.connectTransport(memberId, dtlsParameters);
      return {};
    });
    handle('media:consume', ConsumeMessage, async ({ rtpCapabilities }) => ({
      consumer: await joined().video.consume(memberId, rtpCapabilities),
    }));

    const leave = () => {
      if (!session) return;
      session.leave(memberId);
      void socket.leave(roomOf(session.id));
      log.info('member left', { sessionId: session.id, memberId });
      session = null;
    };
    socket.on('disconnect', leave);
  });
}

/** Wires a session's per-tick metadata and media resets to its Socket.IO room. */
export function broadcastSession(io: Server, session: Session): void {
  session.on('tick', (metadata) => io.to(roomOf(session.id)).emit('tick', metadata));
  session.video.on('reset', () => io.to(roomOf(session.id)).emit('media:reset'));
}

export function roomOf(sessionId: string): string {
  return `session:${sessionId}`;
}

function parse<S extends z.ZodType>(event: ClientEvent, schema: S, payload: unknown): z.infer<S> {
  const size = payload === undefined ? 0 : Buffer.byteLength(JSON.stringify(payload) ?? '');
  if (size > MAX_BYTES[event]) {
    throw new WireError(
      'PAYLOAD_TOO_LARGE',
      `"${event}" payloads are at most ${MAX_BYTES[event]} bytes; got ${size}`,
    );
  }
  const result = schema.safeParse(payload);
  if (!result.success) {
    const detail = result.error.issues
      .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
      .join('; ');
    throw new WireError('BAD_REQUEST', `invalid "${event}": ${detail}`);
  }
  return result.data;
}

export type { Socket };
