/** Reading RTP as a viewer would: header fields, payload, and whether a packet starts a keyframe. */

export interface RtpPacketView {
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
}

export function parseRtp(packet: Buffer): RtpPacketView {
  const csrcCount = packet[0] & 0x0f;
  const hasExtension = (packet[0] & 0x10) !== 0;
  let offset = 12 + 4 * csrcCount;
  if (hasExtension) offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  return {
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    marker: (packet[1] & 0x80) !== 0,
    payload: packet.subarray(offset),
  };
}

/**
 * The test mediasoup applies: a VP8 partition start with the keyframe bit, or an H.264
 * SPS (alone, first in a FU-A, or inside a STAP-A).
 */
export function isKeyframeStart(codec: 'vp8' | 'h264', payload: Buffer): boolean {
  return codec === 'h264' ? startsH264Keyframe(payload) : startsVp8Keyframe(payload);
}

const H264_SPS = 7;
const H264_STAP_A = 24;
const H264_FU_A = 28;

function startsH264Keyframe(payload: Buffer): boolean {
  const type = payload[0] & 0x1f;
  if (type === H264_SPS) return true;
  if (type === H264_FU_A) return (payload[1] & 0x80) !== 0 && (payload[1] & 0x1f) === H264_SPS;
  if (type !== H264_STAP_A) return false;
  for (let offset = 1; offset + 2 < payload.length; offset += 2 + payload.readUInt16BE(offset)) {
    if ((payload[offset + 2] & 0x1f) === H264_SPS) return true;
  }
  return false;
}

function startsVp8Keyframe(payload: Buffer): boolean {
  const start = (payload[0] & 0x10) !== 0 && (payload[0] & 0x07) === 0;
  let offset = 1;
  if (payload[0] & 0x80) {
    const extension = payload[1];
    offset++;
    if (extension & 0x80) offset += payload[offset] & 0x80 ? 2 : 1;
    if (extension & 0x40) offset++;
    if (extension & 0x30) offset++;
  }
  return start && (payload[offset] & 0x01) === 0;
}

/** RFC 8285 one-byte-header extension elements of a packet, by id (empty without any). */
export function oneByteExtensions(packet: Buffer): Map<number, Buffer> {
  const elements = new Map<number, Buffer>();
  if ((packet[0] & 0x10) === 0) return elements;
  const start = 12 + 4 * (packet[0] & 0x0f);
  if (packet.readUInt16BE(start) !== 0xbede) return elements;
  const end = start + 4 + 4 * packet.readUInt16BE(start + 2);
  for (let offset = start + 4; offset < end;) {
    if (packet[offset] === 0) {
      offset++; // padding
      continue;
    }
    const id = packet[offset] >> 4;
    const length = (packet[offset] & 0x0f) + 1;
    elements.set(id, packet.subarray(offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  return elements;
}

/** The playout-delay element's bounds in milliseconds (12 bits each, 10 ms steps). */
export function readPlayoutDelay(element: Buffer): { minMs: number; maxMs: number } {
  return {
    minMs: ((element[0] << 4) | (element[1] >> 4)) * 10,
    maxMs: (((element[1] & 0x0f) << 8) | element[2]) * 10,
  };
}
