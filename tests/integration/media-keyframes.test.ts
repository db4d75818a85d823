/**
 * Keyframes on demand, through the real mediasoup worker: a viewer that joins mid-GOP
 * and a viewer that reports a lost picture (PLI) both get a keyframe within a few
 * frames, and a burst of requests is throttled rather than turned into a keyframe storm.
 */
import { SessionMedia } from '../../server/media/session-media';
import { WorkerPool } from '../../server/media/worker-pool';
import { ensureWorkerBin, FramePump, RtpTap, sleep } from './media-helpers';

const VIDEO = { width: 128, height: 128, fps: 20 } as const;
const FRAME_MS = 1000 / VIDEO.fps;

let pool: WorkerPool;
let media: SessionMedia;
let pump: FramePump;

beforeAll(async () => {
  ensureWorkerBin();
  pool = await WorkerPool.create({ size: 1 });
});

afterAll(async () => {
  await pool.close();
});

afterEach(() => {
  pump.stop();
  media.close();
  expect(pump.errors).toEqual([]);
});

describe.each(['vp8', 'h264'] as const)('%s', (codec) => {
  beforeEach(async () => {
    media = await SessionMedia.create(pool, { codec, ...VIDEO, keyframeIntervalMs: 100 });
    pump = new FramePump(media);
  });

  test('a new consumer starts with a keyframe within a few frames, not at the next GOP', async () => {
    pump.start();
    await sleep(1100);
    const keyframesBefore = media.stats().keyframes;
    const joinedAt = performance.now();
    const tap = await RtpTap.open(media);
    await tap.waitFor(() => tap.frameTimestamps.length >= 3, 1000, 'three frames after joining');

    const firstTimestamp = tap.packets[0].timestamp;
    expect(tap.keyframeTimestamps(codec)[0]).toBe(firstTimestamp);
    expect(tap.packets[0].receivedAt - joinedAt).toBeLessThan(4 * FRAME_MS + 100);
    expect(media.stats().keyframes).toBeGreaterThan(keyframesBefore);
  });

  test('a PLI from a viewer makes the next frame a keyframe', async () => {
    const tap = await RtpTap.open(media);
    pump.start();
    await tap.waitFor(() => tap.frameTimestamps.length >= 4, 1000, 'the stream to start');
    const keyframesBefore = tap.keyframeTimestamps(codec).length;

    tap.sendPli();
    const sentAt = performance.now();
    await tap.waitFor(
      () => tap.keyframeTimestamps(codec).length > keyframesBefore,
      1000,
      'a keyframe after the PLI',
    );
    const keyframe = tap.keyframeTimestamps(codec).at(-1);
    const arrival = tap.packets.find((p) => p.timestamp === keyframe)!.receivedAt;
    expect(arrival - sentAt).toBeLessThan(3 * FRAME_MS + 100);
  });
});

describe('requestKeyframe', () => {
  beforeEach(async () => {
    media = await SessionMedia.create(pool, { codec: 'vp8', ...VIDEO, keyframeIntervalMs: 200 });
    pump = new FramePump(media);
  });

  test('the next frame is a keyframe; a burst of requests is throttled to the interval', async () => {
    const tap = await RtpTap.open(media);
    await pump.push(3); // Tick 0 is a keyframe (the stream's first frame).
    const frame = (tick: number) => media.rtpTimestampOfTick(tick);

    media.requestKeyframe();
    await pump.push(1); // Tick 3, 0 ms after tick 0 by wall clock but still throttled...
    await sleep(250);
    await pump.push(1); // ...so tick 4 is the forced keyframe.
    await tap.waitFor(() => tap.frameTimestamps.length === 5, 1000, 'five frames');
    expect(tap.keyframeTimestamps('vp8')).toEqual([frame(0), frame(4)]);

    for (let i = 0; i < 10; i++) media.requestKeyframe();
    await pump.push(3); // Within 200 ms of tick 4: none forced yet.
    await sleep(250);
    await pump.push(1); // Tick 8: one keyframe for the whole burst.
    await pump.push(2);
    await tap.waitFor(() => tap.frameTimestamps.length === 11, 1000, 'eleven frames');
    expect(tap.keyframeTimestamps('vp8')).toEqual([frame(0), frame(4), frame(8)]);
    expect(media.stats().keyframes).toBe(3);
  });
});
