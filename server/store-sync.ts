/**
 * Keeps the shared state store in step with this process: the sessions it serves
 * (claimed in the registry and refreshed before their TTL lapses), the members holding
 * seats (presence), and every tick's applied action (the action log, for replay and
 * audit). The tick path never waits on the store; failures are logged.
 */
import { Logger } from './log';
import { SessionRegistry } from './session/registry';
import { Member, Session, TickMetadata } from './session/session';
import { TickDecision } from './session/control/room';
import { SessionClaimedError, SessionOrigin, StateStore } from './store';

export interface StoreSyncOptions {
  store: StateStore;
  registry: SessionRegistry;
  processId: string;
  /** Where clients of this process's sessions connect. */
  url: string;
  origin: (session: Session) => SessionOrigin;
  log: Logger;
}

export class StoreSync {
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly options: StoreSyncOptions) {}

  /** Publishes the sessions already open and follows every later one. */
  async start(): Promise<void> {
    const { registry, store } = this.options;
    // Follow the registry first, so a session created meanwhile is not missed.
    registry.on('created', this.onCreated);
    registry.on('closed', this.onClosed);
    await Promise.all(registry.all().map((session) => this.publish(session)));
    this.heartbeat = setInterval(() => void this.refresh(), store.ttlMs / 3).unref();
  }

  /** Stops following the registry and gives up this process's claims (shutdown). */
  async stop(): Promise<void> {
    const { registry, store, processId } = this.options;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    registry.off('created', this.onCreated);
    registry.off('closed', this.onClosed);
    await Promise.all(registry.all().map((s) => store.sessions.unregister(s.id, processId))).catch(
      (error) => this.fail('unregister', error),
    );
  }

  private readonly onCreated = (session: Session) =>
    void this.publish(session).catch((error) => this.fail('publish', error, session.id));
  private readonly onClosed = (session: Session) =>
    this.forget(session.id, () =>
      this.options.store.sessions.unregister(session.id, this.options.processId),
    );

  /**
   * Claims the session and begins its log. Listeners attach at once (no tick or member is
   * missed); their writes wait for the log to begin and stay in order behind it.
   */
  private publish(session: Session): Promise<boolean> {
    const { store, origin } = this.options;
    const ready = this.claim(session).then(async (claimed) => {
      if (claimed) await store.actions.begin(session.id, origin(session));
      return claimed;
    });
    const after = (write: () => Promise<unknown>) =>
      this.forget(session.id, () => ready.then((claimed) => claimed && write()));
    session.on('member', (member: Member) =>
      after(() => store.presence.put(session.id, { memberId: member.id, role: member.role })),
    );
    session.on('memberLeft', (memberId: string) =>
      after(() => store.presence.remove(session.id, memberId)),
    );
    session.on('tick', (metadata: TickMetadata, decision: TickDecision) =>
      after(() =>
        store.actions.append(session.id, {
          tick: metadata.tick,
          action: decision.action,
          instructions: decision.instruction ? [decision.instruction] : [],
          pilot: decision.pilot,
        }),
      ),
    );
    return ready;
  }

  /** Re-registers every local session and re-announces its members before their TTL lapses. */
  private async refresh(): Promise<void> {
    const { registry, store } = this.options;
    for (const session of registry.all()) {
      await this.claim(session).catch((error) => this.fail('heartbeat', error, session.id));
      await Promise.all(
        session
          .memberList()
          .map((m) => store.presence.put(session.id, { memberId: m.id, role: m.role })),
      ).catch((error) => this.fail('presence', error, session.id));
    }
  }

  /** Claims (or keeps claiming) the session; false when another process holds it, which closes ours. */
  private async claim(session: Session): Promise<boolean> {
    const { store, processId, url, origin } = this.options;
    try {
      await store.sessions.register({ sessionId: session.id, processId, url, ...origin(session) });
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
