/** The media pipeline's pure parts: the tick/timestamp contract, packetizers, keyframe throttle. */
import { H264Packetizer, splitAnnexB } from '../../server/media/h264-packetizer';
import { KeyframeGate } from '../../server/media/keyframe-gate';
import { LatencyWindow } from '../../server/media/latency-window';
import { DEFAULT_MAX_PACKET_SIZE } from '../../server/media/rtp-packetizer';
import { oneByteExtensions, parseRtp, readPlayoutDelay } from '../helpers/rtp';
import { rtpTimestampOfTick, tickOfRtpTimestamp } from '../../server/protocol/rtp-timestamp';
import { Vp8Packetizer } from '../../server/media/vp8-packetizer';

const bytes = (length: number, seed = 1) =>
  Uint8Array.from({ length }, (_, i) => (i * 31 + seed) % 251 || 1);

describe('RTP timestamp = f(tick)', () => {
  test('is tick * 90000 / fps, wrapped to 32 bits', () => {
    expect([0, 1, 2, 20].map((t) => rtpTimestampOfTick(t, 20))).toEqual([0, 4500, 9000, 90000]);
    expect(rtpTimestampOfTick(954438, 20)).toBe((954438 * 4500) % 2 ** 32);
    expect(rtpTimestampOfTick(3, 30)).toBe(9000);
  });

  test('maps back to the tick, across the 32-bit wrap, given a nearby tick', () => {
    for (const tick of [0, 1, 12345, 954437, 954438, 954439, 5_000_000]) {
      expect(tickOfRtpTimestamp(rtpTimestampOfTick(tick, 20), 20, tick + 7)).toBe(tick);
    }
    expect(tickOfRtpTimestamp(9000, 20)).toBe(2);
  });
});

function header(packet: Buffer) {
  return {
    version: packet[0] >> 6,
    marker: (packet[1] & 0x80) !== 0,
    payloadType: packet[1] & 0x7f,
    sequenceNumber: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
  };
}

describe('Vp8Packetizer (RFC 7741)', () => {
  const packetizer = new Vp8Packetizer({ ssrc: 0xdeadbeef, payloadType: 96 });

  test('cuts a frame into packets within the size limit, marker on the last', () => {
    const frame = bytes(3000);
    const packets = packetizer.packetize(frame, 4500);
    expect(packets).toHaveLength(3);
    expect(packets.every((p) => p.length <= DEFAULT_MAX_PACKET_SIZE)).toBe(true);
    const headers = packets.map(header);
    expect(headers.map((h) => h.marker)).toEqual([false, false, true]);
    expect(headers.every((h) => h.version === 2 && h.payloadType === 96)).toBe(true);
    expect(headers.every((h) => h.timestamp === 4500 && h.ssrc === 0xdeadbeef)).toBe(true);
    expect(headers[1].sequenceNumber).toBe((headers[0].sequenceNumber + 1) & 0xffff);
    // Descriptor: X and S (start of partition 0) on the first packet only; I with a 15-bit PictureID.
    expect(packets.map((p) => p[12])).toEqual([0x90, 0x80, 0x80]);
    expect(packets.every((p) => p[13] === 0x80 && (p[14] & 0x80) !== 0)).toBe(true);
    const reassembled = Buffer.concat(packets.map((p) => p.subarray(16)));
    expect(reassembled.equals(Buffer.from(frame))).toBe(true);
  });

  test('numbers pictures and packets consecutively across frames', () => {
    const [a] = packetizer.packetize(bytes(100), 0);
    const [b] = packetizer.packetize(bytes(100), 4500);
    const pictureId = (p: Buffer) => p.readUInt16BE(14) & 0x7fff;
    expect(pictureId(b)).toBe((pictureId(a) + 1) & 0x7fff);
    expect(header(b).sequenceNumber).toBe((header(a).sequenceNumber + 1) & 0xffff);
  });
});

describe('H264Packetizer (RFC 6184, packetization-mode 1)', () => {
  const sps = Uint8Array.from([0x67, 0x42, 0xe0, 0x1f, 0x8c]);
  const pps = Uint8Array.from([0x68, 0xce, 0x3c, 0x80]);
  const idr = Uint8Array.from([0x65, ...bytes(2500)]);
  const annexB = (...nals: Uint8Array[]) =>
    Buffer.concat(nals.flatMap((nal, i) => [Buffer.from(i === 0 ? [0, 0, 0, 1] : [0, 0, 1]), nal]));

  test('splits Annex B at 3- and 4-byte start codes, dropping zero padding', () => {
    const stream = Buffer.concat([
      annexB(sps, pps),
      Buffer.from([0, 0, 0, 1]),
      Buffer.from([0x41, 7]),
    ]);
    expect(splitAnnexB(stream).map((n) => Buffer.from(n).toString('hex'))).toEqual([
      '6742e01f8c',
      '68ce3c80',
      '4107',
    ]);
  });

  test('small NAL units go alone; a large one becomes FU-A fragments that reassemble', () => {
    const packetizer = new H264Packetizer({ ssrc: 1, payloadType: 102 });
    const packets = packetizer.packetize(annexB(sps, pps, idr), 9000);
    const payloads = packets.map((p) => p.subarray(12));
    expect(Buffer.from(payloads[0]).equals(Buffer.from(sps))).toBe(true);
    expect(Buffer.from(payloads[1]).equals(Buffer.from(pps))).toBe(true);
    const fragments = payloads.slice(2);
    expect(fragments.length).toBe(3);
    expect(packets.every((p) => p.length <= DEFAULT_MAX_PACKET_SIZE)).toBe(true);
    // FU indicator keeps F/NRI with type 28; FU header: S on the first, E on the last, type 5.
    expect(fragments.every((f) => f[0] === ((0x65 & 0xe0) | 28))).toBe(true);
    expect(fragments.map((f) => f[1])).toEqual([0x85, 0x05, 0x45]);
    const body = Buffer.concat(fragments.map((f) => f.subarray(2)));
    expect(Buffer.concat([Buffer.from([0x65]), body]).equals(Buffer.from(idr))).toBe(true);
    expect(packets.map((p) => header(p).marker)).toEqual([false, false, false, false, true]);
  });

  test('refuses data that is not Annex B', () => {
    const packetizer = new H264Packetizer({ ssrc: 1, payloadType: 102 });
    expect(() => packetizer.packetize(bytes(50), 0)).toThrow(/Annex B/);
  });
});

describe('playout-delay header extension', () => {
  const frame = bytes(3000);
  const withDelay = (minMs: number, maxMs: number, extensionId = 3) =>
    new Vp8Packetizer({ ssrc: 7, payloadType: 96, playoutDelay: { extensionId, minMs, maxMs } });

  test('every packet carries it, within the size limit, and the payload is untouched', () => {
    const packets = withDelay(0, 0).packetize(frame, 4500);
    const plain = new Vp8Packetizer({ ssrc: 7, payloadType: 96 }).packetize(frame, 4500);
    expect(packets.every((p) => p.length <= DEFAULT_MAX_PACKET_SIZE)).toBe(true);
    for (const packet of packets) {
      expect(packet[0] & 0x10).toBe(0x10);
      const element = oneByteExtensions(packet).get(3);
      expect(element && readPlayoutDelay(element)).toEqual({ minMs: 0, maxMs: 0 });
    }
    const body = (ps: Buffer[]) =>
      Buffer.concat(ps.map((p) => parseRtp(p).payload.subarray(4))).equals(Buffer.from(frame));
    expect(body(packets)).toBe(true);
    expect(body(plain)).toBe(true);
    expect(plain.every((p) => oneByteExtensions(p).size === 0)).toBe(true);
  });

  test('encodes min and max in 10 ms steps, 12 bits each', () => {
    const [packet] = withDelay(150, 40950, 14).packetize(bytes(10), 0);
    expect(readPlayoutDelay(oneByteExtensions(packet).get(14)!)).toEqual({
      minMs: 150,
      maxMs: 40950,
    });
  });

  test('refuses ids and bounds the extension cannot carry', () => {
    expect(() => withDelay(0, 0, 15)).toThrow(/extension id must be 1..14, got 15/);
    expect(() => withDelay(0, 0, 0)).toThrow(/extension id/);
    expect(() => withDelay(100, 50)).toThrow(/0 <= min <= max <= 40950 ms, got 100..50/);
    expect(() => withDelay(0, 50000)).toThrow(/got 0..50000/);
    expect(() => withDelay(Number.NaN, 0)).toThrow(/playout delay/);
  });
});

describe('KeyframeGate', () => {
  let now = 0;
  const gate = () => new KeyframeGate(250, () => now);

  test('forces the first frame, then only on request and at most once per interval', () => {
    now = 0;
    const g = gate();
    expect(g.shouldForce()).toBe(true);
    g.sent();
    expect(g.shouldForce()).toBe(false);
    g.request();
    now = 100;
    expect(g.shouldForce()).toBe(false); // Remembered, not dropped...
    expect(g.pending).toBe(true);
    now = 250;
    expect(g.shouldForce()).toBe(true); // ...and honoured when the interval ends.
    g.sent();
    expect(g.pending).toBe(false);
  });

  test('a periodic keyframe satisfies pending requests; restart forces at once', () => {
    now = 0;
    const g = gate();
    g.sent();
    g.request();
    now = 50;
    g.sent(); // The encoder's own keyframe.
    now = 400;
    expect(g.shouldForce()).toBe(false);
    g.restart();
    now = 401;
    expect(g.shouldForce()).toBe(true);
  });
});

test('LatencyWindow keeps the last samples and reports nearest-rank percentiles', () => {
  const window = new LatencyWindow(100);
  expect(window.percentile(50)).toBe(0);
  for (let i = 1; i <= 300; i++) window.add(i);
  expect(window.percentile(50)).toBe(250);
  expect(window.percentile(99)).toBe(299);
  expect(window.percentile(100)).toBe(300);
});
