/**
 * Instruments the real client page from outside (no product code changes): key events
 * as the page saw them, the requestVideoFrameCallback metadata of every presented frame,
 * and the page's RTCPeerConnections for their WebRTC stats. Installed before the app's
 * scripts run; read back with `readProbe`.
 */
import type { Page } from 'playwright-core';

export interface KeyEventRecord {
  type: 'keydown' | 'keyup';
  code: string;
  /** Event timeStamp (page performance.now() clock, ms). */
  at: number;
}

/** requestVideoFrameCallback metadata (page clock, ms; processingDuration in seconds). */
export interface FrameRecord {
  rtpTimestamp?: number;
  receiveTime?: number;
  processingDuration?: number;
  presentationTime: number;
  expectedDisplayTime: number;
  presentedFrames: number;
}

/** Cumulative inbound video counters of the page's peer connection (RTCInboundRtpStreamStats). */
export interface InboundVideoStats {
  framesReceived: number;
  framesDecoded: number;
  framesDropped: number;
  jitterBufferDelay: number;
  jitterBufferEmittedCount: number;
  jitterBufferTargetDelay: number;
  jitterBufferMinimumDelay: number;
  totalDecodeTime: number;
  totalProcessingDelay: number;
  totalAssemblyTime: number;
  framesAssembledFromMultiplePackets: number;
}

interface Probe {
  keys: KeyEventRecord[];
  frames: FrameRecord[];
  peers: RTCPeerConnection[];
}

export async function installProbe(page: Page): Promise<void> {
  // tsx compiles with esbuild's keepNames, which wraps named functions in a `__name` helper
  // that the page lacks; the functions below are serialized into the page as written.
  await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  await page.addInitScript(() => {
    const probe: Probe = { keys: [], frames: [], peers: [] };
    (window as unknown as { __probe: Probe }).__probe = probe;
    for (const type of ['keydown', 'keyup'] as const) {
      window.addEventListener(
        type,
        (e) => probe.keys.push({ type, code: e.code, at: e.timeStamp }),
        { capture: true },
      );
    }
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
        super(...args);
        probe.peers.push(this);
      }
    };
    document.addEventListener('DOMContentLoaded', () => {
      const video = document.querySelector('video')!;
      const onFrame = (_now: number, m: VideoFrameCallbackMetadata) => {
        probe.frames.push({
          rtpTimestamp: m.rtpTimestamp,
          receiveTime: m.receiveTime,
          processingDuration: m.processingDuration,
          presentationTime: m.presentationTime,
          expectedDisplayTime: m.expectedDisplayTime,
          presentedFrames: m.presentedFrames,
        });
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    });
  });
}

export function readProbe(page: Page): Promise<{ keys: KeyEventRecord[]; frames: FrameRecord[] }> {
  return page.evaluate(() => {
    const { keys, frames } = (window as unknown as { __probe: Probe }).__probe;
    return { keys, frames };
  });
}

/** The video inbound-rtp counters of the newest peer connection (null before one exists). */
export function inboundVideoStats(page: Page): Promise<InboundVideoStats | null> {
  return page.evaluate(async () => {
    const peer = (window as unknown as { __probe: Probe }).__probe.peers.at(-1);
    if (!peer) return null;
    let found: InboundVideoStats | null = null;
    (await peer.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') found = s as InboundVideoStats;
    });
    return found;
  });
}
