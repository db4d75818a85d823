/**
 * VP8 over RTP (RFC 7741). Every packet starts with a 4-byte payload descriptor
 * carrying a 15-bit PictureID, which lets receivers (and mediasoup) tell a lost packet
 * from a lost frame; the rest is the frame cut into equal-ish slices.
 */
import { randomInt } from 'node:crypto';
import { RtpPacketizer } from './rtp-packetizer';

const DESCRIPTOR_SIZE = 4;
const X_BIT = 0x80; // Extended control bits present.
const S_BIT = 0x10; // Start of VP8 partition (PID 0: start of the frame).
const I_BIT = 0x80; // PictureID present.
const M_BIT = 0x80; // PictureID is 15 bits.

export class Vp8Packetizer extends RtpPacketizer {
  private pictureId = randomInt(0x8000);

  protected payloads(frame: Uint8Array): Uint8Array[] {
    const room = this.maxPayloadSize - DESCRIPTOR_SIZE;
    const count = Math.max(1, Math.ceil(frame.length / room));
    // Even slices rather than full ones plus a runt: same packet count, steadier pacing.
    const sliceSize = Math.ceil(frame.length / count);
    const payloads: Uint8Array[] = [];
    for (let offset = 0, i = 0; i < count; i++, offset += sliceSize) {
      const slice = frame.subarray(offset, offset + sliceSize);
      const payload = new Uint8Array(DESCRIPTOR_SIZE + slice.length);
      payload[0] = X_BIT | (i === 0 ? S_BIT : 0);
      payload[1] = I_BIT;
      payload[2] = M_BIT | (this.pictureId >> 8);
      payload[3] = this.pictureId & 0xff;
      payload.set(slice, DESCRIPTOR_SIZE);
      payloads.push(payload);
    }
    this.pictureId = (this.pictureId + 1) & 0x7fff;
    return payloads;
  }
}
