/**
 * The mediasoup workers of this process: one per core (a worker is single-threaded),
 * routers placed on the least-loaded one, and a dead worker replaced by a fresh one so
 * the process keeps its capacity. Sessions learn that their own router died from the
 * router ('workerclose') and come back for a new one.
 *
 * Events: 'workerReplaced' ({ index, diedPid, pid, error }), 'workerReplaceFailed'
 * ({ index, error }; retried every second until it works or the pool closes).
 */
import { EventEmitter } from 'node:events';
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { ROUTER_MEDIA_CODECS } from './codecs';

export interface WorkerPoolOptions {
  /** Number of workers (default: one per core). */
  size?: number;
  /** Path of mediasoup-worker (default: $MEDIASOUP_WORKER_BIN). */
  workerBin?: string;
  /** UDP/TCP port range for the transports of every router in this pool. */
  rtcMinPort?: number;
  rtcMaxPort?: number;
}

export interface WorkerReplaced {
  index: number;
  diedPid: number;
  pid: number;
  error: Error;
}

export class MediaWorkerError extends Error {
  override readonly name = 'MediaWorkerError';
}

const REPLACE_RETRY_MS = 1000;

/** A worker and how loaded it is: routers plus consumers on it, and routers being created. */
interface Slot {
  worker: types.Worker;
  load: number;
  creating: number;
}

export class WorkerPool extends EventEmitter {
  readonly size: number;
  readonly workerBin: string;
  /** Given to every transport's listen infos (mediasoup's per-transport port range). */
  readonly portRange: { min: number; max: number } | undefined;
  private readonly slots: (Slot | null)[];
  /** Callers of createRouter waiting while no worker is alive. */
  private waiting: (() => void)[] = [];
  private closed = false;

  static async create(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all(pool.slots.map((_, index) => pool.start(index)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  private constructor(options: WorkerPoolOptions) {
    super();
    this.size = options.size ?? os.cpus().length;
    if (!Number.isInteger(this.size) || this.size < 1) {
      throw new MediaWorkerError(`pool size must be a positive integer, got ${this.size}`);
    }
    this.workerBin = resolveWorkerBin(options.workerBin);
    this.portRange = portRangeOf(options.rtcMinPort, options.rtcMaxPort);
    this.slots = new Array<Slot | null>(this.size).fill(null);
  }

  /** The live workers (for stats and tests). */
  get workers(): types.Worker[] {
    return this.slots.flatMap((slot) => (slot && !slot.worker.closed ? [slot.worker] : []));
  }

  /** A router with VP8 and H.264 on the least-loaded live worker (waits for a replacement if none lives). */
  async createRouter(): Promise<types.Router> {
    for (;;) {
      if (this.closed) throw new MediaWorkerError('worker pool is closed');
      const slot = this.leastLoaded();
      if (slot) {
        // Counted before the await, so concurrent calls spread over the workers.
        slot.creating++;
        try {
          return await slot.worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
        } finally {
          slot.creating--;
        }
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) slot?.worker.close();
    this.wakeWaiting();
  }

  private leastLoaded(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (slot && !slot.worker.closed && (!best || loadOf(slot) < loadOf(best))) best = slot;
    }
    return best;
  }

  private async start(index: number): Promise<types.Worker> {
    const worker = await mediasoup.createWorker({ workerBin: this.workerBin, logLevel: 'warn' });
    keepThroughSignals(worker);
    if (this.closed) {
      worker.close();
      throw new MediaWorkerError('worker pool closed while a worker was starting');
    }
    const slot: Slot = { worker, load: 0, creating: 0 };
    this.slots[index] = slot;
    trackLoad(slot);
    worker.on('died', (error) => void this.replace(index, worker.pid, error));
    this.wakeWaiting();
    return worker;
  }

  private async replace(index: number, diedPid: number, error: Error): Promise<void> {
    this.slots[index] = null;
    while (!this.closed) {
      try {
        const worker = await this.start(index);
        this.emit('workerReplaced', {
          index,
          diedPid,
          pid: worker.pid,
          error,
        } satisfies WorkerReplaced);
        return;
      } catch (startError) {
        if (this.closed) return;
        this.emit('workerReplaceFailed', { index, error: startError });
        await new Promise((resolve) => setTimeout(resolve, REPLACE_RETRY_MS));
      }
    }
  }

  private wakeWaiting(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const wake of waiting) wake();
  }
}

function loadOf(slot: Slot): number {
  return slot.load + slot.creating;
}

/** Counts routers and consumers on a worker through mediasoup's observer events. */
function trackLoad(slot: Slot): void {
  const count = (observer: { on(event: 'close', listener: () => void): unknown }) => {
    slot.load++;
    observer.on('close', () => slot.load--);
  };
  slot.worker.observer.on('newrouter', (router) => {
    count(router.observer);
    router.observer.on('newtransport', (transport) =>
      transport.observer.on('newconsumer', (consumer) => count(consumer.observer)),
    );
  });
}

function resolveWorkerBin(given: string | undefined): string {
  const workerBin = given ?? process.env.MEDIASOUP_WORKER_BIN;
  if (!workerBin) {
    throw new MediaWorkerError(
      'no mediasoup worker binary: set MEDIASOUP_WORKER_BIN, e.g. ' +
        'export MEDIASOUP_WORKER_BIN=$(bash infra/mediasoup/ensure-worker.sh | tail -1)',
    );
  }
  try {
    accessSync(workerBin, constants.X_OK);
  } catch {
    throw new MediaWorkerError(
      `mediasoup worker binary "${workerBin}" is missing or not executable; ` +
        'infra/mediasoup/ensure-worker.sh builds it and prints its path',
    );
  }
  return workerBin;
}

function portRangeOf(min: number | undefined, max: number | undefined) {
  if (min === undefined && max === undefined) return undefined;
  const range = { min: min ?? 1024, max: max ?? 65535 };
  if (!(range.min >= 1024 && range.min <= range.max && range.max <= 65535)) {
    throw new MediaWorkerError(
      `RTC ports must satisfy 1024 <= min <= max <= 65535, got ${range.min}..${range.max}`,
    );
  }
  return range;
}

/**
 * mediasoup closes each worker by itself when the process gets SIGINT or SIGTERM. Here a
 * SIGTERM starts a drain during which sessions go on streaming (server/main.ts), so the
 * pool closes its workers at the very end instead.
 */
function keepThroughSignals(worker: types.Worker): void {
  const onSignal = (worker as unknown as { onSignal?: () => void }).onSignal;
  if (typeof onSignal !== 'function')
    throw new MediaWorkerError(
      "this mediasoup version no longer exposes the worker's signal handler; check that a SIGTERM drain keeps streaming",
    );
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
}
