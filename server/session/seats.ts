/**
 * Who holds a seat in one session, and by which join token: seats per role up to the
 * session's capacity, each token's `joins` cap, and resuming a seat after a dropped
 * connection. Used by a Session (with its control room beside it) and by an edge's
 * relay of a session served elsewhere (spectator seats only).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { WireError } from './errors';
import { JoinClaims, Role, ROLES } from './join-tokens';
import { RateLimiter } from './rate-limiter';

export interface Member {
  readonly id: string;
  /** Who the join token was issued to (a display name). */
  readonly name: string;
  readonly role: Role;
  /** The id of the join token the seat was taken with: only that token resumes it. */
  readonly tokenId: string;
  /** Secret that lets this member reclaim its identity after a dropped connection. */
  readonly resumeToken: string;
  readonly limiter: RateLimiter;
  /** False while the member's connection is down (inside the reconnection window). */
  connected: boolean;
}

/** How many members of each role a session admits. */
export type Capacity = Record<Role, number>;

/** A seat as another process held it (the store's SeatRecord): what `restore` takes back. */
export interface SavedSeat {
  memberId: string;
  name: string;
  role: string;
  tokenId: string;
  resumeToken: string;
}

export interface SeatsOptions {
  capacity: Capacity;
  /** Messages per second each member may send (its RateLimiter). */
  inputRateLimit: number;
  now: () => number;
}

export class Seats {
  private readonly members = new Map<string, Member>();
  /** Seats taken with each join token (by its id), held to the token's `joins` cap. */
  private readonly tokenJoins = new Map<string, number>();

  constructor(
    private readonly sessionId: string,
    private readonly options: SeatsOptions,
  ) {}

  /** A new seat for the bearer of a verified join token. */
  take(claims: JoinClaims): Member {
    const { role, sub: name, jti: tokenId, joins: cap } = claims;
    const limit = this.options.capacity[role];
    if (this.list().filter((m) => m.role === role).length >= limit) {
      throw new WireError(
        'SESSION_FULL',
        `session "${this.sessionId}" has no free ${role} seat (${limit} max)`,
      );
    }
    const used = this.tokenJoins.get(tokenId) ?? 0;
    if (cap > 0 && used >= cap)
      throw new WireError('FORBIDDEN', `this invite admits ${cap} join(s) and has been used`);
    this.tokenJoins.set(tokenId, used + 1);
    const member: Member = {
      id: randomUUID(),
      name,
      role,
      tokenId,
      resumeToken: randomUUID(),
      limiter: new RateLimiter(this.options.inputRateLimit, this.options.now()),
      connected: true,
    };
    this.members.set(member.id, member);
    return member;
  }

  /**
   * A seat another process held, taken back disconnected: its member resumes it with its
   * resume token (same id, role and name). Unknown roles and seats over capacity are refused.
   */
  restore(saved: SavedSeat): Member {
    const role = ROLES.find((r) => r === saved.role);
    if (!role) throw new WireError('BAD_REQUEST', `unknown role "${saved.role}"`);
    if (this.list().filter((m) => m.role === role).length >= this.options.capacity[role])
      throw new WireError('SESSION_FULL', `no free ${role} seat to restore`);
    this.tokenJoins.set(saved.tokenId, (this.tokenJoins.get(saved.tokenId) ?? 0) + 1);
    const member: Member = {
      id: saved.memberId,
      name: saved.name,
      role,
      tokenId: saved.tokenId,
      resumeToken: saved.resumeToken,
      limiter: new RateLimiter(this.options.inputRateLimit, this.options.now()),
      connected: false,
    };
    this.members.set(member.id, member);
    return member;
  }

  /**
   * The member holding `resumeToken`, connected again. Only with the join token that member
   * took its seat with (a stolen resume token is useless with any other), and refused while
   * that member is still connected (a copied token, a duplicated tab), before anything changes.
   */
  resume(resumeToken: string, claims: Pick<JoinClaims, 'jti' | 'sub' | 'role'>): Member {
    const member = this.withResumeToken(resumeToken);
    if (!member)
      throw new WireError(
        'FORBIDDEN',
        'nothing to resume: the reconnection window has passed; join again',
      );
    if (member.tokenId !== claims.jti || member.name !== claims.sub || member.role !== claims.role)
      throw new WireError('FORBIDDEN', 'that resume token belongs to another join token');
    if (member.connected)
      throw new WireError('FORBIDDEN', 'that membership is connected elsewhere; join again');
    member.connected = true;
    return member;
  }

  /** The member whose resume secret this is (compared in constant time). */
  withResumeToken(resumeToken: string): Member | undefined {
    const given = Buffer.from(resumeToken);
    return this.list().find((m) => {
      const held = Buffer.from(m.resumeToken);
      return held.length === given.length && timingSafeEqual(held, given);
    });
  }

  /** The member's connection dropped; false if there is no such member. */
  away(memberId: string): boolean {
    const member = this.members.get(memberId);
    if (member) member.connected = false;
    return member !== undefined;
  }

  /** Frees the seat; false if there was none. */
  remove(memberId: string): boolean {
    return this.members.delete(memberId);
  }

  get(memberId: string): Member | undefined {
    return this.members.get(memberId);
  }

  list(): Member[] {
    return [...this.members.values()];
  }

  ids(): string[] {
    return [...this.members.keys()];
  }

  connectedCount(): number {
    return this.list().filter((m) => m.connected).length;
  }

  clear(): void {
    this.members.clear();
  }
}
