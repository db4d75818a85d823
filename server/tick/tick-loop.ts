/**
 * At each tick: every session decides its action, the frame source steps all of them
 * as one batch, and each session streams its new frame. A failing session is logged
 * and skipped for that tick; it never stops the others. Emits 'stepped' per batch.
 */
import { EventEmitter } from 'node:events';
import { FrameSource } from '../generator/frame-source';
import { Logger } from '../log';
import { SessionRegistry } from '../session/registry';
import { TickClock } from './tick-clock';

export class TickLoop extends EventEmitter {
  readonly clock: TickClock;

  constructor(
    hz: number,
    private readonly registry: SessionRegistry,
    private readonly source: FrameSource,
    private readonly log: Logger,
  ) {
    super();
    this.clock = new TickClock(hz, () => this.tick());
    this.clock.on('error', (error) => this.log.error('tick failed', { error }));
  }

  start(): void {
    this.clock.start();
  }

  stop(): void {
    this.clock.stop();
  }

  private async tick(): Promise<void> {
    const sessions = this.registry.all();
    if (sessions.length === 0) return;
    const requests = sessions.map((s) => s.nextRequest());
    const began = performance.now();
    const frames = await this.source.step(requests);
    const stepMs = performance.now() - began;
    this.emit('stepped', { sessions: sessions.length, stepMs });
    const results = await Promise.allSettled(sessions.map((s, i) => s.present(frames[i], stepMs)));
    results.forEach((result, i) => {
      if (result.status === 'rejected')
        this.log.warn('session tick failed', { sessionId: sessions[i].id, error: result.reason });
    });
  }
}
