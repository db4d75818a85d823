/**
 * Socket.IO signaling: each handler validates a wire message and makes one call on
 * the registry or the member's session; nothing else happens here. Every failure goes
 * back to the sender only, as a typed error (in the ack when there is one, else as a
 * `wt:error` event).
 *
 * A spectator may join a session another process serves: this process is then its edge,
 * and its seat and media are the session's edge relay here (server/fleet/edge-relay.ts);
 * everything else it might send is refused, since spectators only watch.
 *
 * Membership survives a dropped connection for the reconnection window: Socket.IO's
 * connection-state recovery restores the socket (its rooms and `socket.data`), and a
 * client that had to reconnect from scratch joins again with its resume token.
 */
import { randomUUID } from 'node:crypto';
import { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { Logger } from '../log';
import { ErrorLog } from './error-log';
import { checkPayload } from './payload-guard';
import { rtpTimestampOfTick, VIDEO_CLOCK_RATE } from '../protocol/rtp-timestamp';
import { toWireError, WireError } from '../session/errors';
import { JoinClaims, JoinTokens } from '../session/join-tokens';
import { LobbyAccess } from '../session/lobby-access';
import { RateLimiter } from '../session/rate-limiter';
import { SessionRegistry } from '../session/registry';
import type { StreamViewers } from '../session/session-video';
import { Member, Session, tickMessage, TickRecord } from '../session/session';
import { viewOf } from '../fleet/edge-feeds';
import type { EdgeRelay, RelayClose } from '../fleet/edge-relay';
import type { EdgeRelays } from '../fleet/edge-relays';
import type { Placement } from '../fleet/placement';
import type { SpectatorSteering } from '../fleet/steering';
import type { SessionDirectory } from '../store';
import { CONTROL_MODES, ControlMode } from '../protocol/roles';
import type { ServerInfo, SessionListing } from '../protocol/server-events';
import { VocabularyCodec, VocabularyError } from '../protocol/vocabulary';
import {
  actionMessage,
  ClientEvent,
  ConnectTransportMessage,
  ConsumeMessage,
  CreateSessionMessage,
  EmptyMessage,
  HandOffMessage,
  InstructionMessage,
  InstructionVoteMessage,
  InviteMessage,
  JoinMessage,
  LocateMessage,
  MAX_BYTES,
  MAX_PROMPT_FRAMES,
  ModeVoteMessage,
  ReviewMessage,
  SetModeMessage,
} from '../protocol/client-events';

export interface VideoFormat {
  width: number;
  height: number;
  fps: number;
  codec: string;
  /** The frame source's name (the engine, or the generator model and its version). */
  source: string;
}

export interface SignalingOptions {
  registry: SessionRegistry;
  /** Sessions of every process sharing the state store (which process serves which). */
  directory: SessionDirectory;
  /** Where a session goes when this process has no room for it. */
  placement: Placement;
  /** Sessions of other processes watched from here (with Redis; null alone). */
  edges: EdgeRelays | null;
  /** Where a spectator of a session is best served. */
  steering: SpectatorSteering;
  /** The other live processes' URLs (empty alone, or while the store is away). */
  fleet: () => Promise<string[]>;
  tokens: JoinTokens;
  /** Who may create sessions, and how many each may keep open. */
  lobbyAccess: LobbyAccess;
  video: VideoFormat;
  /** The frame source's action keys and instruction slots (wire schemas, parsing, clients). */
  vocabulary: VocabularyCodec;
  /** Which starts besides a world seed the frame source accepts. */
  startsFrom: ServerInfo['startsFrom'];
  openInvites: boolean;
  reconnectWindowMs: number;
  log: Logger;
}

/** What a socket remembers about its membership (restored by connection-state recovery). */
interface Binding {
  sessionId: string;
  memberId: string;
  resumeToken: string;
  /** A spectator of a session served elsewhere, watching through this process (an edge). */
  edge?: true;
}

/** Where a member's seat is: a session served here, or an edge relay of one served elsewhere. */
interface Place {
  withResumeToken(resumeToken: string): Member | undefined;
  resume(resumeToken: string, claims: Pick<JoinClaims, 'jti' | 'sub' | 'role'>): Member;
  away(memberId: string): void;
  leave(memberId: string): void;
}

type Ack = (response: unknown) => void;

const LOBBY_REQUESTS_PER_SECOND = 5;

export function registerHandlers(io: Server, options: SignalingOptions): void {
  const { registry, tokens, log } = options;
  const { vocabulary } = options.vocabulary;
  const ActionMessage = actionMessage(vocabulary);
  const serverInfo: ServerInfo = {
    source: options.video.source,
    vocabulary,
    frame: { width: options.video.width, height: options.video.height },
    fps: options.video.fps,
    startsFrom: options.startsFrom,
    maxPromptFrames: MAX_PROMPT_FRAMES,
    openInvites: options.openInvites,
  };
  const errorLog = new ErrorLog(log);
  /** Members whose connection dropped, by member id: their removal when the window ends. */
  const leaving = new Map<string, NodeJS.Timeout>();

  const attach = (socket: Socket, sessionId: string, member: Member, edge = false) => {
    clearTimeout(leaving.get(member.id));
    leaving.delete(member.id);
    socket.data.binding = {
      sessionId,
      memberId: member.id,
      resumeToken: member.resumeToken,
      ...(edge && { edge: true as const }),
    } satisfies Binding;
    return socket.join(roomOf(sessionId));
  };
  /** The member's place, or undefined once it is gone. */
  const placeOf = (b: Binding): Place | undefined => {
    if (!b.edge) return registry.has(b.sessionId) ? registry.get(b.sessionId) : undefined;
    return options.edges?.has(b.sessionId) ? options.edges.get(b.sessionId) : undefined;
  };

  /** The fleet's other sessions, as their processes last registered them (none alone). */
  const elsewhere = async (): Promise<SessionListing[]> => {
    const entries = await options.directory.list().catch(() => []);
    return entries
      .filter((entry) => !registry.has(entry.sessionId) && entry.title !== undefined)
      .filter((entry) => (CONTROL_MODES as readonly string[]).includes(entry.controlMode!))
      .map((entry) => ({
        id: entry.sessionId,
        title: entry.title!,
        source: entry.frameSource,
        mode: entry.controlMode as ControlMode,
        players: entry.players ?? 0,
        spectators: entry.spectators ?? 0,
        paused: entry.paused ?? false,
        uptimeMs: Math.max(0, Date.now() - (entry.startedAt ?? Date.now())),
        url: entry.url,
      }));
  };

  io.on('connection', (socket) => {
    const binding = (): Binding | undefined => socket.data.binding;
    // Lobby requests (create, list, locate, invite) cost server work before any seat is
    // held, so each connection gets its own small budget for them.
    const lobbyLimiter = new RateLimiter(LOBBY_REQUESTS_PER_SECOND, performance.now());
    const lobby = () => {
      if (!lobbyLimiter.tryTake(performance.now()))
        throw new WireError('RATE_LIMITED', 'too many session requests; slow down');
    };
    const joined = (): { session: Session; member: Member } => {
      const b = binding();
      if (!b) throw new WireError('NOT_JOINED', 'join a session first');
      if (b.edge)
        throw new WireError(
          'FORBIDDEN',
          'spectators watch; they cannot steer, propose, vote or close the session',
        );
      const session = registry.get(b.sessionId);
      return { session, member: session.member(b.memberId) };
    };
    const fail = (event: string, error: unknown, reply: Ack | null) => {
      const body = toWireError(error);
      if (body.code === 'INTERNAL')
        errorLog.error('handler failed', { event, socket: socket.id, error });
      if (reply) reply({ ok: false, error: body });
      else socket.emit('wt:error', { event, ...body });
    };
    const handle = <S extends z.ZodType>(
      event: ClientEvent,
      schema: S,
      run: (msg: z.infer<S>) => unknown,
    ) =>
      socket.on(event, async (...args: unknown[]) => {
        // An ack is always the last argument: `emitWithAck(event)` sends no payload at all.
        const reply = typeof args.at(-1) === 'function' ? (args.pop() as Ack) : null;
        try {
          if (args.length > 1)
            throw new WireError('BAD_REQUEST', `"${event}" takes one payload; got ${args.length}`);
          const result = await run(parse(event, schema, args[0]));
          reply?.({ ok: true, ...(result as object) });
        } catch (error) {
          fail(event, error, reply);
        }
      });
    // Events nobody handles still get their answer, so a client never waits on an ack.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && Object.hasOwn(MAX_BYTES, event)) return;
      const reply = typeof args.at(-1) === 'function' ? (args.at(-1) as Ack) : null;
      fail('unknown', new WireError('BAD_REQUEST', 'unknown event'), reply);
    });

    // A recovered connection is still a member, but only with proof: the recovery id
    // (pid and offset) travels in the clear, the member's resume secret does not.
    const restored = binding();
    if (socket.recovered && restored) {
      socket.data.binding = undefined;
      void socket.leave(roomOf(restored.sessionId));
      const proof: unknown = socket.handshake.auth?.resume;
      try {
        const place = placeOf(restored);
        const member = typeof proof === 'string' ? place?.withResumeToken(proof) : undefined;
        if (place && member?.id === restored.memberId) {
          const claims = { jti: member.tokenId, sub: member.name, role: member.role };
          void attach(
            socket,
            restored.sessionId,
            place.resume(member.resumeToken, claims),
            restored.edge,
          );
        }
      } catch {
        // The session or the seat is gone: the client joins again.
      }
    }

    handle('session:create', CreateSessionMessage, async (message) => {
      const { id, title, seed, name, prompt, text, mode, instructionRule } = message;
      if (prompt && text)
        throw new WireError('BAD_REQUEST', 'give a video prompt or text, not both');
      const startText =
        text === undefined ? undefined : told(() => options.vocabulary.parseInstructionList(text));
      lobby();
      // The credential comes with the connection (Socket.IO `auth`), as an API key would.
      const key = socket.handshake.auth?.key;
      const credential = await options.lobbyAccess.credential(key);
      // Full (or draining): another process of the fleet makes it, unless this request
      // was itself placed here by one (one hop).
      if (!registry.hasRoom() && socket.handshake.auth?.forwarded !== true)
        return options.placement.createElsewhere(message, key);
      const release = options.lobbyAccess.reserve(credential, socket.handshake.address);
      let session: Session;
      try {
        session = await registry.create(
          id ?? randomUUID().slice(0, 8),
          {
            seed: seed ?? (Math.random() * 0xffffffff) >>> 0,
            prompt: prompt && decodePrompt(prompt, options.video),
            text: startText,
          },
          { title, control: { mode, instructionRule } },
        );
      } catch (error) {
        release();
        throw error;
      }
      session.once('closed', release);
      return {
        session: { id: session.id, seed: session.seed },
        token: await tokens.issue(session.id, 'host', name),
      };
    });

    handle('session:list', EmptyMessage, async () => {
      lobby();
      return { sessions: [...registry.list(), ...(await elsewhere())], server: serverInfo };
    });

    handle('session:locate', LocateMessage, async ({ sessionId, role }) => {
      lobby();
      return { sessionId, url: await options.steering.locate(sessionId, role) };
    });

    handle('session:invite', InviteMessage, async ({ sessionId, role, name }) => {
      lobby();
      // A spectator of a session served elsewhere may watch it here (an edge).
      const watchable = role === 'spectator' && options.edges !== null;
      if (!registry.has(sessionId) && !(watchable && (await options.directory.lookup(sessionId))))
        throw new WireError('UNKNOWN_SESSION', `no session "${sessionId}"`);
      const b = binding();
      const isHost = b?.sessionId === sessionId && !b.edge && joined().member.role === 'host';
      if (!isHost && !options.openInvites)
        throw new WireError('FORBIDDEN', 'only the session host can invite');
      return { token: await tokens.issue(sessionId, role, name) };
    });

    handle('session:close', EmptyMessage, () => {
      const { session, member } = joined();
      if (member.role !== 'host')
        throw new WireError('FORBIDDEN', 'only the host can close the session');
      registry.close(session.id, 'closed by host');
      return {};
    });

    let joining = false;
    handle('join', JoinMessage, async ({ token, resume }) => {
      if (binding())
        throw new WireError(
          'BAD_REQUEST',
          `already in session "${binding()!.sessionId}"; leave it first`,
        );
      // Checked and set before any await, so two concurrent joins cannot both pass.
      if (joining) throw new WireError('BAD_REQUEST', 'a join is already in progress');
      joining = true;
      try {
        return await joinWith(token, resume);
      } finally {
        joining = false;
      }
    });
    const joinWith = async (token: string, resume: string | undefined) => {
      const claims = await tokens.verify(token);
      const seat =
        registry.has(claims.sid) || !options.edges
          ? joinHere(claims, resume)
          : await joinEdge(options.edges, claims, resume);
      const { member, view } = seat;
      await attach(socket, claims.sid, member, seat.edge);
      log.info('member joined', {
        sessionId: claims.sid,
        memberId: member.id,
        role: member.role,
        resumed: Boolean(resume),
        edge: seat.edge,
      });
      return {
        member: {
          id: member.id,
          name: member.name,
          role: member.role,
          resumeToken: member.resumeToken,
        },
        session: {
          id: claims.sid,
          title: view.title,
          tick: view.tick,
          instructionRule: view.instructionRule,
          vocabulary,
          openInvites: options.openInvites,
        },
        members: view.roster,
        fleet: await options.fleet(),
        video: {
          ...options.video,
          clockRate: VIDEO_CLOCK_RATE,
          rtpTimestampAtTickZero: rtpTimestampOfTick(0, options.video.fps),
          rtpTicksPerTick: VIDEO_CLOCK_RATE / options.video.fps,
          rtpCapabilities: seat.rtpCapabilities,
        },
      };
    };
    /** A seat in a session served here. */
    const joinHere = (claims: JoinClaims, resume: string | undefined) => {
      const session = registry.get(claims.sid);
      const member = resume ? session.resume(resume, claims) : session.join(claims);
      const { rtpCapabilities } = registry.media(session.id);
      return { member, view: viewOf(session), rtpCapabilities, edge: false };
    };
    /** A spectator seat in a session served elsewhere, watched through this process. */
    const joinEdge = async (edges: EdgeRelays, claims: JoinClaims, resume: string | undefined) => {
      const { relay, member } = await edges.join(claims, resume);
      const { rtpCapabilities } = relay.video;
      return { member, view: relay.session, rtpCapabilities, edge: true };
    };

    handle('leave', EmptyMessage, () => {
      const b = binding();
      if (b) leave(b);
      return {};
    });

    handle('action', ActionMessage, ({ seq, keys }) => {
      const { session, member } = joined();
      session.input(member.id, seq, options.vocabulary.actionFromKeys(keys));
    });

    handle('instruction', InstructionMessage, ({ text }) => {
      const { session, member } = joined();
      const instruction = told(() => options.vocabulary.parseInstruction(text));
      return { proposalId: session.propose(member.id, instruction) };
    });

    handle('instruction:review', ReviewMessage, ({ proposalId, approve }) => {
      const { session, member } = joined();
      session.review(member.id, proposalId, approve);
      return {};
    });
    handle('instruction:vote', InstructionVoteMessage, ({ proposalId, approve }) => {
      const { session, member } = joined();
      session.voteInstruction(member.id, proposalId, approve);
      return {};
    });
    handle('control:vote-mode', ModeVoteMessage, ({ mode }) => {
      const { session, member } = joined();
      session.voteMode(member.id, mode);
      return {};
    });
    handle('control:set-mode', SetModeMessage, ({ mode }) => {
      const { session, member } = joined();
      session.setMode(member.id, mode);
      return {};
    });
    handle('control:hand-off', HandOffMessage, ({ to }) => {
      const { session, member } = joined();
      session.handOff(member.id, to);
      return {};
    });

    /** The member's session's video: media requests go there, not through the session. */
    const joinedMedia = () => {
      const b = binding();
      if (!b) throw new WireError('NOT_JOINED', 'join a session first');
      const video: StreamViewers = b.edge
        ? options.edges!.get(b.sessionId).video
        : registry.media(b.sessionId);
      return { video, memberId: b.memberId };
    };
    handle('media:createTransport', EmptyMessage, async () => {
      const { video, memberId } = joinedMedia();
      return { transport: await media(() => video.createTransport(memberId)) };
    });
    handle('media:connectTransport', ConnectTransportMessage, async ({ dtlsParameters }) => {
      const { video, memberId } = joinedMedia();
      await media(() => video.connectTransport(memberId, dtlsParameters));
      return {};
    });
    handle('media:consume', ConsumeMessage, async ({ rtpCapabilities }) => {
      const { video, memberId } = joinedMedia();
      return { consumer: await media(() => video.consume(memberId, rtpCapabilities)) };
    });

    const leave = (b: Binding) => {
      socket.data.binding = undefined;
      void socket.leave(roomOf(b.sessionId));
      const place = placeOf(b);
      if (!place) return; // the session is already gone
      place.leave(b.memberId);
      log.info('member left', { sessionId: b.sessionId, memberId: b.memberId });
    };

    socket.on('disconnect', () => {
      const b = binding();
      const place = b && placeOf(b);
      if (!b || !place) return;
      place.away(b.memberId);
      leaving.set(
        b.memberId,
        setTimeout(() => {
          leaving.delete(b.memberId);
          place.leave(b.memberId);
          log.info('member gone', { sessionId: b.sessionId, memberId: b.memberId });
        }, options.reconnectWindowMs).unref(), // never keeps a stopping process alive
      );
    });
  });
}

/**
 * Wires a session's per-tick metadata and media resets to its Socket.IO room. A room
 * broadcast through a store-backed adapter waits for the store's write before it reaches
 * even local clients, so while the store does not answer (`storeAvailable`) broadcasts
 * go to this process's sockets only: a session's members are all connected here.
 */
export function broadcastSession(
  io: Server,
  session: Session,
  storeAvailable: () => boolean,
): void {
  const room = roomOf(session.id);
  const to = () => (storeAvailable() ? io : io.local).to(room);
  session.on('tick', (record: TickRecord) => to().emit('tick', tickMessage(record)));
  session.on('roster', (roster) => to().emit('session:members', roster));
  session.on('draining', (withinMs: number) =>
    to().emit('session:draining', { sessionId: session.id, withinMs }),
  );
  // However a session ends (host, idle, shutdown), its members hear of it, once, and leave the room.
  session.on('closed', (reason: string) => {
    to().emit('session:closed', { sessionId: session.id, reason });
    for (const socket of io.of('/').sockets.values()) {
      if ((socket.data.binding as Binding | undefined)?.sessionId === session.id)
        socket.data.binding = undefined;
    }
    io.in(room).socketsLeave(room);
  });
  session.video.on('reset', () => to().emit('media:reset'));
}

/**
 * Wires an edge relay to its spectators here: their media is rebuilt after the relay
 * piped again, and they leave when it closes (told so, unless the origin's own
 * `session:closed` broadcast already reached them).
 */
export function broadcastRelay(io: Server, relay: EdgeRelay): void {
  const room = roomOf(relay.sessionId);
  relay.on('reset', () => io.local.to(room).emit('media:reset'));
  relay.on('closed', ({ reason, tellSpectators }: RelayClose) => {
    if (tellSpectators)
      io.local.to(room).emit('session:closed', { sessionId: relay.sessionId, reason });
    for (const socket of io.of('/').sockets.values()) {
      const binding = socket.data.binding as Binding | undefined;
      if (binding?.edge && binding.sessionId === relay.sessionId) {
        socket.data.binding = undefined;
        void socket.leave(room);
      }
    }
  });
}

export function roomOf(sessionId: string): string {
  return `session:${sessionId}`;
}

/**
 * A media request that passed its schema: what still fails is the member's media state
 * (no transport yet, connected twice, a codec it cannot receive, a worker being
 * replaced), which the sender must hear about as such, not as an internal error.
 */
async function media<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const reason = (error as { message?: unknown } | null)?.message;
    throw new WireError('MEDIA_REFUSED', `media request refused: ${String(reason ?? error)}`);
  }
}

/** What the vocabulary reads from a member's text, or a BAD_REQUEST naming what was wrong. */
function told<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof VocabularyError) throw new WireError('BAD_REQUEST', error.message);
    throw error;
  }
}

/** Raw RGB prompt frames from base64, each checked against the session video size. */
function decodePrompt(frames: readonly string[], video: VideoFormat): Uint8Array[] {
  const expected = video.width * video.height * 3;
  return frames.map((text, i) => {
    const frame = new Uint8Array(Buffer.from(text, 'base64'));
    if (frame.length !== expected) {
      throw new WireError(
        'BAD_REQUEST',
        `prompt frame ${i} has ${frame.length} bytes; expected ${video.width}x${video.height} RGB (${expected} bytes)`,
      );
    }
    return frame;
  });
}

function parse<S extends z.ZodType>(event: ClientEvent, schema: S, payload: unknown): z.infer<S> {
  checkPayload(event, payload, MAX_BYTES[event]);
  const result = schema.safeParse(payload);
  if (!result.success) {
    const detail = result.error.issues
      .map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`)
      .join('; ');
    throw new WireError('BAD_REQUEST', `invalid "${event}": ${detail}`);
  }
  return result.data;
}
