/**
 * One session served by another process (its origin), watched from this one (an edge):
 * spectator seats here, the origin's one encoded stream piped into a router here
 * (RelayMedia), and a lease on that pipe renewed with the viewer count. Ticks and
 * rosters reach the spectators without it: the origin's room broadcasts cross the
 * Socket.IO adapter.
 *
 * When the pipe breaks (the origin lost it, died, or the session moved to another
 * process by failover, or this process's media worker died) the relay opens a new one
 * to wherever the directory says the session is, and emits 'reset': its spectators
 * create their transports again. It closes when its last spectator leaves, when the
 * session ended, or when no process has served it for `lostAfterMs`.
 *
 * Events: 'reset', 'closed' (RelayClose).
 */
import { EventEmitter } from 'node:events';
import { Logger } from '../log';
import { RelayMedia } from '../media/relay-media';
import { WireError } from '../session/errors';
import { JoinClaims } from '../session/join-tokens';
import { Member, Seats } from '../session/seats';
import { FleetBus, SessionDirectory } from '../store';
import { EdgeRequest, parsePipeReply, SessionView } from './edge-protocol';

export interface EdgeRelayOptions {
  bus: FleetBus;
  directory: SessionDirectory;
  /** This process's id: the edge's name at the origin. */
  processId: string;
  /** Frame source of this process: a session drawn by another cannot be relayed as ours. */
  frameSource: string;
  openMedia: () => Promise<RelayMedia>;
  /** Spectator seats per relayed session. */
  spectators: number;
  inputRateLimit: number;
  /** How often the pipe's lease is renewed (and the viewer count told). */
  renewMs: number;
  /** How long an origin may take to answer. */
  requestTimeoutMs: number;
  /** Whether the session may still be resumed somewhere (its action log is unfinished). */
  resumable: (sessionId: string) => Promise<boolean>;
  /** How long the session may be served nowhere (a failover in progress) before the relay gives up. */
  lostAfterMs: number;
  log: Logger;
}

/** Why a relay closed, and whether its spectators still need telling that the session ended. */
export type RelayClose = { reason: string; tellSpectators: boolean };

export class EdgeRelay extends EventEmitter {
  readonly seats: Seats;
  private media!: RelayMedia;
  private originId = '';
  private view!: SessionView;
  private renewer: NodeJS.Timeout | null = null;
  private queue: Promise<void> = Promise.resolve();
  private lostSince: number | null = null;
  private closed = false;

  /** Opens the pipe from the session's origin; rejects (UNKNOWN_SESSION…) if it cannot. */
  static async open(sessionId: string, options: EdgeRelayOptions): Promise<EdgeRelay> {
    const relay = new EdgeRelay(sessionId, options);
    await relay.pipe();
    relay.renewer = setInterval(() => void relay.renew(), options.renewMs);
    relay.renewer.unref();
    return relay;
  }

  private constructor(
    readonly sessionId: string,
    private readonly options: EdgeRelayOptions,
  ) {
    super();
    this.seats = new Seats(sessionId, {
      capacity: { host: 0, player: 0, spectator: options.spectators },
      inputRateLimit: options.inputRateLimit,
      now: () => performance.now(),
    });
  }

  /** The stream as this process serves it. */
  get video(): RelayMedia {
    return this.media;
  }

  /** How the session looked at the origin when last asked. */
  get session(): SessionView {
    return this.view;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A spectator seat; resolves once the origin has counted it (and told how the session looks). */
  async join(claims: JoinClaims): Promise<Member> {
    this.assertOpen();
    const member = this.seats.take(claims);
    await this.renew();
    this.assertOpen(); // (the session ended meanwhile)
    return member;
  }

  /** The spectator holding `resumeToken`, connected again (see Seats.resume). */
  resume(resumeToken: string, claims: Pick<JoinClaims, 'jti' | 'sub' | 'role'>): Member {
    this.assertOpen();
    const member = this.seats.resume(resumeToken, claims);
    void this.renew();
    return member;
  }

  withResumeToken(resumeToken: string): Member | undefined {
    return this.seats.withResumeToken(resumeToken);
  }

  /** The spectator's connection dropped: its seat is kept for the reconnection window. */
  away(memberId: string): void {
    if (this.seats.away(memberId)) void this.renew();
  }

  /** The spectator left; the last one to leave closes the relay and the origin's pipe. */
  leave(memberId: string): void {
    if (!this.seats.remove(memberId)) return;
    this.media.removeMember(memberId);
    if (this.seats.list().length === 0) this.close({ reason: 'unwatched', tellSpectators: false });
    else void this.renew();
  }

  close(how: RelayClose): void {
    if (this.closed) return;
    this.closed = true;
    if (this.renewer) clearInterval(this.renewer);
    this.media.off('closed', this.onMediaClosed);
    this.media.close();
    // Best effort: an origin that does not hear it closes the pipe when its lease lapses.
    this.ask({ type: 'unpipe', sessionId: this.sessionId, edgeId: this.options.processId }).catch(
      () => {},
    );
    this.seats.clear();
    this.emit('closed', how);
  }

  private assertOpen(): void {
    if (this.closed) throw new WireError('UNKNOWN_SESSION', `session "${this.sessionId}" ended`);
  }

  /** Tells the origin the viewer count (renewing the pipe), or mends the pipe if it broke. */
  private renew(): Promise<void> {
    return this.inTurn(() => this.renewOnce());
  }

  /**
   * Runs `task` after the ones before it: renewals and mends never overlap, so two mends
   * cannot each open a pipe (and leak one).
   */
  private inTurn(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task);
    this.queue = next.catch(() => {});
    return next;
  }

  private async renewOnce(): Promise<void> {
    if (this.closed) return;
    try {
      const view = await this.ask({
        type: 'watch',
        sessionId: this.sessionId,
        edgeId: this.options.processId,
        viewers: this.seats.connectedCount(),
      });
      this.view = SessionView.parse(view);
      this.lostSince = null;
    } catch (error) {
      await this.mend(error as Error);
    }
  }

  /** The pipe broke: a new one from wherever the session is now, or the relay ends. */
  private async mend(cause: Error): Promise<void> {
    try {
      await this.pipe();
      this.lostSince = null;
      this.options.log.info('edge relay piped again', {
        sessionId: this.sessionId,
        origin: this.originId,
        cause: cause.message,
      });
      this.emit('reset');
    } catch {
      if (this.closed) return;
      // Ended on purpose (its origin told its spectators), or between processes: a dead or
      // stopped origin leaves it unfinished, and failover resumes it elsewhere.
      if (!(await this.options.resumable(this.sessionId).catch(() => true)))
        return this.close({ reason: 'the session ended', tellSpectators: false });
      this.lostSince ??= performance.now();
      if (performance.now() - this.lostSince >= this.options.lostAfterMs)
        this.close({ reason: 'the session is no longer served anywhere', tellSpectators: true });
    }
  }

  /** Opens a pipe from the process the directory names as the session's now, and uses it. */
  private async pipe(): Promise<void> {
    const { sessionId } = this;
    const entry = await this.options.directory.lookup(sessionId);
    if (!entry) throw new WireError('UNKNOWN_SESSION', `no process serves session "${sessionId}"`);
    if (entry.frameSource !== this.options.frameSource)
      throw new WireError(
        'UNKNOWN_SESSION',
        `session "${sessionId}" is drawn by ${entry.frameSource}; this server streams ${this.options.frameSource}: watch it at ${entry.url}`,
      );
    const media = await this.options.openMedia();
    try {
      this.originId = entry.processId;
      const reply = parsePipeReply(
        await this.ask({
          type: 'pipe',
          sessionId,
          edgeId: this.options.processId,
          end: media.end,
          viewers: this.seats.connectedCount(),
        }),
      );
      await media.receive(reply.offer);
      this.view = reply.view;
    } catch (error) {
      media.close();
      throw error;
    }
    const old = this.media as RelayMedia | undefined; // (none yet when the relay opens)
    old?.off('closed', this.onMediaClosed);
    old?.close();
    this.media = media;
    media.once('closed', this.onMediaClosed);
  }

  private ask(request: EdgeRequest): Promise<unknown> {
    return this.options.bus.request(this.originId, request, this.options.requestTimeoutMs);
  }

  /** This process's media worker died under the relay. */
  private readonly onMediaClosed = () => {
    if (!this.closed) void this.inTurn(() => this.mend(new Error('media worker closed')));
  };
}
