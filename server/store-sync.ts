/**
 * Keeps the shared state store in step with this process: the sessions it serves
 * (claimed in the registry and refreshed before their TTL lapses), the members holding
 * seats (presence), and every tick's applied action (the action log, for replay and
 * audit). The tick path never waits on the store: the log goes through a bounded buffer
 * that backfills after an outage, other writes are fire-and-forget (failures logged),
 * and when the store comes back everything is published again at once.
 */
import { Logger } from './log';
import { SessionRegistry } from './session/registry';
import { Member, Session, TickRecord } from './session/session';
import {
  ProcessLoad,
  SeatRecord,
  SessionClaimedError,
  SessionOrigin,
  SessionSummary,
  StateStore,
} from './store';
import { ActionLogBuffer } from './store/action-log-buffer';

export interface StoreSyncOptions {
  store: StateStore;
  registry: SessionRegistry;
  processId: string;
  /** Where clients of this process's sessions connect. */
  url: string;
  origin: (session: Session) => SessionOrigin;
  /** How the session looks in the fleet's lobby (registered with every claim). */
  summary: (session: Session) => SessionSummary;
  /** The frame source's state of a session (FrameSource.snapshot), stored every `snapshotEveryTicks`. */
  snapshot: (sessionId: string) => Uint8Array | null;
  snapshotEveryTicks: number;
  /** This process's load as placement needs it (announced with every heartbeat and change). */
  load: () => Omit<ProcessLoad, 'processId' | 'url'>;
  /** Most action-log entries held while the store does not answer (all sessions together). */
  logBufferTicks: number;
  log: Logger;
}

/** Close reasons that leave a session's log unfinished, for another process to resume. */
const LEFT_UNFINISHED = new Set(['shutdown', 'claimed elsewhere']);

/** How long shutdown waits for the buffered log to reach a store that answers. */
const FLUSH_ON_STOP_MS = 2000;

export class StoreSync {
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly actionLog: ActionLogBuffer;

  constructor(private readonly options: StoreSyncOptions) {
    const { store, logBufferTicks, log } = options;
    this.actionLog = new ActionLogBuffer({
      log: store.actions,
      available: () => store.available,
      capacity: logBufferTicks,
      logger: log,
    });
    store.onReconnect(() => {
      this.actionLog.kick();
      void this.refresh();
    });
  }

  /** Log entries waiting for the store, and ticks dropped because the buffer was full. */
  logStats(): { waiting: number; dropped: number } {
    return this.actionLog.stats();
  }

  /** Publishes the sessions already open and follows every later one. */
  async start(): Promise<void> {
    const { registry, store } = this.options;
    // Follow the registry first, so a session created meanwhile is not missed.
    registry.on('created', this.onCreated);
    registry.on('closed', this.onClosed);
    await Promise.all(registry.all().map((session) => this.publish(session)));
    await this.announce();
    this.heartbeat = setInterval(() => void this.refresh(), store.ttlMs / 3).unref();
  }

  /**
   * Stops following the registry, writes what the log still holds and gives up this
   * process's claims (shutdown). With the store down it gives up at once: the claims
   * lapse by themselves.
   */
  async stop(): Promise<void> {
    const { registry, store, processId, log } = this.options;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    registry.off('created', this.onCreated);
    registry.off('closed', this.onClosed);
    const flushed = await this.actionLog.flush(FLUSH_ON_STOP_MS);
    this.actionLog.stop();
    if (!flushed)
      log.warn('state store unreachable at shutdown; log left unwritten', this.logStats());
    if (!store.available) return;
    await Promise.all([
      store.processes.withdraw(processId),
      ...registry.all().map((s) => store.sessions.unregister(s.id, processId)),
    ]).catch((error) => this.fail('unregister', error));
  }

  /** Publishes this process's load now (after a change; the heartbeat repeats it). */
  announce(): Promise<void> {
    const { store, processId, url, load } = this.options;
    if (!store.available) return Promise.resolve();
    return store.processes
      .announce({ processId, url, ...load() })
      .catch((error) => this.fail('announce', error));
  }

  private readonly onCreated = (session: Session) => {
    void this.publish(session).catch((error) => this.fail('publish', error, session.id));
    void this.announce();
  };
  private readonly onClosed = (session: Session, reason: string) => {
    void this.announce();
    // Ended on purpose: not to be resumed. (A process's shutdown leaves its sessions
    // unfinished, so the fleet takes them over; see fleet/failover.ts.)
    if (!LEFT_UNFINISHED.has(reason))
      this.forget(session.id, () => this.options.store.actions.end(session.id));
    // A log that never began has no place to go; a begun one still writes its last ticks.
    if (this.actionLog.held(session.id)) this.actionLog.drop(session.id);
    this.forget(session.id, () =>
      this.options.store.sessions.unregister(session.id, this.options.processId),
    );
  };

  /**
   * Claims the session and begins its log. Listeners attach at once (no tick or member is
   * missed); presence writes wait for the claim, and the log's buffer keeps every tick in
   * order behind its `begin`.
   */
  private publish(session: Session): Promise<boolean> {
    const { store } = this.options;
    this.actionLog.hold(session.id);
    // The log begins only once the id is ours: `begin` drops whatever log the id had.
    // A resumed session goes on with the log its first process wrote.
    const claimed = this.claim(session).then((ours) => {
      if (ours) this.openLog(session);
      else this.actionLog.drop(session.id);
      return ours;
    });
    const after = (write: () => Promise<unknown>) =>
      this.forget(session.id, () => claimed.then((ok) => ok && write()));
    session.on('member', (member: Member) =>
      after(() =>
        Promise.all([
          store.presence.put(session.id, { memberId: member.id, role: member.role }),
          store.actions.putSeat(session.id, seatOf(member)),
        ]),
      ),
    );
    session.on('memberLeft', (memberId: string) =>
      after(() =>
        Promise.all([
          store.presence.remove(session.id, memberId),
          // A session closing for shutdown keeps its seats: failover restores them.
          session.isClosed ? null : store.actions.removeSeat(session.id, memberId),
        ]),
      ),
    );
    session.on('tick', ({ decision }: TickRecord) => {
      this.actionLog.append(session.id, {
        tick: decision.tick,
        action: decision.action,
        instructions: decision.instruction ? [decision.instruction] : [],
        pilot: decision.pilot,
      });
      // The source has now stepped ticks 0..tick: its state after `tick + 1` ticks.
      const ticks = decision.tick + 1;
      if (ticks % this.options.snapshotEveryTicks === 0) this.storeSnapshot(session.id, ticks);
    });
    return claimed;
  }

  /**
   * Re-registers every local session, writes its log's origin again and re-announces its
   * members: before their TTL lapses, and at once when the store is back after an outage
   * (which may have outlasted the TTL, or lost the data of a Redis without persistence).
   */
  private async refresh(): Promise<void> {
    const { registry, store, origin } = this.options;
    if (!store.available) return; // each write would only wait out the command timeout
    await this.announce();
    for (const session of registry.all()) {
      try {
        if (!(await this.claim(session))) continue;
        // A log whose first claim failed (the store was down) begins now.
        const begun = !this.actionLog.held(session.id);
        if (begun) await store.actions.putOrigin(session.id, origin(session));
        else this.openLog(session);
        await Promise.all(
          session.memberList().flatMap((m) => [
            store.presence.put(session.id, { memberId: m.id, role: m.role }),
            // (Again: a seat written as the log began may have been dropped by its `begin`.)
            begun ? store.actions.putSeat(session.id, seatOf(m)) : null,
          ]),
        );
      } catch (error) {
        this.fail('heartbeat', error, session.id);
      }
    }
  }

  private storeSnapshot(sessionId: string, tick: number): void {
    if (!this.options.store.available) return;
    const bytes = this.options.snapshot(sessionId);
    if (bytes)
      this.forget(sessionId, () =>
        this.options.store.actions.putSnapshot(sessionId, { tick, bytes }),
      );
  }

  /** Starts writing the session's held ticks: a new log, or (resumed) after its first process's. */
  private openLog(session: Session): void {
    if (session.startTick > 0) this.actionLog.resume(session.id);
    else this.actionLog.begin(session.id, this.options.origin(session));
  }

  /** Claims (or keeps claiming) the session; false when another process holds it, which closes ours. */
  private async claim(session: Session): Promise<boolean> {
    const { store, processId, url, origin, summary } = this.options;
    try {
      await store.sessions.register({
        sessionId: session.id,
        processId,
        url,
        ...origin(session),
        ...summary(session),
      });
      return true;
    } catch (error) {
      if (!(error instanceof SessionClaimedError)) throw error;
      this.options.log.error('session id is held by another process; closing it here', {
        sessionId: session.id,
        owner: error.owner,
      });
      this.options.registry.close(session.id, 'claimed elsewhere');
      return false;
    }
  }

  /** Runs a store write without holding up the caller; failures are logged. */
  private forget(sessionId: string, write: () => Promise<unknown>): void {
    write().catch((error) => this.fail('write', error, sessionId));
  }

  private fail(what: string, error: unknown, sessionId?: string): void {
    this.options.log.error(`state store ${what} failed`, { sessionId, error });
  }
}

/** What failover needs to give a member its seat back on another process. */
function seatOf(member: Member): SeatRecord {
  const { id: memberId, name, role, tokenId, resumeToken } = member;
  return { memberId, name, role, tokenId, resumeToken };
}
