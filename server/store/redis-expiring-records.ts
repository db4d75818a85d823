/**
 * Records that lapse unless put again, listable: the Redis shape behind both the
 * session registry and presence. Each record is a hash with a PEXPIRE; a set names
 * the records so they can be listed without SCAN over the whole keyspace. Redis' own
 * expiry is the single source of truth (no process clocks involved): a listed id
 * whose hash has lapsed is skipped and dropped from the set.
 */
import { createClient } from 'redis';

export type RedisClient = ReturnType<typeof createClient>;

export type Fields = Record<string, string>;

/** Only a record's holder may overwrite or remove it: `field` must still equal `value`. */
export interface Guard {
  field: string;
  value: string;
}

/**
 * KEYS: record hash, index set. ARGV: id, ttl ms, guard field ('' for none), guard
 * value, then field/value pairs. Returns the other holder's value, or nil when written.
 * The index lives as long as its newest record, so an abandoned one disappears too.
 */
const PUT = `
if ARGV[3] ~= '' then
  local holder = redis.call('HGET', KEYS[1], ARGV[3])
  if holder and holder ~= ARGV[4] then return holder end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return false
`;

/** KEYS: record hash, index set. ARGV: id, guard field ('' for none), guard value. */
const REMOVE = `
if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[3] then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
`;

/**
 * KEYS: index set, then the record hash of each id in ARGV (same order). Drops the ids
 * whose record is gone, checked here again so one put meanwhile is not unlisted.
 */
const PRUNE = `
for i, id in ipairs(ARGV) do
  if redis.call('EXISTS', KEYS[i + 1]) == 0 then redis.call('SREM', KEYS[1], id) end
end
return 0
`;

export class RedisExpiringRecords {
  constructor(
    private readonly client: RedisClient,
    private readonly ttlMs: number,
    /** The set of record ids. */
    private readonly indexKey: string,
    /** Record `id` lives at `recordKeyPrefix + id`. */
    private readonly recordKeyPrefix: string,
  ) {}

  /** Writes (replaces) the record with a fresh TTL; returns the guard field's other holder instead when there is one. */
  async put(id: string, fields: Fields, guard?: Guard): Promise<string | null> {
    const holder = await this.client.eval(PUT, {
      keys: [this.recordKey(id), this.indexKey],
      arguments: [
        id,
        String(this.ttlMs),
        guard?.field ?? '',
        guard?.value ?? '',
        ...Object.entries(fields).flat(),
      ],
    });
    return typeof holder === 'string' ? holder : null;
  }

  async get(id: string): Promise<Fields | null> {
    const fields = await this.client.hGetAll(this.recordKey(id));
    return Object.keys(fields).length > 0 ? fields : null;
  }

  async list(): Promise<Fields[]> {
    const ids = await this.client.sMembers(this.indexKey);
    const records = await Promise.all(ids.map((id) => this.get(id)));
    const lapsed = ids.filter((_, i) => records[i] === null);
    if (lapsed.length > 0) {
      await this.client.eval(PRUNE, {
        keys: [this.indexKey, ...lapsed.map((id) => this.recordKey(id))],
        arguments: lapsed,
      });
    }
    return records.filter((record): record is Fields => record !== null);
  }

  async remove(id: string, guard?: Guard): Promise<void> {
    await this.client.eval(REMOVE, {
      keys: [this.recordKey(id), this.indexKey],
      arguments: [id, guard?.field ?? '', guard?.value ?? ''],
    });
  }

  private recordKey(id: string): string {
    return this.recordKeyPrefix + id;
  }
}
