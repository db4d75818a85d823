/**
 * Signed join tokens (JWT, HS256 via jose). A token names the session and the role
 * its bearer joins as; the server trusts nothing else a client says about either.
 * Every process serving the same sessions must share the secret.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { WireError } from './errors';

export const ROLES = ['host', 'player', 'spectator'] as const;
export type Role = (typeof ROLES)[number];

const Claims = z.object({ sid: z.string(), role: z.enum(ROLES), sub: z.string() });
export type JoinClaims = z.infer<typeof Claims>;

const ISSUER = 'worldtick';

export class JoinTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    if (secret.length < 16)
      throw new RangeError('the join-token secret must be at least 16 characters');
    this.key = new TextEncoder().encode(secret);
  }

  /** A token for `subject` (a display name or account id) to join `sessionId` as `role`. */
  issue(sessionId: string, role: Role, subject: string): Promise<string> {
    return new SignJWT({ sid: sessionId, role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(subject)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The token's claims, or a typed FORBIDDEN error saying what is wrong with it. */
  async verify(token: string): Promise<JoinClaims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        algorithms: ['HS256'],
      });
      const claims = Claims.safeParse(payload);
      if (!claims.success)
        throw new WireError('FORBIDDEN', 'join token lacks session, role or subject');
      return claims.data;
    } catch (error) {
      if (error instanceof WireError) throw error;
      if (error instanceof errors.JWTExpired)
        throw new WireError('FORBIDDEN', 'join token expired; ask for a new invite');
      throw new WireError('FORBIDDEN', 'join token is not valid for this server');
    }
  }
}
