/**
 * The origin's side of spectators across hosts: answers edges' requests (edge-protocol.ts)
 * for the sessions served here by piping each session's one stream to the edges that
 * ask. An edge holds its pipe by renewing it (`watch`, with its viewer count, which the
 * session counts as connected spectators: a session watched only through edges neither
 * pauses nor closes idle). A pipe not renewed within the lease is closed: its edge died
 * or lost the store.
 */
import { Logger } from '../log';
import { SessionRegistry } from '../session/registry';
import { Session } from '../session/session';
import { EdgeRefusal, NOT_PIPED, parseEdgeRequest, PipeReply, SessionView } from './edge-protocol';

export interface EdgeFeedsOptions {
  registry: SessionRegistry;
  /** How long a pipe lives without a renewal. */
  leaseMs: number;
  log: Logger;
  now?: () => number;
}

export class EdgeFeeds {
  /** Renewal time of each session's pipes, by session id, then edge process id. */
  private readonly leases = new Map<string, Map<string, number>>();
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly options: EdgeFeedsOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  /** Closes lapsed pipes from now on. */
  start(): void {
    this.sweeper = setInterval(() => this.sweep(), this.options.leaseMs / 3);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  /** One request from an edge (the fleet bus's handler). */
  async handle(body: unknown): Promise<PipeReply | SessionView | Record<string, never>> {
    const request = parseEdgeRequest(body);
    const session = this.options.registry.get(request.sessionId);
    const { edgeId } = request;
    switch (request.type) {
      case 'pipe': {
        const offer = await session.video.openPipe(edgeId, request.end);
        this.renew(session, edgeId, request.viewers);
        this.options.log.info('piping a session to an edge', { sessionId: session.id, edgeId });
        return { offer: offer as PipeReply['offer'], view: viewOf(session) };
      }
      case 'watch':
        if (!this.leases.get(session.id)?.has(edgeId))
          throw new EdgeRefusal(NOT_PIPED, `no pipe of session "${session.id}" to "${edgeId}"`);
        this.renew(session, edgeId, request.viewers);
        return viewOf(session);
      case 'unpipe':
        this.drop(session, edgeId);
        return {};
    }
  }

  /** Edges with a pipe of the session. */
  edgesOf(sessionId: string): string[] {
    return [...(this.leases.get(sessionId)?.keys() ?? [])];
  }

  private renew(session: Session, edgeId: string, viewers: number): void {
    let leases = this.leases.get(session.id);
    if (!leases) {
      leases = new Map();
      this.leases.set(session.id, leases);
      session.once('closed', () => this.leases.delete(session.id));
      // A new route after a worker death has no pipes: edges ask again (NOT_PIPED).
      session.video.on('reset', () => this.forget(session));
    }
    leases.set(edgeId, this.now());
    session.setEdgeViewers(edgeId, viewers);
  }

  private drop(session: Session, edgeId: string): void {
    this.leases.get(session.id)?.delete(edgeId);
    session.video.closePipe(edgeId);
    session.setEdgeViewers(edgeId, 0);
  }

  private forget(session: Session): void {
    for (const edgeId of this.edgesOf(session.id)) this.drop(session, edgeId);
  }

  private sweep(): void {
    const oldest = this.now() - this.options.leaseMs;
    for (const [sessionId, leases] of this.leases) {
      if (!this.options.registry.has(sessionId)) continue;
      const session = this.options.registry.get(sessionId);
      for (const [edgeId, renewedAt] of leases) {
        if (renewedAt >= oldest) continue;
        this.options.log.info('edge pipe lapsed', { sessionId, edgeId });
        this.drop(session, edgeId);
      }
    }
  }
}

/** What an edge's spectators are told of the session when they join. */
export function viewOf(session: Session): SessionView {
  return {
    title: session.title,
    tick: session.tick,
    instructionRule: session.control.options.instructions.rule,
    roster: session.roster(),
  };
}
