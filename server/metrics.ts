/**
 * Prometheus metrics (served at /metrics): tick timing and overruns, frame-source
 * step and encode time, sessions and media consumers.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { TickRecord } from './session/session';

const MS_BUCKETS = [1, 2, 5, 10, 20, 35, 50, 75, 100, 200, 500];

export class Metrics {
  readonly registry = new Registry();
  private readonly tickDuration = new Histogram({
    name: 'worldtick_tick_duration_ms',
    help: 'Wall time of one tick for all sessions (decide, step, encode), ms',
    buckets: MS_BUCKETS,
    registers: [this.registry],
  });
  private readonly tickLateness = new Histogram({
    name: 'worldtick_tick_start_lateness_ms',
    help: 'How late a tick began against its due time (jitter), ms',
    buckets: [0.5, 1, 2, 5, 10, 20, 50],
    registers: [this.registry],
  });
  private readonly overruns = new Counter({
    name: 'worldtick_tick_overruns_total',
    help: 'Ticks skipped because the previous one ran past their due time',
    registers: [this.registry],
  });
  private readonly stepDuration = new Histogram({
    name: 'worldtick_frame_source_step_ms',
    help: 'Frame source step time for one batch, ms',
    buckets: MS_BUCKETS,
    registers: [this.registry],
  });
  private readonly encodeDuration = new Histogram({
    name: 'worldtick_encode_ms',
    help: 'Encode and send time of one frame, ms',
    buckets: MS_BUCKETS,
    registers: [this.registry],
  });
  readonly sessions = new Gauge({
    name: 'worldtick_sessions',
    help: 'Open sessions',
    registers: [this.registry],
  });
  readonly pausedSessions = new Gauge({
    name: 'worldtick_sessions_paused',
    help: 'Open sessions paused because nobody is connected',
    registers: [this.registry],
  });
  /** What the fleet autoscales on (infra/k8s/base/autoscaler.yaml). */
  readonly capacityUsed = new Gauge({
    name: 'worldtick_capacity_used_ratio',
    help: 'Open sessions over the sessions this process ticks within budget',
    registers: [this.registry],
  });
  readonly consumers = new Gauge({
    name: 'worldtick_media_consumers',
    help: 'Media consumers across sessions served here and sessions relayed here as an edge',
    registers: [this.registry],
  });
  readonly viewersUsed = new Gauge({
    name: 'worldtick_viewer_capacity_used_ratio',
    help: 'Media consumers over VIEWER_CAPACITY (what an edge autoscaler targets)',
    registers: [this.registry],
  });
  readonly edgeRelays = new Gauge({
    name: 'worldtick_edge_relays',
    help: "Other processes' sessions relayed here for spectators",
    registers: [this.registry],
  });

  observeTick(t: { due: number; began: number; durationMs: number }, newOverruns: number): void {
    this.tickDuration.observe(t.durationMs);
    this.tickLateness.observe(Math.max(0, t.began - t.due));
    if (newOverruns > 0) this.overruns.inc(newOverruns);
  }

  observeSessionTick(record: TickRecord): void {
    this.encodeDuration.observe(record.encodeMs);
  }

  observeStep(stepMs: number): void {
    this.stepDuration.observe(stepMs);
  }
}
