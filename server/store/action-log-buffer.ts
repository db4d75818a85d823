/**
 * Writes action logs through a bounded buffer, so the tick path never waits on the store
 * and an outage delays the log instead of losing it. Calls return at once; one writer
 * drains the buffer in order (each session's `begin` first, then its ticks), and an
 * entry leaves only once the store has it. A failed write is retried after `retryMs`
 * (or as soon as the store is back), so the ticks of an outage are backfilled.
 *
 * Bounded: past `capacity` entries waiting, new ticks are dropped (the log then has a gap
 * there); drops are counted, logged once when they start and once with their total.
 */
import { Logger } from '../log';
import { ActionLogOrderError } from './errors';
import { ActionLog, ActionLogEntry, SessionOrigin } from './state-store';

interface Pending {
  /**
   * held: ticks are kept but nothing is written yet (the session is not claimed yet);
   * begin: its `begin` (with this origin) goes first; open: only ticks are left to write.
   */
  state: 'held' | 'begin' | 'open';
  origin: SessionOrigin | null;
  entries: ActionLogEntry[];
}

export interface ActionLogBufferOptions {
  log: ActionLog;
  /** Whether the store answers now: no write is tried while it does not. */
  available: () => boolean;
  /** Most entries waiting, over all sessions. */
  capacity: number;
  retryMs?: number;
  logger: Logger;
}

export class ActionLogBuffer {
  private readonly pending = new Map<string, Pending>();
  private waiting = 0;
  private droppedNow = 0;
  private droppedTotal = 0;
  private draining: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly options: ActionLogBufferOptions) {}

  /** Entries waiting to be written, and ticks dropped for want of room since start. */
  stats(): { waiting: number; dropped: number } {
    return { waiting: this.waiting, dropped: this.droppedTotal };
  }

  /** Keeps the session's ticks without writing them until `begin` (or `drop`). */
  hold(sessionId: string): void {
    this.drop(sessionId);
    this.pending.set(sessionId, { state: 'held', origin: null, entries: [] });
  }

  held(sessionId: string): boolean {
    return this.pending.get(sessionId)?.state === 'held';
  }

  /** Starts the session's log afresh, before any tick held for it. */
  begin(sessionId: string, origin: SessionOrigin): void {
    const queue = this.pending.get(sessionId);
    if (queue?.state === 'held') Object.assign(queue, { state: 'begin', origin });
    else {
      this.drop(sessionId);
      this.pending.set(sessionId, { state: 'begin', origin, entries: [] });
    }
    this.drain();
  }

  /** Continues the session's log as the store has it (a resumed session): no `begin`. */
  resume(sessionId: string): void {
    const queue = this.pending.get(sessionId);
    if (queue?.state === 'held') queue.state = 'open';
    this.drain();
  }

  /** Forgets whatever of the session is still waiting. */
  drop(sessionId: string): void {
    const stale = this.pending.get(sessionId);
    if (stale) this.waiting -= stale.entries.splice(0).length;
    this.pending.delete(sessionId);
  }

  append(sessionId: string, entry: ActionLogEntry): void {
    if (this.waiting >= this.options.capacity) {
      if (this.droppedNow++ === 0)
        this.options.logger.error(
          'action log buffer full; dropping ticks until the store is back',
          {
            capacity: this.options.capacity,
            sessionId,
            tick: entry.tick,
          },
        );
      this.droppedTotal++;
      return;
    }
    const queue = this.pending.get(sessionId) ?? { state: 'open', origin: null, entries: [] };
    this.pending.set(sessionId, queue);
    queue.entries.push(entry);
    this.waiting++;
    this.drain();
  }

  /** Tries again now (the store is back). */
  kick(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.drain();
  }

  /** Waits until everything waiting is written, or `timeoutMs` passes (shutdown). */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.waiting > 0 || this.draining) {
      if (performance.now() >= deadline || !this.options.available()) return false;
      this.kick();
      await Promise.race([this.draining, new Promise((r) => setTimeout(r, 50))]);
    }
    return true;
  }

  /** Stops retrying (shutdown); what is still waiting stays unwritten. */
  stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private drain(): void {
    if (this.draining || this.retry || !this.writable() || !this.options.available()) return;
    this.draining = this.writeAll()
      .catch((error) => {
        this.options.logger.warn('action log write failed; retrying', { error: String(error) });
        this.retry = setTimeout(() => this.kick(), this.options.retryMs ?? 500).unref();
      })
      .finally(() => {
        this.draining = null;
        if (!this.retry) this.drain();
      });
  }

  /**
   * Whether anything may be written now. Held ticks wait for their session's claim: a
   * writer started for them alone would finish at once and start again, a microtask loop
   * that starves the event loop, and with it the claim's own reply.
   */
  private writable(): boolean {
    for (const queue of this.pending.values())
      if (queue.state === 'begin' || (queue.state === 'open' && queue.entries.length > 0))
        return true;
    return false;
  }

  private async writeAll(): Promise<void> {
    const { log, logger } = this.options;
    for (const [sessionId, queue] of this.pending) {
      if (queue.state === 'held') continue;
      if (queue.state === 'begin') {
        await log.begin(sessionId, queue.origin!);
        queue.state = 'open';
      }
      while (queue.entries.length > 0) {
        const entry = queue.entries[0];
        try {
          await log.append(sessionId, entry);
        } catch (error) {
          // Written before, its reply lost in the outage: the store has it already.
          if (!(error instanceof ActionLogOrderError)) throw error;
        }
        // (Unless the queue was dropped meanwhile.)
        if (queue.entries[0] === entry) {
          queue.entries.shift();
          this.waiting--;
        }
      }
      if (this.pending.get(sessionId) === queue) this.pending.delete(sessionId);
    }
    if (this.droppedNow > 0) {
      logger.error('action log buffer drained; ticks were dropped', { dropped: this.droppedNow });
      this.droppedNow = 0;
    }
  }
}
