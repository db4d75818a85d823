/**
 * Server-side timings of one session, recorded in-process for the action-to-photon
 * breakdown: when each input arrived, and per tick when it was due and began, the frame
 * source's step time, when its frame's encode started and ended, and which input it applied.
 */
import type { RunningServer } from '../../server/app';
import type { Session, TickRecord as SessionTick } from '../../server/session/session';

export interface TickRecord {
  tick: number;
  due: number;
  began: number;
  stepMs: number;
  encodeStart: number;
  /** RTP packets handed to the SFU (performance.now() of this process). */
  encodeEnd: number;
  appliedSeq: number | null;
  pilot: string | null;
}

export interface InputRecord {
  memberId: string;
  seq: number;
  action: number;
  at: number;
}

export class TickTimeline {
  readonly ticks = new Map<number, TickRecord>();
  readonly inputs: InputRecord[] = [];

  constructor(server: RunningServer, session: Session) {
    // A session's 'tick' comes inside the clock's tick handler, whose 'tick' (due, began) follows.
    let pending: Omit<TickRecord, 'due' | 'began'>[] = [];
    session.on('tick', ({ decision, stepMs, encodeMs }: SessionTick) => {
      const now = performance.now();
      pending.push({
        tick: decision.tick,
        stepMs,
        encodeStart: now - encodeMs,
        encodeEnd: now,
        appliedSeq: decision.appliedSeq,
        pilot: decision.pilot,
      });
    });
    server.loop.clock.on('tick', ({ due, began }: { due: number; began: number }) => {
      for (const record of pending) this.ticks.set(record.tick, { ...record, due, began });
      pending = [];
    });
    // The server has no hook for arrival times: wrap the one call every action message makes.
    const input = session.input.bind(session);
    session.input = (memberId, seq, action) => {
      this.inputs.push({ memberId, seq, action, at: performance.now() });
      input(memberId, seq, action);
    };
  }

  /** The member's inputs that changed its held keys (refreshes of the same keys left out). */
  transitions(memberId: string): InputRecord[] {
    const own = this.inputs.filter((i) => i.memberId === memberId);
    return own.filter((input, i) => input.action !== (i === 0 ? 0 : own[i - 1].action));
  }

  /** The first tick that applied the member's input `seq`. */
  appliedAt(memberId: string, seq: number): TickRecord | undefined {
    let first: TickRecord | undefined;
    for (const record of this.ticks.values()) {
      const applied = record.pilot === memberId && (record.appliedSeq ?? -1) >= seq;
      if (applied && (!first || record.tick < first.tick)) first = record;
    }
    return first;
  }
}
