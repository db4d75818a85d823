/**
 * One action's action-to-photon time split into consecutive stages, on the page's clock
 * (server times shifted by the measured clock offset). The stages meet end to start, so
 * they add up to the total exactly. rVFC gives no time between the last packet's arrival
 * and the frame's presentation except the decode time (processingDuration; where it is
 * missing, the receiver's average from its WebRTC stats), so the rest of that span is one
 * stage: the jitter buffer and the renderer's queue (the WebRTC stats split its mean).
 */
import { tickOfRtpTimestamp } from '../../server/protocol/rtp-timestamp';
import type { FrameRecord, KeyEventRecord } from './page-probe';
import type { InputRecord, TickRecord } from './tick-timeline';

export const STAGES = [
  'input', // key event -> the action message handled by the server
  'waitForTick', // -> the tick that applies it begins
  'step', // the frame source's step for that tick
  'tickOther', // deciding, batching: the rest of the tick before the encode
  'encode', // encode + packetize, until the RTP is handed to the SFU
  'transport', // SFU, SRTP, UDP, until the frame's last packet reached the browser
  'jitterBuffer', // jitter buffer, then the renderer's queue: receive to presentation, less decode
  'decode', // the decoder
  'display', // to the compositor and the expected display time
] as const;
export type Stage = (typeof STAGES)[number];

export interface ActionSample {
  totalMs: number;
  stages: Record<Stage, number>;
  /** Ticks between the one that applied the action and the one whose frame was shown first. */
  laterFrameShown: number;
}

export interface ActionTrace {
  key: KeyEventRecord;
  input: InputRecord;
  applied: TickRecord;
  /** Presented frames in order; the first at or after the applied tick is the photon. */
  frames: readonly FrameRecord[];
  tickAt: (tick: number) => TickRecord | undefined;
  fps: number;
  /** page time = server time + offsetMs */
  offsetMs: number;
  /** Decode time to use when the frame's processingDuration is missing or zero. */
  averageDecodeMs: number | null;
}

export function breakdown(trace: ActionTrace): ActionSample | null {
  const { key, input, applied, offsetMs } = trace;
  const frame = trace.frames.find(
    (f) =>
      f.rtpTimestamp !== undefined &&
      f.expectedDisplayTime > key.at &&
      tickOfRtpTimestamp(f.rtpTimestamp, trace.fps, applied.tick) >= applied.tick,
  );
  if (!frame || frame.receiveTime === undefined) return null;
  const decodeMs =
    frame.processingDuration === undefined
      ? trace.averageDecodeMs
      : frame.processingDuration * 1000;
  if (decodeMs === null) return null;
  const shownTick = tickOfRtpTimestamp(frame.rtpTimestamp!, trace.fps, applied.tick);
  const shown = trace.tickAt(shownTick);
  if (!shown) return null;
  const page = (serverMs: number) => serverMs + offsetMs;
  const decodeStart = frame.presentationTime - decodeMs;
  const stepEnd = page(shown.began) + shown.stepMs;
  return {
    totalMs: frame.expectedDisplayTime - key.at,
    laterFrameShown: shownTick - applied.tick,
    stages: {
      input: page(input.at) - key.at,
      waitForTick: page(shown.began) - page(input.at),
      step: shown.stepMs,
      tickOther: page(shown.encodeStart) - stepEnd,
      encode: shown.encodeEnd - shown.encodeStart,
      transport: frame.receiveTime - page(shown.encodeEnd),
      jitterBuffer: decodeStart - frame.receiveTime,
      decode: decodeMs,
      display: frame.expectedDisplayTime - frame.presentationTime,
    },
  };
}
