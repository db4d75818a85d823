/**
 * The media layer in a real browser: headless Chromium with mediasoup-client receives
 * the session's stream over a WebRtcTransport, decodes video of the expected size with a
 * rising frame count, every presented frame's RTP timestamp maps back to the tick whose
 * picture it shows, and a viewer joining 5 s late sees a picture within 1 s.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import type { VideoCodec } from '../../server/media/codecs';
import type { ConsumerParams } from '../../server/media/session-media';
import { tickOfRtpTimestamp } from '../../server/protocol/rtp-timestamp';
import { SessionMedia } from '../../server/media/session-media';
import { WorkerPool } from '../../server/media/worker-pool';
import { launchChromium } from '../helpers/browser';
import { meanAbsDiff } from '../helpers/frames';
import { ensureWorkerBin, FramePump, sleep } from './media-helpers';

const VIDEO = { width: 128, height: 128, fps: 20 } as const;

interface PresentedFrame {
  at: number;
  presentedFrames: number;
  width: number;
  height: number;
  rtpTimestamp?: number;
}

interface Snapshot {
  rtpTimestamp: number;
  width: number;
  height: number;
  rgba: number[];
}

declare const viewer: {
  start(memberId: string): Promise<void>;
  frames: PresentedFrame[];
  snapshot(count: number): void;
  snapshots: Snapshot[];
};

let pool: WorkerPool;
let browser: Browser;
let clientScript: string;

beforeAll(async () => {
  ensureWorkerBin();
  const bundle = await build({
    entryPoints: [path.join(__dirname, 'media-browser-client.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'silent',
  });
  clientScript = bundle.outputFiles[0].text;
  [pool, browser] = await Promise.all([WorkerPool.create({ size: 1 }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await pool?.close();
});

/** A session streaming engine frames, and the tiny HTTP signaling server its pages talk to. */
async function startSession(codec: VideoCodec) {
  const media = await SessionMedia.create(pool, { codec, ...VIDEO });
  const pump = new FramePump(media);
  const consumers: ConsumerParams[] = [];
  const routes: Record<string, (body: Record<string, never>) => unknown> = {
    '/capabilities': () => media.rtpCapabilities,
    '/transport': ({ memberId }) => media.createTransport(memberId),
    '/connect': async ({ memberId, dtlsParameters }) => {
      await media.connectTransport(memberId, dtlsParameters);
      return {};
    },
    '/consume': async ({ memberId, rtpCapabilities }) => {
      consumers.push(await media.consume(memberId, rtpCapabilities));
      return consumers.at(-1);
    },
  };
  const server = http.createServer(async (request, response) => {
    try {
      if (request.url === '/')
        return response.end('<!doctype html><script src="/client.js"></script>');
      if (request.url === '/client.js') {
        response.setHeader('content-type', 'text/javascript');
        return response.end(clientScript);
      }
      const route = routes[request.url ?? ''];
      if (!route) return response.writeHead(404).end();
      let body = '';
      for await (const chunk of request) body += chunk;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(await route(JSON.parse(body))));
    } catch (error) {
      response.writeHead(500).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    media,
    pump,
    consumers,
    async openViewer(memberId: string): Promise<Page> {
      const page = await browser.newPage();
      await page.goto(url);
      await page.evaluate((id) => viewer.start(id), memberId);
      return page;
    },
    async close() {
      pump.stop();
      media.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const framesOf = (page: Page) => page.evaluate(() => viewer.frames);

async function waitForFrames(
  page: Page,
  count: number,
  timeoutMs: number,
): Promise<PresentedFrame[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frames = await framesOf(page);
    if (frames.length >= count) return frames;
    if (Date.now() > deadline)
      throw new Error(`only ${frames.length} of ${count} frames presented`);
    await sleep(100);
  }
}

/** RGBA from the canvas to RGB, for comparing with engine frames. */
function rgbOf(snapshot: Snapshot): Uint8Array {
  const rgb = new Uint8Array(snapshot.width * snapshot.height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = snapshot.rgba[i];
    rgb[j + 1] = snapshot.rgba[i + 1];
    rgb[j + 2] = snapshot.rgba[i + 2];
  }
  return rgb;
}

test('VP8: decoded video of the expected size, frames traced to their ticks, a late viewer sees a picture within 1 s', async () => {
  const session = await startSession('vp8');
  try {
    session.pump.start();
    const early = await session.openViewer('early');
    const frames = await waitForFrames(early, 40, 5000);

    expect(frames.every((f) => f.width === VIDEO.width && f.height === VIDEO.height)).toBe(true);
    // Chromium negotiated playout-delay, so mediasoup forwards our "show it at once" to it.
    expect(session.consumers[0].rtpParameters.headerExtensions?.map((e) => e.uri)).toContain(
      'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
    );
    const counts = frames.map((f) => f.presentedFrames);
    counts.slice(1).forEach((n, i) => expect(n).toBeGreaterThan(counts[i]));
    // Each presented frame's RTP timestamp is exactly some tick's, ticks only move forward.
    const ticks = frames.map((f) => tickOfRtpTimestamp(f.rtpTimestamp!, VIDEO.fps));
    frames.forEach((f, i) =>
      expect(f.rtpTimestamp).toBe(session.media.rtpTimestampOfTick(ticks[i])),
    );
    ticks.slice(1).forEach((t, i) => expect(t).toBeGreaterThan(ticks[i]));
    expect(ticks.at(-1)).toBeLessThan(session.pump.nextTick);

    // And the picture shown for that timestamp is that tick's frame: closer to it than to its neighbours.
    await early.evaluate(() => viewer.snapshot(3));
    await early.waitForFunction(() => viewer.snapshots.length === 3);
    await sleep(300); // The neighbours after the last snapshot have been pushed too.
    for (const shot of await early.evaluate(() => viewer.snapshots)) {
      const tick = tickOfRtpTimestamp(shot.rtpTimestamp, VIDEO.fps);
      const shown = rgbOf(shot);
      const diffs = [-3, 0, 3].map((d) => meanAbsDiff(shown, session.pump.frameAt(tick + d)));
      expect(diffs[1]).toBeLessThan(Math.min(diffs[0], diffs[2]));
    }

    // A viewer joining 5 s into the stream.
    await sleep(Math.max(0, 5000 - session.pump.nextTick * (1000 / VIDEO.fps)));
    const late = await session.openViewer('late');
    const [first] = await waitForFrames(late, 1, 2000);
    expect(first.at).toBeLessThan(1000);
    expect(session.media.stats().consumers).toBe(2);
  } finally {
    await session.close();
  }
});

test('H.264: decoded video of the expected size with timestamps from ticks', async () => {
  const session = await startSession('h264');
  try {
    session.pump.start();
    const page = await session.openViewer('viewer');
    const frames = await waitForFrames(page, 20, 5000);
    expect(frames.every((f) => f.width === VIDEO.width && f.height === VIDEO.height)).toBe(true);
    const ticks = frames.map((f) => tickOfRtpTimestamp(f.rtpTimestamp!, VIDEO.fps));
    frames.forEach((f, i) =>
      expect(f.rtpTimestamp).toBe(session.media.rtpTimestampOfTick(ticks[i])),
    );
    ticks.slice(1).forEach((t, i) => expect(t).toBeGreaterThan(ticks[i]));
  } finally {
    await session.close();
  }
});
