/**
 * A fixed-rate clock. Tick n is due at start + n * period; each tick's handler runs
 * to completion before the next is scheduled. When a handler overruns, the ticks it
 * missed are skipped and counted instead of being run back to back: the clock never
 * accumulates debt, and never drifts, because due times come from the start time,
 * not from the previous tick.
 */
import { EventEmitter } from 'node:events';

export interface TickInfo {
  /** Tick number since start (skipped ticks keep their numbers). */
  tick: number;
  /** When it was due and when it actually began (performance.now() ms). */
  due: number;
  began: number;
}

export interface TickStats {
  ticks: number;
  /** Ticks skipped because a handler ran past their due time. */
  overruns: number;
  lastDurationMs: number;
}

type Handler = (info: TickInfo) => Promise<void> | void;

export class TickClock extends EventEmitter {
  readonly periodMs: number;
  private startedAt = 0;
  private next = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Bumped by stop(), so a tick still running when restarted cannot start a second chain. */
  private generation = 0;
  private inflight: Promise<void> | null = null;
  private readonly counters: TickStats = { ticks: 0, overruns: 0, lastDurationMs: 0 };

  constructor(
    readonly hz: number,
    private readonly handler: Handler,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
    if (!Number.isFinite(hz) || hz <= 0)
      throw new RangeError(`tick rate must be a positive number of Hz; got ${hz}`);
    this.periodMs = 1000 / hz;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = this.now();
    this.next = 0;
    this.schedule();
  }

  /** Stops scheduling; resolves once a tick that is running has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inflight;
  }

  stats(): TickStats {
    return { ...this.counters };
  }

  private schedule(): void {
    if (!this.running) return;
    const due = this.startedAt + this.next * this.periodMs;
    const generation = this.generation;
    this.timer = setTimeout(
      () => {
        this.inflight = this.run(due, generation);
      },
      Math.max(0, due - this.now()),
    );
  }

  private async run(due: number, generation: number): Promise<void> {
    if (!this.running || generation !== this.generation) return;
    const began = this.now();
    const tick = this.next;
    try {
      await this.handler({ tick, due, began });
    } catch (error) {
      this.emit('error', error);
    }
    const ended = this.now();
    this.counters.ticks++;
    this.counters.lastDurationMs = ended - began;
    // The next tick is the first whose due time has not passed yet; any in between are skipped.
    const nextDue = Math.max(tick + 1, Math.ceil((ended - this.startedAt) / this.periodMs));
    this.counters.overruns += nextDue - (tick + 1);
    this.next = nextDue;
    this.emit('tick', { tick, due, began, durationMs: ended - began });
    if (generation === this.generation) this.schedule();
  }
}
