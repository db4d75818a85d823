/**
 * SessionMedia against a real mediasoup worker and the real encoder: RTP reaches a
 * consumer with timestamps derived from ticks; members' transports come and go; a
 * closed session leaves nothing behind on its worker.
 */
import type { types } from 'mediasoup';
import { FrameEncoder } from '../../server/media/frame-encoder';
import { MediaError, SessionMedia } from '../../server/media/session-media';
import { WorkerPool } from '../../server/media/worker-pool';
import { ensureWorkerBin, FramePump, RtpTap } from './media-helpers';

const VIDEO = { width: 128, height: 128, fps: 20 } as const;

let pool: WorkerPool;

beforeAll(async () => {
  ensureWorkerBin();
  pool = await WorkerPool.create({ size: 1 });
});

afterAll(async () => {
  await pool.close();
});

describe.each(['vp8', 'h264'] as const)('%s stream', (codec) => {
  let media: SessionMedia;

  beforeEach(async () => {
    media = await SessionMedia.create(pool, { codec, ...VIDEO });
  });

  afterEach(() => media.close());

  test('every frame reaches a consumer, once, stamped rtpTimestampOfTick(tick)', async () => {
    const tap = await RtpTap.open(media);
    const pump = new FramePump(media);
    await pump.push(30);
    await tap.waitFor(() => tap.frameTimestamps.length === 30, 2000, '30 frames');

    const expected = Array.from({ length: 30 }, (_, tick) => media.rtpTimestampOfTick(tick));
    expect(tap.frameTimestamps).toEqual(expected);
    expect(expected.slice(0, 3)).toEqual([0, 4500, 9000]);
    // Sequence numbers are consecutive across frames: nothing lost or reordered.
    const sequence = tap.packets.map((p) => p.sequenceNumber);
    sequence.slice(1).forEach((n, i) => expect(n).toBe((sequence[i] + 1) & 0xffff));
    expect(tap.keyframeTimestamps(codec)[0]).toBe(0);

    const stats = media.stats();
    expect(stats).toMatchObject({ framesEncoded: 30, framesDropped: 0 });
    expect(stats.rtpPacketsSent).toBe(tap.packets.length);
    expect(stats.encodeMs.p50).toBeGreaterThan(0);
    expect(stats.encodeMs.p99).toBeGreaterThanOrEqual(stats.encodeMs.p50);
    expect(pump.errors).toEqual([]);
  });
});

describe('members', () => {
  let media: SessionMedia;

  beforeEach(async () => {
    media = await SessionMedia.create(pool, { codec: 'vp8', ...VIDEO });
  });

  afterEach(() => media.close());

  async function transportIds(): Promise<string[]> {
    return (await media.router.dump()).transportIds;
  }

  test('a member gets a WebRTC transport and a consumer of the one producer', async () => {
    const params = await media.createTransport('alice');
    expect(params.iceCandidates.length).toBeGreaterThan(0);
    expect(params.iceCandidates.every((c) => c.address === '127.0.0.1')).toBe(true);
    expect(params.dtlsParameters.fingerprints.length).toBeGreaterThan(0);

    const consumer = await media.consume('alice', media.rtpCapabilities);
    expect(consumer).toMatchObject({ producerId: media.producerId, kind: 'video' });
    expect(consumer.rtpParameters.codecs[0].mimeType).toBe('video/VP8');
    expect(media.stats().consumers).toBe(1);
    expect(await transportIds()).toContain(params.id);
  });

  test('a member leaving frees its transport and consumer', async () => {
    const alice = await media.createTransport('alice');
    const bob = await media.createTransport('bob');
    await media.consume('alice', media.rtpCapabilities);
    await media.consume('bob', media.rtpCapabilities);
    expect(media.stats().consumers).toBe(2);

    media.removeMember('alice');
    const remaining = await transportIds();
    expect(remaining).not.toContain(alice.id);
    expect(remaining).toContain(bob.id);
    expect(media.stats().consumers).toBe(1);
    await expect(media.consume('alice', media.rtpCapabilities)).rejects.toThrow(
      /has no transport; call createTransport first/,
    );
    media.removeMember('alice'); // Leaving twice is harmless.
  });

  test('creating a transport again replaces the member’s old one', async () => {
    const first = await media.createTransport('alice');
    await media.consume('alice', media.rtpCapabilities);
    const second = await media.createTransport('alice');
    const ids = await transportIds();
    expect(ids).toContain(second.id);
    expect(ids).not.toContain(first.id);
    expect(media.stats().consumers).toBe(0);
  });

  test('a device that cannot decode the codec gets a MediaError saying what is missing', async () => {
    await media.createTransport('alice');
    const h264Only: types.RtpCapabilities = {
      codecs: media.rtpCapabilities.codecs!.filter((c) => c.mimeType !== 'video/VP8'),
      headerExtensions: [],
    };
    const attempt = media.consume('alice', h264Only);
    await expect(attempt).rejects.toThrow(MediaError);
    await expect(attempt).rejects.toThrow(/cannot receive VP8.*video\/VP8/);
  });
});

test('closing a session frees its router, transports and encoder', async () => {
  const media = await SessionMedia.create(pool, { codec: 'h264', ...VIDEO });
  const [worker] = pool.workers;
  const routerId = media.router.id;
  await media.createTransport('alice');
  await media.consume('alice', media.rtpCapabilities);
  await new FramePump(media).push(3);
  expect((await worker.dump()).routerIds).toContain(routerId);

  const encoders = FrameEncoder.openCount;
  const closed = jest.fn();
  media.on('closed', closed);
  const router = media.router;
  media.close();
  media.close(); // Idempotent.

  expect(closed).toHaveBeenCalledTimes(1);
  expect(router.closed).toBe(true);
  expect((await worker.dump()).routerIds).not.toContain(routerId);
  expect(FrameEncoder.openCount).toBe(encoders - 1);
  expect(media.isClosed).toBe(true);
  await expect(media.pushFrame(3, new Uint8Array(128 * 128 * 3))).rejects.toThrow(/closed/);
  expect(() => media.rtpCapabilities).toThrow(/closed/);
});

test('a wrongly sized frame is refused with the size that was expected', async () => {
  const media = await SessionMedia.create(pool, { codec: 'vp8', ...VIDEO });
  try {
    await expect(media.pushFrame(0, new Uint8Array(10))).rejects.toThrow(
      'expected an RGB frame of 128x128x3 = 49152 bytes, got 10',
    );
  } finally {
    media.close();
  }
});

test('a stalled encoder fails its frame and is replaced by a fresh one at the next', async () => {
  // 1 ms is far below a 1024x1024 VP8 encode, so every frame "stalls".
  const media = await SessionMedia.create(pool, {
    codec: 'vp8',
    width: 1024,
    height: 1024,
    fps: 20,
    encoderTimeoutMs: 1,
  });
  const frame = new Uint8Array(1024 * 1024 * 3);
  const encoders = FrameEncoder.openCount;
  try {
    await expect(media.pushFrame(0, frame)).rejects.toThrow(/no encoded output .* within 1 ms/);
    expect(media.stats().encoderRestarts).toBe(0);
    await expect(media.pushFrame(1, frame)).rejects.toThrow(/within 1 ms/);
    expect(media.stats().encoderRestarts).toBe(1);
    expect(FrameEncoder.openCount).toBe(encoders); // The stalled one was closed.
  } finally {
    media.close();
  }
});
