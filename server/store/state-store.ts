/**
 * The state store: what server processes share about sessions. One interface, two
 * implementations (Colyseus' Presence pattern): `MemoryStore`, the embedded default
 * for a single process, and `RedisStore`, for several processes behind one Redis.
 * Nothing outside `server/store/` names Redis; the rest of the server sees only this.
 *
 * Liveness is by TTL, not by goodbye: a process re-registers its sessions and
 * re-announces its members at least every `ttlMs / 3`, so when it dies its entries
 * lapse on their own and another process may claim its session ids.
 */
import type { ServerOptions } from 'socket.io';
import type { ActionBits, Instruction } from '../protocol/vocabulary';

/** How a session's world starts and what draws it: with the action log, all a replay needs. */
export interface SessionOrigin {
  /** The world seed the frame source opened the session with. */
  seed: number;
  /** `FrameSource.name` of the source that drew it ('engine', or a model's name). */
  frameSource: string;
  width: number;
  height: number;
  tickHz: number;
  /**
   * How the session is run, as of its process's last heartbeat: what a process that
   * resumes it (failover) runs it with. Absent in logs written before they were kept.
   */
  title?: string;
  controlMode?: string;
  instructionRule?: string;
}

/**
 * How a session looks in the fleet's lobby, as of its process's last registration (its
 * title and control mode are the origin's).
 */
export interface SessionSummary {
  players: number;
  spectators: number;
  /** Nobody connected: its world stands still. */
  paused: boolean;
  /** When it started (epoch ms: process clocks differ, wall clocks agree well enough). */
  startedAt: number;
}

/** A registry entry: which process serves a session, how it began, and how it looks. */
export interface SessionEntry extends SessionOrigin, Partial<SessionSummary> {
  sessionId: string;
  /** The serving process, unique per process run (a restarted process is a new one). */
  processId: string;
  /** The serving process's public base URL, where clients of this session connect. */
  url: string;
}

/** Which process serves which session; entries live `ttlMs` past their last registration. */
export interface SessionDirectory {
  /**
   * Claims the session for `entry.processId`, or refreshes that claim (the heartbeat is
   * calling this again). Throws SessionClaimedError while another live process holds it.
   */
  register(entry: SessionEntry): Promise<void>;
  /** Drops the entry if `processId` still holds it (a lapsed claim may be someone else's now). */
  unregister(sessionId: string, processId: string): Promise<void>;
  lookup(sessionId: string): Promise<SessionEntry | null>;
  /** Every live entry, in no particular order. */
  list(): Promise<SessionEntry[]>;
}

/** One server process's load as it publishes it: what placement chooses by. */
export interface ProcessLoad {
  /** Unique per process run, as in SessionEntry. */
  processId: string;
  /** Where clients of its sessions connect. */
  url: string;
  /** Sessions it serves, paused ones included (a paused session may resume at any time). */
  sessions: number;
  /** Most sessions it ticks within its budget (measured at start-up, or configured). */
  capacity: number;
  /** Media consumers across its sessions and the sessions it relays as an edge. */
  viewers: number;
  /** Most viewers its media workers serve (VIEWER_CAPACITY): what spectator steering fills. */
  viewerCapacity: number;
  /** Shutting down: it takes no new session. */
  draining: boolean;
}

/** The fleet's processes and their load; an announcement lives `ttlMs` unless repeated. */
export interface ProcessDirectory {
  announce(load: ProcessLoad): Promise<void>;
  /** Every live process, in no particular order. */
  list(): Promise<ProcessLoad[]>;
  withdraw(processId: string): Promise<void>;
}

export interface PresenceMember {
  memberId: string;
  /** The member's role as the session names it (host, player, spectator). */
  role: string;
}

/** Members of each session; an announcement lives `ttlMs` unless repeated. */
export interface PresenceStore {
  /** Adds the member, or refreshes it and updates its role. */
  put(sessionId: string, member: PresenceMember): Promise<void>;
  /** Live members, in no particular order. */
  list(sessionId: string): Promise<PresenceMember[]>;
  remove(sessionId: string, memberId: string): Promise<void>;
}

/**
 * One action-log entry: what the session applied at one tick. Replaying a session
 * = open its frame source with the log's origin, then step every entry in tick order
 * with its action and instructions. Actions and instructions are in the vocabulary of
 * the frame source that drew the session (the store does not check them: the replay
 * does, against its source's vocabulary). The session appends one entry per tick, so the
 * ticks of one log are 0, 1, 2, ... (a reader may check there is no gap).
 */
export interface ActionLogEntry {
  tick: number;
  /** The effective multi-hot action the frame source stepped (0 = idle), in its key order. */
  action: ActionBits;
  /** Instructions applied at this tick, in the order they were applied. */
  instructions: readonly Instruction[];
  /** Whose input drove the tick (member id), or null (idle, vote, anarchy). */
  pilot: string | null;
}

/**
 * A frame source's state of a session after its first `tick` ticks (FrameSource.snapshot):
 * with the log's entries from `tick` on, what resumes a session whose source cannot
 * replay its log exactly (a generator).
 */
export interface SessionSnapshot {
  tick: number;
  bytes: Uint8Array;
}

/**
 * A member's seat as the session's next process restores it after a failover: who, in
 * which role, taken with which join token, and the secret that resumes it (what a session
 * cookie is to a web session store: whoever holds the store could impersonate members).
 */
export interface SeatRecord {
  memberId: string;
  name: string;
  role: string;
  tokenId: string;
  resumeToken: string;
}

/** Append-only per-session log of applied actions (replay, audit). Kept until `begin` again. */
export interface ActionLog {
  /**
   * Starts the session's log afresh with its origin. A session id served again begins a
   * new world at tick 0, so an earlier log under that id (its snapshot and seats too) no
   * longer describes it and is dropped.
   */
  begin(sessionId: string, origin: SessionOrigin): Promise<void>;
  /** The origin `begin` recorded, or null when the session has no log. */
  origin(sessionId: string): Promise<SessionOrigin | null>;
  /**
   * Writes the session's origin again, leaving its entries as they are: after the store
   * lost it (a restart without persistence), so the log stays replayable.
   */
  putOrigin(sessionId: string, origin: SessionOrigin): Promise<void>;
  /** Appends one tick; throws ActionLogOrderError unless `entry.tick` is after the last one. */
  append(sessionId: string, entry: ActionLogEntry): Promise<void>;
  /**
   * The session ended on purpose (its host, idle): its log stays for replay, but it is no
   * longer unfinished. A session whose process died or stopped is left unfinished.
   */
  end(sessionId: string): Promise<void>;
  /** Sessions whose log began and did not end: what failover may resume. */
  unfinished(): Promise<string[]>;
  /** Keeps the session's latest snapshot (one per session; `begin` drops it). */
  putSnapshot(sessionId: string, snapshot: SessionSnapshot): Promise<void>;
  snapshot(sessionId: string): Promise<SessionSnapshot | null>;
  /** Keeps (or replaces) a member's seat record, until it leaves or the log begins again. */
  putSeat(sessionId: string, seat: SeatRecord): Promise<void>;
  removeSeat(sessionId: string, memberId: string): Promise<void>;
  /** The seats held when the session's process last wrote them, in no particular order. */
  seats(sessionId: string): Promise<SeatRecord[]>;
  /** Entries with `fromTick <= tick <= toTick`, in tick order. */
  read(sessionId: string, fromTick?: number, toTick?: number): Promise<ActionLogEntry[]>;
  length(sessionId: string): Promise<number>;
}

/**
 * Requests from one process of the fleet to another, by process id: how an edge asks a
 * session's origin for its stream. Bodies are plain JSON; the receiver validates them.
 * A handler's thrown error reaches the asker as a FleetRequestError with the error's
 * `code` (if it has one); no process listening, or no answer in time, rejects too.
 */
export interface FleetBus {
  /** Answers requests addressed to `processId` (one handler per process). */
  listen(processId: string, handler: (body: unknown) => Promise<unknown>): Promise<void>;
  request(processId: string, body: unknown, timeoutMs: number): Promise<unknown>;
}

/** What `new socket.io.Server({ adapter })` takes; undefined: Socket.IO's in-process adapter. */
export type SocketAdapterFactory = ServerOptions['adapter'] | undefined;

export interface StateStore {
  readonly kind: 'memory' | 'redis';
  /** How long registry and presence entries live without a refresh. */
  readonly ttlMs: number;
  /**
   * Whether the store answers now. While it does not, writes wait (and time out), so
   * callers that must not wait (the tick path, room broadcasts) go around it.
   */
  readonly available: boolean;
  /** Calls `listener` each time the store answers again after an outage. */
  onReconnect(listener: () => void): void;
  readonly sessions: SessionDirectory;
  readonly processes: ProcessDirectory;
  readonly presence: PresenceStore;
  readonly actions: ActionLog;
  readonly bus: FleetBus;
  /**
   * The adapter for this process's Socket.IO server: room broadcasts reach clients of
   * every process sharing the store, and connection-state recovery works across them.
   * Call once per Socket.IO server; close that server before closing the store.
   */
  createSocketAdapter(): SocketAdapterFactory;
  close(): Promise<void>;
}
