/**
 * How many sessions this process can tick within its budget: configured, or measured
 * at start-up by timing the frame source on a probe session. Every session costs its
 * step plus its media (encode, packetize, send); a tick must leave room for jitter,
 * garbage collection and signaling, so only part of the tick period is budgeted.
 * Admission by capacity is what keeps sessions already running from slowing down when
 * another is asked for: the extra one goes to another process, or is refused.
 */
import { FrameSource } from '../generator/frame-source';

export interface Capacity {
  /** Most sessions this process serves. */
  sessions: number;
  /** 'configured' (SESSION_CAPACITY), or the measurement it came from. */
  basis: 'configured' | { stepMs: number; mediaMs: number; budgetMs: number };
}

/** Share of the tick period sessions may use (tick-generator bench: 2 generator sessions hold 20 Hz, 4 do not). */
export const TICK_BUDGET_SHARE = 0.7;
/** Encode, packetize and send of one frame (action-to-photon bench: encode p50 3.8 ms, p95 10.8). */
export const MEDIA_MS_PER_SESSION = 4;
const PROBE_SESSION = 'capacity-probe';
const WARMUP_STEPS = 3;
const TIMED_STEPS = 10;

/** Median batch-1 step of `source`, on a probe session opened and closed here. */
export async function measureStepMs(source: FrameSource): Promise<number> {
  await source.open(PROBE_SESSION, { seed: 1 });
  try {
    const request = { sessionId: PROBE_SESSION, action: 0, instructions: [] };
    const times: number[] = [];
    for (let i = 0; i < WARMUP_STEPS + TIMED_STEPS; i++) {
      const began = performance.now();
      await source.step([request]);
      if (i >= WARMUP_STEPS) times.push(performance.now() - began);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    source.close(PROBE_SESSION);
  }
}

/** Sessions that fit: the budgeted part of a tick over one session's cost, at least one. */
export function sessionsWithin(tickHz: number, stepMs: number, mediaMs = MEDIA_MS_PER_SESSION) {
  const budgetMs = (1000 / tickHz) * TICK_BUDGET_SHARE;
  return { sessions: Math.max(1, Math.floor(budgetMs / (stepMs + mediaMs))), budgetMs };
}

export async function capacityOf(
  source: FrameSource,
  options: { tickHz: number; configured?: number; maxSessions: number },
): Promise<Capacity> {
  if (options.configured !== undefined)
    return { sessions: Math.min(options.configured, options.maxSessions), basis: 'configured' };
  const stepMs = await measureStepMs(source);
  const { sessions, budgetMs } = sessionsWithin(options.tickHz, stepMs);
  return {
    sessions: Math.min(sessions, options.maxSessions),
    basis: { stepMs, mediaMs: MEDIA_MS_PER_SESSION, budgetMs },
  };
}
