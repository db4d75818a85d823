/**
 * The tick pipeline, in one place. At each tick: every due session decides (one immutable
 * decision: its action and at most one instruction) -> the frame source steps all of them
 * as one batch -> each session pushes its new frame into its stream and emits the tick's
 * one record (sockets, metrics and the store read it). Sessions paused with nobody
 * connected are not stepped at all (they cost nothing). A failing session is logged and
 * skipped for that tick; it never stops the others. Emits 'stepped' per batch.
 */
import { EventEmitter } from 'node:events';
import { FrameRequest, FrameSource } from '../generator/frame-source';
import { TickDecision } from '../session/control/room';
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

  /** Resolves once the tick in progress, if any, has finished. */
  stop(): Promise<void> {
    return this.clock.stop();
  }

  private async tick(): Promise<void> {
    // A session whose decision fails sits this tick out; the others still step.
    const due = this.registry.due().flatMap((session) => {
      try {
        return [{ session, decision: session.decide() }];
      } catch (error) {
        this.log.warn('session tick failed', { sessionId: session.id, error });
        return [];
      }
    });
    if (due.length === 0) return;
    const began = performance.now();
    const frames = await this.source.step(due.map((d) => frameRequest(d.session.id, d.decision)));
    const stepMs = performance.now() - began;
    this.emit('stepped', { sessions: due.length, stepMs });
    // Sessions closed while the batch stepped have nowhere to send their frame.
    const open = due.map((d, i) => ({ ...d, frame: frames[i] })).filter((d) => !d.session.isClosed);
    const results = await Promise.allSettled(
      open.map((d) => d.session.present(d.decision, d.frame, stepMs)),
    );
    results.forEach((result, i) => {
      if (result.status === 'rejected')
        this.log.warn('session tick failed', {
          sessionId: open[i].session.id,
          error: result.reason,
        });
    });
  }
}

/** What the frame source steps a session with: the decision's action and instruction. */
function frameRequest(sessionId: string, decision: TickDecision): FrameRequest {
  const { action, instruction } = decision;
  return { sessionId, action, instructions: instruction ? [instruction] : [] };
}
