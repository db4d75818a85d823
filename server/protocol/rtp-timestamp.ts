/**
 * The contract between the server and every viewer: a frame's RTP timestamp is a pure
 * function of its tick, so a client can map each displayed frame
 * (requestVideoFrameCallback's `metadata.rtpTimestamp`) back to the tick, and thus the
 * action, that produced it. No imports: the browser bundle uses this file too.
 */

/** RTP clock rate of every video payload format we send (RFC 7741, RFC 6184). */
export const VIDEO_CLOCK_RATE = 90000;

const RTP_TIMESTAMP_MODULUS = 2 ** 32;

/** tick * (90000 / fps), wrapped to 32 bits. */
export function rtpTimestampOfTick(tick: number, fps: number): number {
  return Math.round((tick * VIDEO_CLOCK_RATE) / fps) % RTP_TIMESTAMP_MODULUS;
}

/**
 * The tick whose frame carries `rtpTimestamp`. The 32-bit clock wraps after
 * 2^32 / 90000 s (about 13 h), so the answer is the candidate nearest `nearTick`
 * (for example the newest tick announced by the server).
 */
export function tickOfRtpTimestamp(rtpTimestamp: number, fps: number, nearTick = 0): number {
  const nearTimestamp = (nearTick * VIDEO_CLOCK_RATE) / fps;
  const wraps = Math.round((nearTimestamp - rtpTimestamp) / RTP_TIMESTAMP_MODULUS);
  return Math.round(((rtpTimestamp + wraps * RTP_TIMESTAMP_MODULUS) * fps) / VIDEO_CLOCK_RATE);
}
