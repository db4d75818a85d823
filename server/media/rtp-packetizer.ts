/**
 * Turns one encoded frame into RTP packets (RFC 3550): a fixed 12-byte header with our
 * SSRC and payload type, consecutive sequence numbers across frames, the frame's
 * timestamp on every packet and the marker bit on its last one. Subclasses split the
 * frame into payloads by their codec's RTP payload format.
 */
import { randomInt } from 'node:crypto';

const RTP_HEADER_SIZE = 12;
const RTP_VERSION_2 = 0x80;
const MARKER = 0x80;

/** Leaves room for SRTP, TURN and IP/UDP overhead inside a 1500-byte path MTU. */
export const DEFAULT_MAX_PACKET_SIZE = 1200;

export interface RtpPacketizerOptions {
  ssrc: number;
  payloadType: number;
  maxPacketSize?: number;
}

export abstract class RtpPacketizer {
  readonly ssrc: number;
  readonly payloadType: number;
  protected readonly maxPayloadSize: number;
  /** Random start (RFC 3550 §5.1), so a restarted stream is not mistaken for a replay. */
  private sequenceNumber = randomInt(0x10000);

  constructor(options: RtpPacketizerOptions) {
    this.ssrc = options.ssrc >>> 0;
    this.payloadType = options.payloadType;
    this.maxPayloadSize = (options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE) - RTP_HEADER_SIZE;
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
    const packet = Buffer.allocUnsafe(RTP_HEADER_SIZE + payload.length);
    packet[0] = RTP_VERSION_2;
    packet[1] = (marker ? MARKER : 0) | this.payloadType;
    packet.writeUInt16BE(this.sequenceNumber, 2);
    packet.writeUInt32BE(timestamp, 4);
    packet.writeUInt32BE(this.ssrc, 8);
    packet.set(payload, RTP_HEADER_SIZE);
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    return packet;
  }
}
