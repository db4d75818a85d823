/**
 * The store module's front door: `createStore` picks the implementation from a URL,
 * so the rest of the server chooses a store by configuration alone.
 */
import { Logger } from '../log';
import { StoreUrlError } from './errors';
import { MemoryStore } from './memory-store';
import { RedisStore } from './redis-store';
import { StateStore } from './state-store';

export * from './state-store';
export {
  ActionLogOrderError,
  FleetRequestError,
  SessionClaimedError,
  StoreDataError,
  StoreUnavailableError,
  StoreUrlError,
} from './errors';

export interface StoreOptions {
  /** How long registry and presence entries live without a refresh (heartbeat every ttlMs / 3). */
  ttlMs?: number;
  /** Prefix of every Redis key, so deployments (and test runs) can share one Redis. */
  keyPrefix?: string;
  /** Where a Redis store reports connection trouble after start-up. */
  log?: Logger;
}

export const DEFAULT_TTL_MS = 15_000;
export const DEFAULT_KEY_PREFIX = 'worldtick:';

/** No URL: the in-memory store. `redis://` or `rediss://`: Redis, connected before this returns. */
export async function createStore(url?: string, options: StoreOptions = {}): Promise<StateStore> {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  if (!url) return new MemoryStore(ttlMs);
  if (!/^rediss?:\/\//.test(url)) throw new StoreUrlError(url);
  return RedisStore.connect(url, {
    ttlMs,
    keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX,
    log: options.log,
  });
}
