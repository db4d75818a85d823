/**
 * The sessions this process relays for spectators while another process serves them
 * (EdgeRelay each): opened by their first spectator, closed after their last. A
 * session is relayed at most once per process however many watch it here.
 */
import { EventEmitter } from 'node:events';
import { WireError } from '../session/errors';
import { JoinClaims } from '../session/join-tokens';
import { Member } from '../session/seats';
import { ERROR_CODES, ErrorCode } from '../protocol/errors';
import { EdgeRelay, EdgeRelayOptions, RelayClose } from './edge-relay';

export class EdgeRelays extends EventEmitter {
  private readonly relays = new Map<string, EdgeRelay>();
  private readonly opening = new Map<string, Promise<EdgeRelay>>();

  constructor(private readonly options: EdgeRelayOptions) {
    super();
  }

  /** A spectator seat for the session, relaying it here if it was not yet. */
  async join(claims: JoinClaims, resume?: string): Promise<{ relay: EdgeRelay; member: Member }> {
    if (claims.role !== 'spectator') {
      const origin = await this.options.directory.lookup(claims.sid).catch(() => null);
      throw new WireError(
        'UNKNOWN_SESSION',
        origin
          ? `session "${claims.sid}" is served by ${origin.url}: players join it there`
          : `no session "${claims.sid}"`,
      );
    }
    const relay = this.relays.get(claims.sid) ?? (await this.open(claims.sid));
    return { relay, member: resume ? relay.resume(resume, claims) : await relay.join(claims) };
  }

  has(sessionId: string): boolean {
    return this.relays.has(sessionId);
  }

  get(sessionId: string): EdgeRelay {
    const relay = this.relays.get(sessionId);
    if (!relay)
      throw new WireError('UNKNOWN_SESSION', `session "${sessionId}" is not watched here`);
    return relay;
  }

  all(): EdgeRelay[] {
    return [...this.relays.values()];
  }

  /** Media consumers across the relays. */
  viewers(): number {
    return this.all().reduce((n, relay) => n + relay.video.stats().consumers, 0);
  }

  /** This process is stopping: its spectators reconnect through another (the client relocates). */
  closeAll(reason: string): void {
    for (const relay of this.all()) relay.close({ reason, tellSpectators: false });
  }

  private open(sessionId: string): Promise<EdgeRelay> {
    let opening = this.opening.get(sessionId);
    if (!opening) {
      opening = EdgeRelay.open(sessionId, this.options)
        .then((relay) => {
          this.relays.set(sessionId, relay);
          relay.once('closed', (how: RelayClose) => {
            this.relays.delete(sessionId);
            this.options.log.info('edge relay closed', { sessionId, reason: how.reason });
          });
          this.options.log.info('edge relay opened', { sessionId });
          this.emit('opened', relay);
          return relay;
        }, asWireError)
        .finally(() => this.opening.delete(sessionId));
      this.opening.set(sessionId, opening);
    }
    return opening;
  }
}

/** What the spectator hears when the origin could not be asked or refused. */
function asWireError(error: unknown): never {
  if (error instanceof WireError) throw error;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if ((ERROR_CODES as readonly unknown[]).includes(code))
    throw new WireError(code as ErrorCode, String(message));
  if (code === 'NO_PROCESS' || code === 'TIMEOUT')
    throw new WireError(
      'UNKNOWN_SESSION',
      `the session's server does not answer: ${String(message)}`,
    );
  throw error;
}
