/**
 * The playout-delay header extension through the real mediasoup worker: by default every
 * packet a viewer receives asks for min = max = 0 (show each frame as soon as it is
 * decoded), under the id that viewer negotiated; a configured maximum is carried as
 * given; "adaptive" (null) sends no extension at all.
 */
import { SessionMedia } from '../../server/media/session-media';
import { WorkerPool } from '../../server/media/worker-pool';
import { readPlayoutDelay } from '../helpers/rtp';
import { ensureWorkerBin, FramePump, RtpTap } from './media-helpers';

const VIDEO = { codec: 'vp8', width: 128, height: 128, fps: 20 } as const;
const PLAYOUT_DELAY_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

let pool: WorkerPool;

beforeAll(async () => {
  ensureWorkerBin();
  pool = await WorkerPool.create({ size: 1 });
});

afterAll(async () => {
  await pool.close();
});

/** What one viewer receives in its first five frames from a session with this setting. */
async function receive(playoutDelayMaxMs: number | null | undefined) {
  const media = await SessionMedia.create(pool, { ...VIDEO, playoutDelayMaxMs });
  const pump = new FramePump(media);
  const tap = await RtpTap.open(media);
  try {
    await pump.push(5);
    await tap.waitFor(() => tap.frameTimestamps.length >= 5, 2000, 'five frames');
    expect(pump.errors).toEqual([]);
    const negotiated = tap.consumer.rtpParameters.headerExtensions?.find(
      (e) => e.uri === PLAYOUT_DELAY_URI,
    );
    const delays = tap.packets.map((p) => {
      const element = negotiated && p.extensions.get(negotiated.id);
      return element ? readPlayoutDelay(element) : null;
    });
    return { negotiated, delays };
  } finally {
    tap.close();
    media.close();
  }
}

test('by default every packet asks the viewer for zero playout delay', async () => {
  const { negotiated, delays } = await receive(undefined);
  expect(negotiated).toBeDefined();
  expect(delays.length).toBeGreaterThanOrEqual(5);
  expect(delays.every((d) => d?.minMs === 0 && d.maxMs === 0)).toBe(true);
});

test('a configured maximum reaches the viewer as given', async () => {
  const { delays } = await receive(200);
  expect(delays.every((d) => d?.minMs === 0 && d.maxMs === 200)).toBe(true);
});

test('"adaptive" sends no playout-delay extension', async () => {
  const { negotiated, delays } = await receive(null);
  expect(negotiated).toBeDefined(); // the viewer could take it: it is just not sent
  expect(delays.length).toBeGreaterThanOrEqual(5);
  expect(delays.every((d) => d === null)).toBe(true);
});
