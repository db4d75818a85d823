/**
 * Media: encoder choice. Streams pre-rendered engine frames at the tick rate through
 * two pipelines into the same mediasoup router and measures, at a DirectTransport
 * consumer on that router (what a viewer's transport would get):
 *
 *   in-process  server/media SessionMedia: @napi-rs/webcodecs encoder + our RTP
 *               packetizer -> DirectTransport producer (the product code).
 *   ffmpeg      raw RGB frames on ffmpeg's stdin -> libvpx/libx264 -> RTP over UDP ->
 *               PlainTransport producer (rtcpMux: false, comedia: true).
 *
 * Per run: latency from frame in to the frame's last RTP packet at the consumer
 * (p50/p99/max), CPU of everything the session needs (node process incl. encoder
 * threads, ffmpeg, mediasoup worker) per wall second, bitrate, keyframes, and how long
 * a viewer joining mid-stream waits for its first (key)frame.
 *
 * Run: npx tsx bench/encode.bench.ts
 *        [--sizes 128,256 --codecs vp8,h264 --pipelines in-process,ffmpeg --seconds 12
 *         --ffmpeg-threads 1]
 * Needs MEDIASOUP_WORKER_BIN (infra/mediasoup/ensure-worker.sh) and ffmpeg on PATH.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { types } from 'mediasoup';
import { Engine } from '../model/engine/engine';
import { ROUTER_MEDIA_CODECS, type VideoCodec } from '../server/media/codecs';
import { defaultBitrate } from '../server/media/frame-encoder';
import { VIDEO_CLOCK_RATE } from '../server/protocol/rtp-timestamp';
import { SessionMedia } from '../server/media/session-media';
import { WorkerPool } from '../server/media/worker-pool';
import { isKeyframeStart, parseRtp } from '../tests/helpers/rtp';
import { cpuMsOf, selfCpuMs, workersCpuMs } from './lib/proc';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, EncodeResult, EncodeRow } from './lib/results';
import { summarize } from './lib/stats';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '128,256' },
    codecs: { type: 'string', default: 'vp8,h264' },
    pipelines: { type: 'string', default: 'in-process,ffmpeg' },
    seconds: { type: 'string', default: '12' },
    fps: { type: 'string', default: '20' },
    'ffmpeg-threads': { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const FPS = Number(values.fps);
const SECONDS = Number(values.seconds);
const WARMUP_FRAMES = FPS; // ffmpeg start-up, JIT, encoder rate control settling
// Not a multiple of the frame period times the GOP (10 frames): joins land at random phases.
const LATE_JOIN_EVERY_MS = 1730;

/** One way of turning frames into RTP for a producer on `router`. */
interface Pipeline {
  readonly producerId: string;
  push(tick: number, rgb: Uint8Array): void | Promise<void>;
  /** Maps a received RTP timestamp to the tick of the frame that carried it. */
  tickOf(rtpTimestamp: number): number;
  /** CPU ms used outside this process and the mediasoup worker so far. */
  externalCpuMs(): number;
  /** Frame in to RTP handed to mediasoup, where the pipeline can tell. */
  encodeMs(): { p50: number; p99: number } | null;
  close(): Promise<void>;
}

class InProcessPipeline implements Pipeline {
  private constructor(private readonly media: SessionMedia) {}

  static async open(pool: WorkerPool, codec: VideoCodec, size: number) {
    const media = await SessionMedia.create(pool, { codec, width: size, height: size, fps: FPS });
    return { pipeline: new InProcessPipeline(media), router: media.router };
  }

  get producerId() {
    return this.media.producerId;
  }

  push(tick: number, rgb: Uint8Array) {
    return this.media.pushFrame(tick, rgb);
  }

  tickOf(rtpTimestamp: number) {
    return Math.round((rtpTimestamp * FPS) / VIDEO_CLOCK_RATE);
  }

  externalCpuMs() {
    return 0;
  }

  encodeMs() {
    return this.media.stats().encodeMs;
  }

  async close() {
    this.media.close();
  }
}

class FfmpegPipeline implements Pipeline {
  private baseTimestamp: number | null = null;

  private constructor(
    private readonly ffmpeg: ChildProcessWithoutNullStreams,
    private readonly transport: types.PlainTransport,
    readonly producerId: string,
  ) {}

  static async open(router: types.Router, codec: VideoCodec, size: number) {
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false, // ffmpeg sends RTCP from another port; with mux, comedia locks onto it.
      comedia: true,
    });
    const ssrc = 0x1000 + Math.floor(Math.random() * 0xffff);
    const payloadType = 101;
    const routerCodec = ROUTER_MEDIA_CODECS[codec === 'vp8' ? 0 : 1];
    const producer = await transport.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [
          {
            mimeType: routerCodec.mimeType,
            payloadType,
            clockRate: VIDEO_CLOCK_RATE,
            parameters: routerCodec.parameters ?? {},
          },
        ],
        encodings: [{ ssrc }],
      },
    });
    const rtcpPort = transport.rtcpTuple!.localPort;
    const url = `rtp://127.0.0.1:${transport.tuple.localPort}?rtcpport=${rtcpPort}&pkt_size=1200`;
    const ffmpeg = spawn('ffmpeg', ffmpegArgs(codec, size, payloadType, ssrc, url), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    ffmpeg.stderr.on('data', (data) => process.stderr.write(`[ffmpeg] ${data}`));
    return { pipeline: new FfmpegPipeline(ffmpeg, transport, producer.id), router };
  }

  push(_tick: number, rgb: Uint8Array) {
    this.ffmpeg.stdin.write(rgb);
  }

  /** ffmpeg picks a random initial timestamp; frame 0 (a keyframe) is the first one seen. */
  tickOf(rtpTimestamp: number) {
    this.baseTimestamp ??= rtpTimestamp;
    const elapsed = (rtpTimestamp - this.baseTimestamp + 2 ** 32) % 2 ** 32;
    return Math.round((elapsed * FPS) / VIDEO_CLOCK_RATE);
  }

  externalCpuMs() {
    return cpuMsOf(this.ffmpeg.pid!);
  }

  encodeMs() {
    return null;
  }

  async close() {
    this.ffmpeg.stdin.end();
    this.ffmpeg.kill('SIGTERM');
    this.transport.close();
  }
}

/** Low-latency settings matched to what the in-process encoder uses. */
function ffmpegArgs(codec: VideoCodec, size: number, pt: number, ssrc: number, url: string) {
  const kbps = `${Math.round(defaultBitrate(size, size, FPS) / 1000)}k`;
  const rate = ['-b:v', kbps, '-minrate', kbps, '-maxrate', kbps, '-bufsize', kbps];
  const encoder =
    codec === 'vp8'
      ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '-6', '-lag-in-frames', '0']
      : [
          '-c:v',
          'libx264',
          '-preset',
          'superfast',
          '-tune',
          'zerolatency',
          '-profile:v',
          'baseline',
        ];
  return [
    ...['-hide_banner', '-loglevel', 'error', '-probesize', '32', '-fflags', 'nobuffer'],
    ...[
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-video_size',
      `${size}x${size}`,
      '-framerate',
      String(FPS),
    ],
    ...['-i', 'pipe:0', '-an', ...encoder, ...rate, '-g', String(FPS), '-pix_fmt', 'yuv420p'],
    // One thread by default: libvpx's worker threads spin-wait (0 = ffmpeg's automatic count).
    ...['-threads', values['ffmpeg-threads'], '-fps_mode', 'passthrough'],
    ...['-f', 'rtp', '-payload_type', String(pt), '-ssrc', String(ssrc), url],
  ];
}

interface Tap {
  transport: types.DirectTransport;
  consumer: types.Consumer;
}

async function openTap(router: types.Router, producerId: string): Promise<Tap> {
  const transport = await router.createDirectTransport();
  const consumer = await transport.consume({
    producerId,
    rtpCapabilities: router.rtpCapabilities,
  });
  return { transport, consumer };
}

function renderFrames(size: number, count: number): Uint8Array[] {
  const engine = new Engine({ seed: 7, width: size, height: size });
  return Array.from({ length: count }, (_, t) => {
    engine.step(t % 60 < 30 ? 1 : 16); // forward, then turning: steady motion
    return engine.render();
  });
}

const workerCpuMs = (worker: types.Worker) => workersCpuMs([worker]);

async function measure(
  name: string,
  codec: VideoCodec,
  size: number,
  pool: WorkerPool,
): Promise<EncodeRow> {
  const frames = renderFrames(size, SECONDS * FPS);
  const { pipeline, router } =
    name === 'in-process'
      ? await InProcessPipeline.open(pool, codec, size)
      : await FfmpegPipeline.open(await pool.createRouter(), codec, size);
  const [worker] = pool.workers;
  const tap = await openTap(router, pipeline.producerId);
  const sentAt: number[] = [];
  const latency: number[] = [];
  const keyframeTicks = new Set<number>();
  let bytes = 0;
  tap.consumer.on('rtp', (packet) => {
    bytes += packet.length;
    const { timestamp, marker, payload } = parseRtp(packet);
    const tick = pipeline.tickOf(timestamp);
    if (isKeyframeStart(codec, payload)) keyframeTicks.add(tick);
    // The marker packet completes a frame.
    if (marker && tick >= WARMUP_FRAMES && sentAt[tick] !== undefined)
      latency.push(performance.now() - sentAt[tick]);
  });

  const lateJoinMs: number[] = [];
  const lateJoin = async () => {
    const joinedAt = performance.now();
    const late = await openTap(router, pipeline.producerId);
    await new Promise<void>((resolve) => late.consumer.once('rtp', () => resolve()));
    lateJoinMs.push(performance.now() - joinedAt);
    late.transport.close();
  };

  const started = performance.now();
  let cpuStart = { node: 0, worker: 0, external: 0, wall: 0 };
  const joins: Promise<void>[] = [];
  let nextJoin = started + WARMUP_FRAMES * (1000 / FPS) + LATE_JOIN_EVERY_MS / 2;
  for (let tick = 0; tick < frames.length; tick++) {
    const due = started + (tick * 1000) / FPS;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    if (tick === WARMUP_FRAMES) {
      cpuStart = {
        node: selfCpuMs(),
        worker: await workerCpuMs(worker),
        external: pipeline.externalCpuMs(),
        wall: performance.now(),
      };
    }
    if (performance.now() >= nextJoin) {
      joins.push(lateJoin());
      nextJoin += LATE_JOIN_EVERY_MS;
    }
    sentAt[tick] = performance.now();
    await pipeline.push(tick, frames[tick]);
  }
  await new Promise((resolve) => setTimeout(resolve, 300)); // the last frames in flight
  const wallMs = performance.now() - cpuStart.wall;
  const cpuMs = {
    node: selfCpuMs() - cpuStart.node,
    worker: (await workerCpuMs(worker)) - cpuStart.worker,
    external: pipeline.externalCpuMs() - cpuStart.external,
  };
  await Promise.race([Promise.all(joins), new Promise((r) => setTimeout(r, 2000))]);
  const encodeMs = pipeline.encodeMs();
  await pipeline.close();
  router.close();

  const percentOfCore = (ms: number) => Math.round((1000 * ms) / wallMs) / 10;
  return {
    pipeline: name,
    codec,
    size: `${size}x${size}`,
    fps: FPS,
    frames: frames.length - WARMUP_FRAMES,
    framesReceived: latency.length,
    latencyMs: summarize(latency),
    encodeToProducerMs: encodeMs,
    cpuPercentOfOneCore: {
      total: percentOfCore(cpuMs.node + cpuMs.worker + cpuMs.external),
      node: percentOfCore(cpuMs.node),
      ffmpeg: percentOfCore(cpuMs.external),
      worker: percentOfCore(cpuMs.worker),
    },
    kbps: Math.round((bytes * 8) / (performance.now() - started)),
    keyframes: keyframeTicks.size,
    lateJoinFirstFrameMs: summarize(lateJoinMs),
  };
}

/** The ffmpeg build the comparison ran against (the first line of `ffmpeg -version`). */
function ffmpegVersion(): string {
  try {
    return execFileSync('ffmpeg', ['-version']).toString().split(' Copyright')[0];
  } catch {
    return 'ffmpeg not found';
  }
}

runMain(async () => {
  const pool = await WorkerPool.create({ size: 1 });
  const rows: EncodeRow[] = [];
  try {
    for (const size of values.sizes.split(',').map(Number)) {
      for (const codec of values.codecs.split(',') as VideoCodec[]) {
        for (const name of values.pipelines.split(',')) {
          rows.push(await measure(name, codec, size, pool));
          progress('encode', rows.at(-1));
        }
      }
    }
  } finally {
    await pool.close();
  }
  emitResult<DataOf<EncodeResult>>('encode', values.out, {
    ffmpeg: ffmpegVersion(),
    ffmpegThreads: Number(values['ffmpeg-threads']),
    rows,
  });
});
