/**
 * Browser side of media-browser.test.ts (bundled with esbuild): a bare mediasoup-client
 * viewer signalling over fetch to the test's HTTP server. Records every presented frame
 * (requestVideoFrameCallback metadata) and can snapshot the picture for comparison.
 */
import { Device, type types } from 'mediasoup-client';

interface PresentedFrame {
  /** ms since start() was called. */
  at: number;
  presentedFrames: number;
  width: number;
  height: number;
  rtpTimestamp: number | undefined;
}

interface Snapshot {
  rtpTimestamp: number;
  width: number;
  height: number;
  rgba: number[];
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const frames: PresentedFrame[] = [];
const snapshots: Snapshot[] = [];
let snapshotsWanted = 0;

async function start(memberId: string): Promise<void> {
  const startedAt = performance.now();
  // Headless Chromium is not recognised by mediasoup-client's detection; it is Chrome.
  const device = new Device({ handlerName: 'Chrome111' });
  await device.load({ routerRtpCapabilities: await post('/capabilities', {}) });
  const transport = device.createRecvTransport(
    await post<types.TransportOptions>('/transport', { memberId }),
  );
  transport.on('connect', ({ dtlsParameters }, done, fail) => {
    post('/connect', { memberId, dtlsParameters }).then(() => done(), fail);
  });
  const consumer = await transport.consume(
    await post<types.ConsumerOptions>('/consume', {
      memberId,
      rtpCapabilities: device.rtpCapabilities,
    }),
  );
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = new MediaStream([consumer.track]);
  document.body.append(video);
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const onFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
    frames.push({
      at: performance.now() - startedAt,
      presentedFrames: metadata.presentedFrames,
      width: metadata.width,
      height: metadata.height,
      rtpTimestamp: metadata.rtpTimestamp,
    });
    if (snapshotsWanted > 0 && metadata.rtpTimestamp !== undefined) {
      snapshotsWanted--;
      canvas.width = metadata.width;
      canvas.height = metadata.height;
      context.drawImage(video, 0, 0);
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      snapshots.push({
        rtpTimestamp: metadata.rtpTimestamp,
        width: canvas.width,
        height: canvas.height,
        rgba: Array.from(data),
      });
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
  await video.play();
}

function snapshot(count: number): void {
  snapshotsWanted = count;
}

Object.assign(window, { viewer: { start, frames, snapshot, snapshots } });
