/**
 * Turns one encoded frame into RTP packets (RFC 3550): a 12-byte header with our SSRC
 * and payload type, consecutive sequence numbers across frames, the frame's timestamp
 * on every packet and the marker bit on its last one, plus, when asked, the playout-delay
 * header extension. Subclasses split the frame into payloads by their codec's RTP
 * payload format.
 */
import { randomInt } from 'node:crypto';

const RTP_FIXED_HEADER_SIZE = 12;
const RTP_VERSION_2 = 0x80;
const EXTENSION_BIT = 0x10;
const MARKER = 0x80;
/** RFC 8285 one-byte-header extension block: 0xBEDE, length 1 word, one 3-byte element. */
const ONE_BYTE_PROFILE = 0xbede;
const PLAYOUT_DELAY_BLOCK_SIZE = 8;
/** The extension counts in 10 ms steps, 12 bits each for min and max. */
const PLAYOUT_DELAY_UNIT_MS = 10;
export const MAX_PLAYOUT_DELAY_MS = 0xfff * PLAYOUT_DELAY_UNIT_MS;

/** Leaves room for SRTP, TURN and IP/UDP overhead inside a 1500-byte path MTU. */
export const DEFAULT_MAX_PACKET_SIZE = 1200;

/**
 * The receiver's playout-delay bounds (http://www.webrtc.org/experiments/rtp-hdrext/playout-delay).
 * min = max = 0 tells Chromium to show each frame as soon as it is decoded instead of
 * smoothing playback with a jitter buffer: the cloud-gaming setting.
 */
export interface PlayoutDelay {
  /** The header extension id negotiated for playout-delay (1..14). */
  extensionId: number;
  minMs: number;
  maxMs: number;
}

export interface RtpPacketizerOptions {
  ssrc: number;
  payloadType: number;
  maxPacketSize?: number;
  /** Sent on every packet, so a viewer who joins late gets it with its first frame. */
  playoutDelay?: PlayoutDelay;
}

/** The 8-byte extension block carrying one playout-delay element. */
function playoutDelayBlock({ extensionId, minMs, maxMs }: PlayoutDelay): Buffer {
  if (!Number.isInteger(extensionId) || extensionId < 1 || extensionId > 14)
    throw new RangeError(`playout-delay extension id must be 1..14, got ${extensionId}`);
  if (!(minMs >= 0 && minMs <= maxMs && maxMs <= MAX_PLAYOUT_DELAY_MS))
    throw new RangeError(
      `playout delay must satisfy 0 <= min <= max <= ${MAX_PLAYOUT_DELAY_MS} ms, got ${minMs}..${maxMs}`,
    );
  const min = Math.round(minMs / PLAYOUT_DELAY_UNIT_MS);
  const max = Math.round(maxMs / PLAYOUT_DELAY_UNIT_MS);
  const block = Buffer.alloc(PLAYOUT_DELAY_BLOCK_SIZE);
  block.writeUInt16BE(ONE_BYTE_PROFILE, 0);
  block.writeUInt16BE(1, 2); // length in 32-bit words after this word
  block[4] = (extensionId << 4) | (3 - 1); // id, then data length minus one
  block[5] = min >> 4;
  block[6] = ((min & 0xf) << 4) | (max >> 8);
  block[7] = max & 0xff;
  return block;
}

export abstract class RtpPacketizer {
  readonly ssrc: number;
  readonly payloadType: number;
  protected readonly maxPayloadSize: number;
  /** Random start (RFC 3550 §5.1), so a restarted stream is not mistaken for a replay. */
  private sequenceNumber = randomInt(0x10000);
  private readonly extension: Buffer | null;
  private readonly headerSize: number;

  constructor(options: RtpPacketizerOptions) {
    this.ssrc = options.ssrc >>> 0;
    this.payloadType = options.payloadType;
    this.extension = options.playoutDelay ? playoutDelayBlock(options.playoutDelay) : null;
    this.headerSize = RTP_FIXED_HEADER_SIZE + (this.extension?.length ?? 0);
    this.maxPayloadSize = (options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE) - this.headerSize;
  }

  /** The RTP packets of one frame, in send order. */
  packetize(frame: Uint8Array, timestamp: number): Buffer[] {
    const payloads = this.payloads(frame);
    return payloads.map((payload, i) =>
      this.packet(payload, timestamp >>> 0, i === payloads.length - 1),
    );
  }

  /** One frame's payloads, each at most maxPayloadSize bytes. */
  protected abstract payloads(frame: Uint8Array): Uint8Array[];

  private packet(payload: Uint8Array, timestamp: number, marker: boolean): Buffer {
    const packet = Buffer.allocUnsafe(this.headerSize + payload.length);
    packet[0] = RTP_VERSION_2 | (this.extension ? EXTENSION_BIT : 0);
    packet[1] = (marker ? MARKER : 0) | this.payloadType;
    packet.writeUInt16BE(this.sequenceNumber, 2);
    packet.writeUInt32BE(timestamp, 4);
    packet.writeUInt32BE(this.ssrc, 8);
    this.extension?.copy(packet, RTP_FIXED_HEADER_SIZE);
    packet.set(payload, this.headerSize);
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    return packet;
  }
}
