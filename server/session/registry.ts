/**
 * The sessions this process serves: creating one opens its world in the frame source
 * and its video stream; closing one frees both. Sessions created at run time close by
 * themselves after a configurable time with nobody connected, and sooner when nobody
 * ever joined them (a lobby flood's sessions go in seconds); those configured at
 * start-up are kept. Emits 'created' (session) and 'closed' (session, reason).
 */
import { EventEmitter } from 'node:events';
import {
  FrameRequest,
  FrameSource,
  StartNotSupportedError,
  SessionStart,
} from '../generator/frame-source';
import { Logger } from '../log';
import { ControlOptionsInput, InstructionRule } from './control/options';
import { ControlMode } from './control/policy';
import type { SessionListing } from '../protocol/server-events';
import { WireError } from './errors';
import { Capacity, Session } from './session';
import type { SavedSeat } from './seats';
import { SESSION_ID, SESSION_ID_RULE } from '../protocol/session-id';
import { SessionVideo } from './session-video';
import type { VocabularyCodec } from '../protocol/vocabulary';

export interface RegistryOptions {
  source: FrameSource;
  /** The source's vocabulary, built once (app.ts). */
  vocabulary: VocabularyCodec;
  createVideo: () => Promise<SessionVideo>;
  control: ControlOptionsInput;
  inputRateLimit: number;
  /** Member seats of each role per session. */
  capacity: Capacity;
  idleCloseMs: number;
  /** Idle time after which a run-time session nobody ever joined closes. */
  unjoinedCloseMs: number;
  /**
   * Most sessions created at run time this process serves at once: its capacity
   * (server/fleet/capacity.ts). Sessions configured at start-up are the operator's
   * choice and count toward it without being refused.
   */
  sessionCapacity: number;
  /** Sessions with nobody connected skip their ticks (see `due`). */
  pauseWhenEmpty: boolean;
  /** How long a restored seat waits for its member (RECONNECT_WINDOW_MS). */
  reconnectWindowMs: number;
  log: Logger;
  now?: () => number;
}

/** How one session differs from the process's defaults. */
export interface SessionSettings {
  /** The lobby title (defaults to the id). */
  title?: string;
  /** Control overrides (mode, instruction rule) on top of the process's options. */
  control?: { mode?: ControlMode; instructionRule?: InstructionRule };
  /** Configured at start-up: kept when idle. */
  persistent?: boolean;
  /**
   * Ticks the session already played on a process that died (failover): stepped through
   * in order right after its world opens, so it goes on from the tick it had reached.
   */
  history?: readonly Omit<FrameRequest, 'sessionId'>[];
  /**
   * The frame source's state after the history's first `tick` ticks (a source that cannot
   * replay its history exactly): opened from it, then only the ticks after it are stepped.
   */
  snapshot?: { tick: number; bytes: Uint8Array };
  /**
   * Seats its process held (failover): restored disconnected for the reconnection window,
   * in which each member may resume its own; freed after it.
   */
  seats?: readonly SavedSeat[];
}

interface Entry {
  session: Session;
  persistent: boolean;
  /** When the session last had nobody connected (null while someone is). */
  emptySince: number | null;
  /** Whether anyone has joined it yet. */
  joined: boolean;
}

export class SessionRegistry extends EventEmitter {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Set<string>();
  private readonly now: () => number;
  private draining = false;

  constructor(private readonly options: RegistryOptions) {
    super();
    this.now = options.now ?? (() => performance.now());
  }

  async create(id: string, start: SessionStart, settings: SessionSettings = {}): Promise<Session> {
    const { persistent = false, control = {} } = settings;
    if (!SESSION_ID.test(id)) throw new WireError('BAD_REQUEST', SESSION_ID_RULE);
    if (this.entries.has(id) || this.pending.has(id))
      throw new WireError('BAD_REQUEST', `session "${id}" already exists`);
    if (!persistent && !this.hasRoom()) {
      throw new WireError(
        'NO_CAPACITY',
        this.draining
          ? 'this server is shutting down and takes no new session'
          : `this server already serves its maximum of ${this.options.sessionCapacity} sessions`,
      );
    }
    // Reserved across the awaits, so two creations of one id cannot both succeed.
    this.pending.add(id);
    let video: SessionVideo;
    try {
      video = await this.options.createVideo();
      try {
        const { history = [], snapshot } = settings;
        const resume = snapshot && {
          snapshot: snapshot.bytes,
          past: history.slice(0, snapshot.tick),
        };
        await this.options.source.open(id, resume ? { ...start, resume } : start);
        for (const tick of history.slice(snapshot?.tick ?? 0))
          await this.options.source.step([{ sessionId: id, ...tick }]);
      } catch (error) {
        video.close();
        this.options.source.close(id);
        if (error instanceof StartNotSupportedError)
          throw new WireError('BAD_REQUEST', error.message);
        throw error;
      }
    } finally {
      this.pending.delete(id);
    }
    const seed = start.seed;
    const defaults = this.options.control;
    const session = new Session(id, {
      seed,
      title: settings.title ?? id,
      video,
      // Only what was given overrides: an absent choice must not blank the process's default.
      control: {
        ...defaults,
        ...(control.mode && { mode: control.mode }),
        instructions: {
          ...defaults.instructions,
          ...(control.instructionRule && { rule: control.instructionRule }),
        },
      },
      vocabulary: this.options.vocabulary,
      inputRateLimit: this.options.inputRateLimit,
      capacity: this.options.capacity,
      startTick: settings.history?.length ?? 0,
    });
    if (settings.seats) this.restoreSeats(session, settings.seats);
    const entry: Entry = { session, persistent, emptySince: this.now(), joined: false };
    session.once('member', () => (entry.joined = true));
    this.entries.set(id, entry);
    this.options.log.info('session created', {
      sessionId: id,
      seed,
      persistent,
      source: this.options.source.name,
    });
    this.emit('created', session);
    return session;
  }

  private restoreSeats(session: Session, seats: readonly SavedSeat[]): void {
    const restored = session.restoreSeats(seats);
    setTimeout(() => {
      for (const id of restored) {
        if (session.memberList().some((m) => m.id === id && !m.connected)) session.leave(id);
      }
    }, this.options.reconnectWindowMs).unref();
  }

  /** Whether a run-time session may be created here now. */
  hasRoom(): boolean {
    return !this.draining && this.entries.size + this.pending.size < this.options.sessionCapacity;
  }

  /** Most run-time sessions this process serves. */
  get sessionCapacity(): number {
    return this.options.sessionCapacity;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Shutdown, gently: takes no new session from now on, tells every session's members it
   * ends within `withinMs`, and resolves once nobody is connected to any session here or
   * the time is up. The caller then closes what is left.
   */
  async drain(withinMs: number, pollMs = 250): Promise<void> {
    this.draining = true;
    for (const session of this.all()) session.drain(withinMs);
    const deadline = this.now() + withinMs;
    while (this.now() < deadline && this.all().some((s) => s.connectedCount() > 0))
      await new Promise((resolve) => setTimeout(resolve, pollMs));
  }

  has(id: string): boolean {
    return this.entries.has(id) || this.pending.has(id);
  }

  /** The video stream of a session served here (signaling's one way to a session's media). */
  media(id: string): SessionVideo {
    return this.get(id).video;
  }

  get(id: string): Session {
    const entry = this.entries.get(id);
    if (!entry) throw new WireError('UNKNOWN_SESSION', `no session "${id}"`);
    return entry.session;
  }

  all(): Session[] {
    return [...this.entries.values()].map((e) => e.session);
  }

  /** Sessions that step this tick: all of them, less those paused with nobody connected. */
  due(): Session[] {
    return this.all().filter((session) => !this.isPaused(session));
  }

  isPaused(session: Session): boolean {
    return this.options.pauseWhenEmpty && session.connectedCount() === 0;
  }

  /** Media consumers across the sessions here. */
  viewers(): number {
    return this.all().reduce((n, session) => n + session.video.stats().consumers, 0);
  }

  /** The lobby's view of every live session. */
  list(): SessionListing[] {
    return this.all().map((session) => this.listing(session));
  }

  /** How one session looks in the lobby. */
  listing(session: Session): SessionListing {
    const { members, spectators } = session.roster();
    return {
      id: session.id,
      title: session.title,
      source: this.options.source.name,
      mode: session.control.mode,
      players: members.length,
      spectators,
      paused: this.isPaused(session),
      uptimeMs: Math.max(0, Math.round(this.now() - session.startedAt)),
    };
  }

  close(id: string, reason = 'closed'): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    entry.session.close(reason);
    this.options.source.close(id);
    this.options.log.info('session closed', { sessionId: id, reason });
    this.emit('closed', entry.session, reason);
  }

  /** Closes run-time sessions that have had nobody connected for their idle time. */
  closeIdle(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      const { idleCloseMs, unjoinedCloseMs } = this.options;
      const idleMs = entry.joined ? idleCloseMs : Math.min(idleCloseMs, unjoinedCloseMs);
      if (entry.session.connectedCount() > 0) entry.emptySince = null;
      else if (entry.emptySince === null) entry.emptySince = now;
      else if (!entry.persistent && now - entry.emptySince >= idleMs)
        this.close(id, entry.joined ? 'idle' : 'never joined');
    }
  }

  closeAll(): void {
    for (const id of [...this.entries.keys()]) this.close(id, 'shutdown');
  }
}
