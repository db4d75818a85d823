/**
 * Takes over the sessions of processes that died or stopped. A session whose action log
 * is unfinished and that no live process holds in the registry (its claim lapsed
 * STORE_TTL_MS after its process's last heartbeat, or its process unregistered it at
 * shutdown) is claimed here while there is room, and resumed from its log: its world is
 * opened from the log's origin and every logged tick stepped through again, so it goes on
 * from the tick it had reached and its log goes on where it stopped. Its members rejoin
 * with their join tokens (a client finds it with `session:locate`).
 *
 * A deterministic frame source (the engine) resumes exactly from the log alone. Any other
 * (a generator) resumes from the latest snapshot of its state its process stored (every
 * SNAPSHOT_EVERY_MS) plus the logged ticks since; a session without one yet is left.
 */
import { FrameSource } from '../generator/frame-source';
import { Logger } from '../log';
import { SessionRegistry } from '../session/registry';
import { CONTROL_MODES, INSTRUCTION_RULES } from '../protocol/roles';
import type { SessionSettings } from '../session/registry';
import { SessionClaimedError, SessionOrigin, StateStore } from '../store';

export interface FailoverOptions {
  store: StateStore;
  registry: SessionRegistry;
  source: FrameSource;
  processId: string;
  /** Where clients of this process's sessions connect. */
  url: string;
  log: Logger;
}

export class Failover {
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<string[]> | null = null;
  /** Sessions found and left (another source drew them), said once each. */
  private readonly left = new Set<string>();

  constructor(private readonly options: FailoverOptions) {}

  /** Looks for orphaned sessions every `everyMs` (the registry heartbeat's period). */
  start(everyMs: number): void {
    this.timer = setInterval(() => void this.scan(), everyMs).unref();
  }

  /** Stops looking; resolves once a scan in progress is over. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.scanning;
  }

  /** One look: the ids of the sessions resumed here. Failures are logged, never thrown. */
  scan(): Promise<string[]> {
    this.scanning ??= this.resumeOrphans()
      .catch((error) => {
        this.options.log.error('failover scan failed', { error });
        return [];
      })
      .finally(() => (this.scanning = null));
    return this.scanning;
  }

  private async resumeOrphans(): Promise<string[]> {
    const { store, registry } = this.options;
    if (!store.available) return [];
    const resumed: string[] = [];
    for (const sessionId of await store.actions.unfinished()) {
      if (!registry.hasRoom()) break;
      if (registry.has(sessionId) || (await store.sessions.lookup(sessionId))) continue;
      const origin = await store.actions.origin(sessionId);
      if (!origin || !this.canResume(sessionId, origin)) continue;
      const snapshot = this.options.source.deterministic
        ? undefined
        : await store.actions.snapshot(sessionId);
      if (snapshot === null) {
        this.leave(sessionId, 'no snapshot of it was stored yet');
        continue;
      }
      const history = await store.actions.read(sessionId);
      // (A snapshot written while its log's last ticks were still buffered, then lost.)
      if (snapshot && snapshot.tick > history.length) {
        this.leave(
          sessionId,
          `its snapshot is of tick ${snapshot.tick}, its log ends at ${history.length}`,
        );
        continue;
      }
      if (!(await this.claim(sessionId, origin))) continue;
      const seats = await store.actions.seats(sessionId);
      await registry.create(
        sessionId,
        { seed: origin.seed },
        { history, snapshot, seats, ...settingsOf(origin) },
      );
      this.options.log.info('session resumed', {
        sessionId,
        seats: seats.length,
        fromTick: history.length,
        snapshotTick: snapshot?.tick,
      });
      resumed.push(sessionId);
    }
    return resumed;
  }

  /** Of several processes looking at once, one wins the claim. */
  private async claim(sessionId: string, origin: SessionOrigin): Promise<boolean> {
    const { store, processId, url } = this.options;
    try {
      await store.sessions.register({ sessionId, processId, url, ...origin });
      return true;
    } catch (error) {
      if (error instanceof SessionClaimedError) return false;
      throw error;
    }
  }

  private canResume(sessionId: string, origin: SessionOrigin): boolean {
    const { source } = this.options;
    const why =
      origin.frameSource !== source.name
        ? `drawn by "${origin.frameSource}", this process draws with "${source.name}"`
        : origin.width !== source.width || origin.height !== source.height
          ? `${origin.width}x${origin.height}, this process draws ${source.width}x${source.height}`
          : null;
    if (why) this.leave(sessionId, why);
    return why === null;
  }

  /** Says once per session why it is not resumed here. */
  private leave(sessionId: string, why: string): void {
    if (this.left.has(sessionId)) return;
    this.left.add(sessionId);
    this.options.log.warn('orphaned session not resumed', { sessionId, why });
  }
}

/** The title and control the session ran with, where its log kept them (and they are valid). */
function settingsOf(origin: SessionOrigin): Pick<SessionSettings, 'title' | 'control'> {
  const one = <T extends string>(values: readonly T[], value?: string) =>
    values.find((v) => v === value);
  return {
    title: origin.title,
    control: {
      mode: one(CONTROL_MODES, origin.controlMode),
      instructionRule: one(INSTRUCTION_RULES, origin.instructionRule),
    },
  };
}
