/**
 * Signed join tokens (JWT, HS256 via jose). A token names the session and the role
 * its bearer joins as; the server trusts nothing else a client says about either.
 * Every token has an id (`jti`) and an expiry, and says how many seats it may take
 * (`joins`; 0: any number): the session counts them, and a member's resume token only
 * works with the join token it was first taken with. Every process serving the same
 * sessions must share the secret.
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { WireError } from './errors';

export const ROLES = ['host', 'player', 'spectator'] as const;
export type Role = (typeof ROLES)[number];

const Claims = z.object({
  sid: z.string(),
  role: z.enum(ROLES),
  sub: z.string(),
  jti: z.string(),
  joins: z.number().int().nonnegative(),
});
export type JoinClaims = z.infer<typeof Claims>;

const ISSUER = 'worldtick';
/** The scope of a create token: a lobby credential, never a seat. */
const CREATE_SCOPE = 'create';
const CreateClaims = z.object({ scope: z.literal(CREATE_SCOPE), sub: z.string().min(1) });

export class JoinTokens {
  private readonly key: Uint8Array;

  /**
   * @param maxJoins seats one token may take unless its issuer says otherwise (0: any number)
   */
  constructor(
    secret: string,
    private readonly ttlSeconds: number,
    private readonly maxJoins = 1,
  ) {
    if (secret.length < 16)
      throw new RangeError('the join-token secret must be at least 16 characters');
    this.key = new TextEncoder().encode(secret);
  }

  /** A token for `subject` (a display name or account id) to join `sessionId` as `role`. */
  issue(sessionId: string, role: Role, subject: string, joins = this.maxJoins): Promise<string> {
    return new SignJWT({ sid: sessionId, role, joins })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(subject)
      .setJti(randomUUID())
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The token's claims, or a typed FORBIDDEN error saying what is wrong with it. */
  async verify(token: string): Promise<JoinClaims> {
    const claims = Claims.safeParse(await this.verified(token, 'join'));
    if (!claims.success)
      throw new WireError('FORBIDDEN', 'join token lacks session, role, subject or join count');
    return claims.data;
  }

  /**
   * A create token: lets `subject` (an account, a team) create sessions, within its
   * quota. Minted by whatever shares the secret (an account service, an operator script).
   */
  issueCreate(subject: string, ttlSeconds = this.ttlSeconds): Promise<string> {
    return new SignJWT({ scope: CREATE_SCOPE })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(subject)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.key);
  }

  /** The subject of a valid create token, or a typed FORBIDDEN error. */
  async verifyCreate(token: string): Promise<string> {
    const claims = CreateClaims.safeParse(await this.verified(token, 'create'));
    if (!claims.success) throw new WireError('FORBIDDEN', 'not a create token');
    return claims.data.sub;
  }

  private async verified(token: string, kind: 'join' | 'create'): Promise<unknown> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
        requiredClaims: kind === 'join' ? ['exp', 'jti', 'sub'] : ['exp', 'sub'],
      });
      return payload;
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new WireError('FORBIDDEN', `${kind} token expired; ask for a new one`);
      if (error instanceof errors.JWTClaimValidationFailed)
        throw new WireError('FORBIDDEN', `${kind} token lacks its "${error.claim}" claim`);
      throw new WireError('FORBIDDEN', `${kind} token is not valid for this server`);
    }
  }
}
