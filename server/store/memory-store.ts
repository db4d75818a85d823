/**
 * The embedded default store: everything in this process's memory, so a single
 * server needs no Redis. It keeps the same contract as RedisStore (claims, TTLs,
 * tick order), which the shared contract test checks, so code written against it
 * behaves the same when a deployment moves to Redis.
 */
import { assertNextTick, SessionClaimedError } from './errors';
import { ExpiringMap } from './expiring-map';
import { MemoryBus } from './fleet-bus';
import { pickEntry, pickMember, pickOrigin, pickProcess, pickSeat, pickSession } from './records';
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
  StateStore,
} from './state-store';

class MemorySessions implements SessionDirectory {
  private readonly entries: ExpiringMap<SessionEntry>;

  constructor(ttlMs: number) {
    this.entries = new ExpiringMap(ttlMs);
  }

  async register(entry: SessionEntry): Promise<void> {
    const current = this.entries.get(entry.sessionId);
    if (current && current.processId !== entry.processId) {
      throw new SessionClaimedError(entry.sessionId, current.processId);
    }
    this.entries.set(entry.sessionId, pickSession(entry));
  }

  async unregister(sessionId: string, processId: string): Promise<void> {
    if (this.entries.get(sessionId)?.processId === processId) this.entries.delete(sessionId);
  }

  async lookup(sessionId: string): Promise<SessionEntry | null> {
    const entry = this.entries.get(sessionId);
    return entry ? pickSession(entry) : null;
  }

  async list(): Promise<SessionEntry[]> {
    return this.entries.values().map(pickSession);
  }
}

class MemoryProcesses implements ProcessDirectory {
  private readonly loads: ExpiringMap<ProcessLoad>;

  constructor(ttlMs: number) {
    this.loads = new ExpiringMap(ttlMs);
  }

  async announce(load: ProcessLoad): Promise<void> {
    this.loads.set(load.processId, pickProcess(load));
  }

  async list(): Promise<ProcessLoad[]> {
    return this.loads.values().map(pickProcess);
  }

  async withdraw(processId: string): Promise<void> {
    this.loads.delete(processId);
  }
}

class MemoryPresence implements PresenceStore {
  private readonly sessions = new Map<string, ExpiringMap<PresenceMember>>();

  constructor(private readonly ttlMs: number) {}

  async put(sessionId: string, member: PresenceMember): Promise<void> {
    let members = this.sessions.get(sessionId);
    if (!members) this.sessions.set(sessionId, (members = new ExpiringMap(this.ttlMs)));
    members.set(member.memberId, pickMember(member));
  }

  async list(sessionId: string): Promise<PresenceMember[]> {
    return this.live(sessionId).map(pickMember);
  }

  async remove(sessionId: string, memberId: string): Promise<void> {
    this.sessions.get(sessionId)?.delete(memberId);
    this.live(sessionId);
  }

  /** The session's live members; a session left with none is forgotten. */
  private live(sessionId: string): PresenceMember[] {
    const members = this.sessions.get(sessionId)?.values() ?? [];
    if (members.length === 0) this.sessions.delete(sessionId);
    return members;
  }
}

class MemoryActionLog implements ActionLog {
  private readonly logs = new Map<
    string,
    { origin: SessionOrigin | null; entries: ActionLogEntry[] }
  >();
  private readonly open = new Set<string>();
  private readonly snapshots = new Map<string, SessionSnapshot>();
  private readonly seatsOf = new Map<string, Map<string, SeatRecord>>();

  async begin(sessionId: string, origin: SessionOrigin): Promise<void> {
    this.logs.set(sessionId, { origin: pickOrigin(origin), entries: [] });
    this.open.add(sessionId);
    this.snapshots.delete(sessionId);
    this.seatsOf.delete(sessionId);
  }

  async putSeat(sessionId: string, seat: SeatRecord): Promise<void> {
    let seats = this.seatsOf.get(sessionId);
    if (!seats) this.seatsOf.set(sessionId, (seats = new Map()));
    seats.set(seat.memberId, pickSeat(seat));
  }

  async removeSeat(sessionId: string, memberId: string): Promise<void> {
    this.seatsOf.get(sessionId)?.delete(memberId);
  }

  async seats(sessionId: string): Promise<SeatRecord[]> {
    return [...(this.seatsOf.get(sessionId)?.values() ?? [])].map(pickSeat);
  }

  async putSnapshot(sessionId: string, snapshot: SessionSnapshot): Promise<void> {
    this.snapshots.set(sessionId, { tick: snapshot.tick, bytes: snapshot.bytes.slice() });
  }

  async snapshot(sessionId: string): Promise<SessionSnapshot | null> {
    const held = this.snapshots.get(sessionId);
    return held ? { tick: held.tick, bytes: held.bytes.slice() } : null;
  }

  async end(sessionId: string): Promise<void> {
    this.open.delete(sessionId);
  }

  async unfinished(): Promise<string[]> {
    return [...this.open];
  }

  async origin(sessionId: string): Promise<SessionOrigin | null> {
    const origin = this.logs.get(sessionId)?.origin;
    return origin ? pickOrigin(origin) : null;
  }

  async putOrigin(sessionId: string, origin: SessionOrigin): Promise<void> {
    const log = this.logs.get(sessionId);
    if (log) log.origin = pickOrigin(origin);
    else this.logs.set(sessionId, { origin: pickOrigin(origin), entries: [] });
  }

  async append(sessionId: string, entry: ActionLogEntry): Promise<void> {
    const log = this.logs.get(sessionId);
    const entries = log?.entries ?? [];
    assertNextTick(sessionId, entry.tick, entries[entries.length - 1]?.tick);
    const stored = pickEntry(entry);
    if (log) entries.push(stored);
    else this.logs.set(sessionId, { origin: null, entries: [stored] });
  }

  async read(sessionId: string, fromTick = 0, toTick = Infinity): Promise<ActionLogEntry[]> {
    return (this.logs.get(sessionId)?.entries ?? [])
      .filter((entry) => entry.tick >= fromTick && entry.tick <= toTick)
      .map(pickEntry);
  }

  async length(sessionId: string): Promise<number> {
    return this.logs.get(sessionId)?.entries.length ?? 0;
  }
}

export class MemoryStore implements StateStore {
  readonly kind = 'memory';
  readonly sessions: SessionDirectory;
  readonly processes: ProcessDirectory;
  readonly presence: PresenceStore;
  readonly actions: ActionLog = new MemoryActionLog();
  readonly bus = new MemoryBus();
  /** In this process's memory: always there. */
  readonly available = true;

  constructor(readonly ttlMs: number) {
    this.sessions = new MemorySessions(ttlMs);
    this.processes = new MemoryProcesses(ttlMs);
    this.presence = new MemoryPresence(ttlMs);
  }

  /** Socket.IO's own in-process adapter is the right one for a single process. */
  createSocketAdapter(): undefined {
    return undefined;
  }

  onReconnect(): void {}

  async close(): Promise<void> {}
}
