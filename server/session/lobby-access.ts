/**
 * Who may create sessions, and how many each may keep open. A session costs a router,
 * an encoder and a share of every tick, so creating one needs a credential: the
 * operator key, or a create token signed with the join secret. Live sessions are
 * counted per credential and per client address, and a slot is released when its
 * session closes (never-joined ones close soon: see SessionRegistry).
 */
import { timingSafeEqual } from 'node:crypto';
import { WireError } from './errors';
import { JoinTokens } from './join-tokens';

export interface LobbyQuotas {
  /** Sessions one credential may keep open at once. */
  perCredential: number;
  /** Sessions one client address may keep open at once, whatever its credentials. */
  perAddress: number;
}

export class LobbyAccess {
  private readonly open = new Map<string, number>();
  private readonly operatorKey: Buffer;

  constructor(
    operatorKey: string,
    private readonly tokens: JoinTokens,
    private readonly quotas: LobbyQuotas,
  ) {
    this.operatorKey = Buffer.from(operatorKey);
  }

  /** The credential's name ("operator" or "create:<subject>"), or a typed FORBIDDEN error. */
  async credential(given: unknown): Promise<string> {
    if (typeof given !== 'string' || given.length === 0 || given.length > 2048)
      throw new WireError(
        'FORBIDDEN',
        'creating sessions needs a credential: connect with auth { key } (the operator key or a create token)',
      );
    const bytes = Buffer.from(given);
    if (bytes.length === this.operatorKey.length && timingSafeEqual(bytes, this.operatorKey))
      return 'operator';
    return `create:${await this.tokens.verifyCreate(given)}`;
  }

  /** Takes a slot for one more session of `credential` from `address`; returns its release. */
  reserve(credential: string, address: string): () => void {
    const keys = [`credential:${credential}`, `address:${address}`];
    const limits = [this.quotas.perCredential, this.quotas.perAddress];
    keys.forEach((key, i) => {
      if ((this.open.get(key) ?? 0) >= limits[i])
        throw new WireError(
          'QUOTA_EXCEEDED',
          `this ${i === 0 ? 'credential' : 'address'} already has ${limits[i]} open sessions; close one first`,
        );
    });
    for (const key of keys) this.open.set(key, (this.open.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const left = (this.open.get(key) ?? 1) - 1;
        if (left > 0) this.open.set(key, left);
        else this.open.delete(key);
      }
    };
  }
}
