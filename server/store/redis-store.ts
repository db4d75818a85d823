/**
 * The store for several server processes behind one Redis. Key layout (every key
 * under the store's prefix, `worldtick:` by default):
 *
 *   session:<sessionId>           hash   SessionEntry, PEXPIRE ttl (re-set by each register)
 *   sessions                      set    session ids, pruned of lapsed ones when listed
 *   process:<processId>           hash   ProcessLoad, PEXPIRE ttl (re-set by each announce)
 *   processes                     set    process ids, pruned like sessions
 *   member:<sessionId>:<memberId> hash   PresenceMember, PEXPIRE ttl (re-set by each put)
 *   presence:<sessionId>          set    member ids, PEXPIRE ttl of the newest member
 *   log:<sessionId>               stream action log, entry ID <tick>-1 (see redis-codec.ts)
 *   origin:<sessionId>            hash   SessionOrigin of that log
 *   logs:unfinished               set    session ids whose log began and did not end (failover)
 *   snapshot:<sessionId>          hash   the latest SessionSnapshot: tick, bytes (base64)
 *   seats:<sessionId>             hash   SeatRecord JSON by member id (restored by failover)
 *   socket.io                     stream Socket.IO adapter messages (and its pub/sub channels)
 *   sio:session:<pid>             string Socket.IO connection-state recovery sessions
 *   bus:<processId>, bus:reply:*  pub/sub fleet requests and their replies (redis-bus.ts)
 *
 * The log is kept until the session id begins again; nothing trims it (one short entry
 * per tick: about 4 MB per session-hour at 20 Hz).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import { Logger } from '../log';
import {
  ActionLogOrderError,
  assertNextTick,
  redactUrl,
  SessionClaimedError,
  StoreUnavailableError,
} from './errors';
import { pickMember, pickOrigin, pickProcess, pickSeat, pickSession } from './records';
import {
  decodeEntry,
  decodeMember,
  decodeOrigin,
  decodeProcess,
  decodeSeat,
  decodeSession,
  decodeSnapshot,
  encodeEntry,
  entryId,
  toFields,
} from './redis-codec';
import { RedisBus } from './redis-bus';
import { RedisClient, RedisExpiringRecords } from './redis-expiring-records';
import {
  ActionLog,
  ActionLogEntry,
  PresenceMember,
  PresenceStore,
  ProcessDirectory,
  ProcessLoad,
  SeatRecord,
  SessionDirectory,
  SessionEntry,
  SessionOrigin,
  SessionSnapshot,
  SocketAdapterFactory,
  StateStore,
} from './state-store';

export interface RedisStoreOptions {
  ttlMs: number;
  keyPrefix: string;
  /** Where connection trouble after start-up is reported (once per outage). */
  log?: Logger;
}

/** Reconnection backoff once connected: 100 ms doubling, at most 2 s apart. */
const reconnectDelay = (retries: number) => Math.min(100 * 2 ** retries, 2000);

class RedisSessions implements SessionDirectory {
  private readonly records: RedisExpiringRecords;

  constructor(client: RedisClient, ttlMs: number, prefix: string) {
    this.records = new RedisExpiringRecords(
      client,
      ttlMs,
      `${prefix}sessions`,
      `${prefix}session:`,
    );
  }

  async register(entry: SessionEntry): Promise<void> {
    const fields = toFields(pickSession(entry));
    const holder = await this.records.put(entry.sessionId, fields, {
      field: 'processId',
      value: entry.processId,
    });
    if (holder !== null) throw new SessionClaimedError(entry.sessionId, holder);
  }

  async unregister(sessionId: string, processId: string): Promise<void> {
    await this.records.remove(sessionId, { field: 'processId', value: processId });
  }

  async lookup(sessionId: string): Promise<SessionEntry | null> {
    const fields = await this.records.get(sessionId);
    return fields && decodeSession(fields, `registry entry "${sessionId}"`);
  }

  async list(): Promise<SessionEntry[]> {
    return (await this.records.list()).map((fields) => decodeSession(fields, 'registry entry'));
  }
}

class RedisProcesses implements ProcessDirectory {
  private readonly records: RedisExpiringRecords;

  constructor(client: RedisClient, ttlMs: number, prefix: string) {
    this.records = new RedisExpiringRecords(
      client,
      ttlMs,
      `${prefix}processes`,
      `${prefix}process:`,
    );
  }

  async announce(load: ProcessLoad): Promise<void> {
    await this.records.put(load.processId, toFields(pickProcess(load)));
  }

  async list(): Promise<ProcessLoad[]> {
    return (await this.records.list()).map((fields) => decodeProcess(fields, 'process load'));
  }

  async withdraw(processId: string): Promise<void> {
    await this.records.remove(processId);
  }
}

class RedisPresence implements PresenceStore {
  constructor(
    private readonly client: RedisClient,
    private readonly ttlMs: number,
    private readonly prefix: string,
  ) {}

  async put(sessionId: string, member: PresenceMember): Promise<void> {
    await this.members(sessionId).put(member.memberId, toFields(pickMember(member)));
  }

  async list(sessionId: string): Promise<PresenceMember[]> {
    const where = `presence of session "${sessionId}"`;
    return (await this.members(sessionId).list()).map((fields) => decodeMember(fields, where));
  }

  async remove(sessionId: string, memberId: string): Promise<void> {
    await this.members(sessionId).remove(memberId);
  }

  private members(sessionId: string): RedisExpiringRecords {
    const { client, ttlMs, prefix } = this;
    return new RedisExpiringRecords(
      client,
      ttlMs,
      `${prefix}presence:${sessionId}`,
      `${prefix}member:${sessionId}:`,
    );
  }
}

class RedisActionLog implements ActionLog {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
  ) {}

  async begin(sessionId: string, origin: SessionOrigin): Promise<void> {
    const { log, origin: originKey } = this.keys(sessionId);
    await this.client
      .multi()
      .del([log, originKey, this.snapshotKey(sessionId), this.seatsKey(sessionId)])
      .hSet(originKey, toFields(pickOrigin(origin)))
      .sAdd(this.unfinishedKey, sessionId)
      .exec();
  }

  async end(sessionId: string): Promise<void> {
    await this.client.sRem(this.unfinishedKey, sessionId);
  }

  async unfinished(): Promise<string[]> {
    return this.client.sMembers(this.unfinishedKey);
  }

  async putSnapshot(sessionId: string, snapshot: SessionSnapshot): Promise<void> {
    await this.client.hSet(this.snapshotKey(sessionId), {
      tick: String(snapshot.tick),
      bytes: Buffer.from(snapshot.bytes).toString('base64'),
    });
  }

  async snapshot(sessionId: string): Promise<SessionSnapshot | null> {
    const fields = await this.client.hGetAll(this.snapshotKey(sessionId));
    if (Object.keys(fields).length === 0) return null;
    return decodeSnapshot(fields, `snapshot of session "${sessionId}"`);
  }

  async putSeat(sessionId: string, seat: SeatRecord): Promise<void> {
    await this.client.hSet(this.seatsKey(sessionId), seat.memberId, JSON.stringify(pickSeat(seat)));
  }

  async removeSeat(sessionId: string, memberId: string): Promise<void> {
    await this.client.hDel(this.seatsKey(sessionId), memberId);
  }

  async seats(sessionId: string): Promise<SeatRecord[]> {
    const fields = await this.client.hGetAll(this.seatsKey(sessionId));
    return Object.values(fields).map((json) =>
      decodeSeat(json, `a seat of session "${sessionId}"`),
    );
  }

  private seatsKey(sessionId: string): string {
    return `${this.prefix}seats:${sessionId}`;
  }

  private snapshotKey(sessionId: string): string {
    return `${this.prefix}snapshot:${sessionId}`;
  }

  private get unfinishedKey(): string {
    return `${this.prefix}logs:unfinished`;
  }

  async origin(sessionId: string): Promise<SessionOrigin | null> {
    const fields = await this.client.hGetAll(this.keys(sessionId).origin);
    if (Object.keys(fields).length === 0) return null;
    return decodeOrigin(fields, `action-log origin of session "${sessionId}"`);
  }

  async putOrigin(sessionId: string, origin: SessionOrigin): Promise<void> {
    await this.client.hSet(this.keys(sessionId).origin, toFields(pickOrigin(origin)));
  }

  async append(sessionId: string, entry: ActionLogEntry): Promise<void> {
    // Redis checks the order: an entry ID must exceed the stream's last one.
    assertNextTick(sessionId, entry.tick, undefined);
    try {
      await this.client.xAdd(this.keys(sessionId).log, entryId(entry.tick), encodeEntry(entry));
    } catch (error) {
      if (String(error).includes('equal or smaller than the target stream top item')) {
        throw new ActionLogOrderError(sessionId, entry.tick);
      }
      throw error;
    }
  }

  async read(sessionId: string, fromTick = 0, toTick = Infinity): Promise<ActionLogEntry[]> {
    const first = Math.max(0, Math.ceil(fromTick));
    const last = Math.floor(toTick);
    if (last < first) return [];
    const end = Number.isFinite(last) ? entryId(last) : '+';
    const where = `action log of session "${sessionId}"`;
    const messages = await this.client.xRange(this.keys(sessionId).log, `${first}-0`, end);
    return (messages ?? []).map(({ id, message }) => decodeEntry(id, message, where));
  }

  async length(sessionId: string): Promise<number> {
    return this.client.xLen(this.keys(sessionId).log);
  }

  private keys(sessionId: string) {
    return { log: `${this.prefix}log:${sessionId}`, origin: `${this.prefix}origin:${sessionId}` };
  }
}

export class RedisStore implements StateStore {
  readonly kind = 'redis';
  readonly sessions: SessionDirectory;
  readonly processes: ProcessDirectory;
  readonly presence: PresenceStore;
  readonly actions: ActionLog;
  readonly bus: RedisBus;

  private constructor(
    private readonly client: RedisClient,
    /** This store's connection name (CLIENT SETNAME), which the adapter's connections inherit. */
    private readonly name: string,
    readonly ttlMs: number,
    private readonly prefix: string,
    private readonly reconnected: EventEmitter,
  ) {
    this.sessions = new RedisSessions(client, ttlMs, prefix);
    this.processes = new RedisProcesses(client, ttlMs, prefix);
    this.presence = new RedisPresence(client, ttlMs, prefix);
    this.actions = new RedisActionLog(client, prefix);
    this.bus = new RedisBus(client, prefix);
  }

  get available(): boolean {
    return this.client.isReady;
  }

  onReconnect(listener: () => void): void {
    this.reconnected.on('reconnect', listener);
  }

  /** Connects, failing fast with StoreUnavailableError; once up, it rides out outages. */
  static async connect(url: string, options: RedisStoreOptions): Promise<RedisStore> {
    let connected = false;
    let down = false;
    const name = `worldtick-store-${randomUUID()}`;
    const client: RedisClient = createClient({
      url,
      name,
      // Giving up (false) before the first connection makes connect() reject with the cause.
      socket: { reconnectStrategy: (retries) => (connected ? reconnectDelay(retries) : false) },
    });
    client.on('error', (error: unknown) => {
      if (!connected || down) return;
      down = true;
      options.log?.warn('state store lost Redis; retrying', { url: redactUrl(url), error });
    });
    const reconnected = new EventEmitter();
    client.on('ready', () => {
      if (!down) return;
      down = false;
      options.log?.info('state store reconnected to Redis', { url: redactUrl(url) });
      reconnected.emit('reconnect');
    });
    try {
      await client.connect();
    } catch (error) {
      throw new StoreUnavailableError(url, error);
    }
    connected = true;
    return new RedisStore(client, name, options.ttlMs, options.keyPrefix, reconnected);
  }

  /** The Redis Streams adapter: unlike the pub/sub one, it restores missed packets across nodes. */
  createSocketAdapter(): SocketAdapterFactory {
    return createAdapter(handledCommands(this.client), {
      streamName: `${this.prefix}socket.io`,
      channelPrefix: `${this.prefix}socket.io`,
      sessionKeyPrefix: `${this.prefix}sio:session:`,
    });
  }

  /** Waits for pending writes when Redis is there; drops them when it is not. */
  async close(): Promise<void> {
    await this.bus.close();
    if (!this.client.isReady) {
      if (this.client.isOpen) this.client.destroy();
      return;
    }
    await this.releaseAdapterReaders();
    await this.client.close();
  }

  /**
   * The adapter reads its stream on a duplicate of this connection (so with this name),
   * in XREADs that block for up to 5 s. Once its Socket.IO server has closed, unblocking
   * the read lets that connection go now rather than when the read times out.
   */
  private async releaseAdapterReaders(): Promise<void> {
    try {
      const connections = await this.client.clientList();
      const readers = connections.filter((c) => c.name === this.name && c.cmd === 'xread');
      await Promise.all(readers.map((reader) => this.client.clientUnblock(reader.id)));
    } catch {
      // CLIENT LIST refused (ACLs): the readers leave when their read times out.
    }
  }
}

/**
 * The client as the Socket.IO adapter sees it: every command's promise is marked
 * handled. The adapter fires some commands and forgets them (persisting a dropped
 * socket's recovery state), and during an outage those reject after the command
 * timeout; unhandled, that would end the process. Callers that await still see the error.
 */
function handledCommands(client: RedisClient): RedisClient {
  return new Proxy(client, {
    // The client itself as `this`: its private fields are not reachable through a proxy.
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = value.apply(target, args);
        if (result instanceof Promise) result.catch(() => {});
        return result;
      };
    },
  });
}
