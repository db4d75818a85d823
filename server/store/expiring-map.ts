/**
 * A map whose entries lapse `ttlMs` after they were last set: the in-memory
 * counterpart of a Redis key with PEXPIRE. Expiry is checked on read, so nothing
 * runs in the background and nothing needs stopping.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly ttlMs: number) {}

  set(key: string, value: V): void {
    this.entries.set(key, { value, expiresAt: Date.now() + this.ttlMs });
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) this.entries.delete(key);
    return this.entries.get(key)?.value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Live values; lapsed entries are dropped on the way. */
  values(): V[] {
    const now = Date.now();
    const live: V[] = [];
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
      else live.push(entry.value);
    }
    return live;
  }
}
