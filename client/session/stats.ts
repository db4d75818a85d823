/**
 * Stats behind a toggle: action-to-photon for this member's own inputs (an input counts
 * when a shown frame's applied action contains it, in every mode), frames shown per
 * second, and the receiver's bitrate and packet loss from WebRTC's getStats.
 */
import { fill, h } from '../dom';

const WINDOW = 50;

export class StatsPanel {
  private readonly body = h('dl', { id: 'stats-body' });
  private shownTimes: number[] = [];
  private last: { at: number; bytes: number } | null = null;
  private bitrateKbps = 0;
  private lossPercent = 0;

  constructor(
    root: HTMLElement,
    private readonly stats: () => Promise<RTCStatsReport | null>,
    /** Where this member's latencies are kept (the page exposes the same list to tests). */
    private readonly latenciesMs: number[],
  ) {
    const details = h('details', { id: 'stats' }, h('summary', {}, 'Stats'), this.body);
    root.append(details);
    setInterval(() => details.open && void this.poll().then(() => this.render()), 1000);
  }

  frameShown(now: number): void {
    this.shownTimes.push(now);
    while (this.shownTimes.length && now - this.shownTimes[0] > 1000) this.shownTimes.shift();
  }

  latency(ms: number): void {
    this.latenciesMs.push(ms);
    if (this.latenciesMs.length > 1000) this.latenciesMs.shift();
  }

  private async poll(): Promise<void> {
    const report = await this.stats();
    report?.forEach(
      (s: {
        type: string;
        kind?: string;
        bytesReceived?: number;
        packetsLost?: number;
        packetsReceived?: number;
        timestamp: number;
      }) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
        if (this.last && s.timestamp > this.last.at)
          this.bitrateKbps =
            ((s.bytesReceived! - this.last.bytes) * 8) / (s.timestamp - this.last.at);
        this.last = { at: s.timestamp, bytes: s.bytesReceived ?? 0 };
        const lost = Math.max(0, s.packetsLost ?? 0);
        const total = lost + (s.packetsReceived ?? 0);
        this.lossPercent = total ? (100 * lost) / total : 0;
      },
    );
  }

  private render(): void {
    const recent = this.latenciesMs.slice(-WINDOW).sort((a, b) => a - b);
    const median = recent.length
      ? `${Math.round(recent[recent.length >> 1])} ms`
      : '– (press a key)';
    fill(
      this.body,
      h('dt', {}, 'action → photon (median of last inputs)'),
      h('dd', { id: 'latency' }, median),
      h('dt', {}, 'frames per second'),
      h('dd', { id: 'fps' }, String(this.shownTimes.length)),
      h('dt', {}, 'bitrate'),
      h('dd', { id: 'bitrate' }, `${Math.round(this.bitrateKbps)} kbit/s`),
      h('dt', {}, 'packet loss'),
      h('dd', { id: 'loss' }, `${this.lossPercent.toFixed(1)} %`),
    );
  }
}
