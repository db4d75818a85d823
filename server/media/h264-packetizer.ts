/**
 * H.264 over RTP, packetization-mode 1 (RFC 6184): the Annex B access unit is split at
 * its start codes; a NAL unit that fits goes alone in a packet (single NAL unit
 * packet), a larger one is cut into FU-A fragments. Keyframes from our encoder carry
 * SPS and PPS in-band, which is also what mediasoup looks for to call a packet a
 * keyframe (so a new consumer starts exactly there).
 */
import { RtpPacketizer } from './rtp-packetizer';

const FU_A = 28;
const FU_HEADER_SIZE = 2;
const FU_START = 0x80;
const FU_END = 0x40;
const NAL_TYPE_MASK = 0x1f;
const NAL_F_NRI_MASK = 0xe0;

export class H264Packetizer extends RtpPacketizer {
  protected payloads(accessUnit: Uint8Array): Uint8Array[] {
    const nals = splitAnnexB(accessUnit);
    if (nals.length === 0) {
      throw new TypeError(
        `expected an H.264 access unit in Annex B format (start codes), got ${accessUnit.length} bytes without one`,
      );
    }
    return nals.flatMap((nal) => (nal.length <= this.maxPayloadSize ? [nal] : this.fragment(nal)));
  }

  private fragment(nal: Uint8Array): Uint8Array[] {
    const indicator = (nal[0] & NAL_F_NRI_MASK) | FU_A;
    const type = nal[0] & NAL_TYPE_MASK;
    const body = nal.subarray(1);
    const room = this.maxPayloadSize - FU_HEADER_SIZE;
    const count = Math.ceil(body.length / room);
    const sliceSize = Math.ceil(body.length / count);
    const fragments: Uint8Array[] = [];
    for (let offset = 0, i = 0; i < count; i++, offset += sliceSize) {
      const slice = body.subarray(offset, offset + sliceSize);
      const fragment = new Uint8Array(FU_HEADER_SIZE + slice.length);
      fragment[0] = indicator;
      fragment[1] = (i === 0 ? FU_START : 0) | (i === count - 1 ? FU_END : 0) | type;
      fragment.set(slice, FU_HEADER_SIZE);
      fragments.push(fragment);
    }
    return fragments;
  }
}

/**
 * The NAL units of an Annex B byte stream, without start codes. A NAL unit never ends
 * in a zero byte (its RBSP stop bit), so zeros before a start code belong to the code
 * (4-byte start codes, trailing_zero_8bits) and are dropped.
 */
export function splitAnnexB(stream: Uint8Array): Uint8Array[] {
  const nals: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] !== 0 || stream[i + 1] !== 0 || stream[i + 2] !== 1) continue;
    if (start >= 0) nals.push(trimTrailingZeros(stream.subarray(start, i)));
    start = i + 3;
    i += 2;
  }
  if (start >= 0) nals.push(trimTrailingZeros(stream.subarray(start)));
  return nals.filter((nal) => nal.length > 0);
}

function trimTrailingZeros(nal: Uint8Array): Uint8Array {
  let end = nal.length;
  while (end > 0 && nal[end - 1] === 0) end--;
  return nal.subarray(0, end);
}
