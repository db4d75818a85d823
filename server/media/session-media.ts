/**
 * One session's video: its frames are encoded once, in this process, packetized into
 * RTP whose timestamps come from the tick, and sent into a single mediasoup producer
 * on a DirectTransport; every member consumes that producer over its own
 * WebRtcTransport (encode once, fan out). Knows frames and consumers, not votes or
 * actions.
 *
 * Keyframes: the encoder makes one when asked (KeyframeGate), and it is asked whenever
 * mediasoup sends our producer a PLI or FIR, which mediasoup does for a consumer whose
 * transport has just connected (a late joiner) and for viewers that lost the picture.
 * Edge processes get the same stream through pipes (`openPipe`; their keyframe requests
 * come back through the pipe).
 *
 * Events: 'reset' (the worker died; the router, producer, every member transport and
 * every pipe were rebuilt or dropped: members must create their transports again, edges
 * their pipes), 'closed'.
 */
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import {
  assertVideoCodec,
  createPacketizer,
  playoutDelay,
  producerRtpParameters,
  type VideoCodec,
} from './codecs';
import { FrameEncoder } from './frame-encoder';
import { KeyframeGate } from './keyframe-gate';
import { LatencyWindow } from './latency-window';
import type { PlayoutDelay, RtpPacketizer } from './rtp-packetizer';
import { rtpTimestampOfTick } from '../protocol/rtp-timestamp';
import { connectPipe, createPipeEnd, endOf, PipeEnd, PipeOffer } from './pipe';
import { ConsumerParams, TransportParams, ViewerTransports } from './viewer-transports';
import type { WorkerPool } from './worker-pool';
import { MediaError } from './media-error';

export type { VideoCodec } from './codecs';
export type { ConsumerParams, TransportParams } from './viewer-transports';
export { MediaError } from './media-error';

export interface SessionMediaOptions {
  codec: VideoCodec;
  width: number;
  height: number;
  fps: number;
  /** Address the WebRTC transports listen on (default 127.0.0.1). */
  listenIp?: string;
  /** Address put in ICE candidates when clients reach us through another one (NAT, proxy). */
  announcedAddress?: string;
  /** Encoder target bits per second (default: by frame size, see defaultBitrate). */
  bitrate?: number;
  /** Least time between a keyframe and a forced one (default 250 ms). */
  keyframeIntervalMs?: number;
  /** A frame not encoded within this time marks the encoder stalled; it is replaced (default 1000 ms). */
  encoderTimeoutMs?: number;
  /**
   * Most time a browser may hold a frame before showing it (default 0: as soon as it is
   * decoded); null leaves the browser's own jitter-buffer smoothing.
   */
  playoutDelayMaxMs?: number | null;
}

export interface SessionMediaStats {
  consumers: number;
  /** Edge processes this stream is piped to. */
  pipes: number;
  framesEncoded: number;
  /** Frames not encoded: the previous one was still encoding, or the route was being rebuilt. */
  framesDropped: number;
  keyframes: number;
  rtpPacketsSent: number;
  bytesSent: number;
  /** Frame in to its last RTP packet handed to mediasoup. */
  lastEncodeMs: number;
  encodeMs: { p50: number; p99: number };
  /** Worker deaths survived. */
  resets: number;
  /** Encoders replaced after an error or a stall (the failing frame's pushFrame rejected). */
  encoderRestarts: number;
}

const DEFAULT_KEYFRAME_INTERVAL_MS = 250;
/** Cloud play: show each frame as soon as it is decoded. */
const DEFAULT_PLAYOUT_DELAY_MS = 0;

/** Everything that lives on one worker and dies with it. */
interface Route {
  router: types.Router;
  transport: types.DirectTransport;
  producer: types.Producer;
  packetizer: RtpPacketizer;
}

export class SessionMedia extends EventEmitter {
  readonly codec: VideoCodec;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  private readonly listenInfo: Omit<types.TransportListenInfo, 'protocol'>;
  private readonly members: ViewerTransports;
  /** Pipes to edge processes' routers, by edge process id (they close with the router). */
  private readonly pipes = new Map<string, types.PipeTransport>();
  private encoder: FrameEncoder;
  private readonly keyframes: KeyframeGate;
  private readonly playoutDelay: PlayoutDelay | undefined;
  private readonly encodeTimes = new LatencyWindow();
  private route: Route | null = null;
  private encoding = false;
  private closed = false;
  private readonly counters = {
    framesEncoded: 0,
    framesDropped: 0,
    keyframes: 0,
    rtpPacketsSent: 0,
    bytesSent: 0,
    lastEncodeMs: 0,
    resets: 0,
    encoderRestarts: 0,
  };

  static async create(pool: WorkerPool, options: SessionMediaOptions): Promise<SessionMedia> {
    const media = new SessionMedia(pool, options);
    try {
      media.route = await media.openRoute();
    } catch (error) {
      media.close();
      throw error;
    }
    return media;
  }

  private constructor(
    private readonly pool: WorkerPool,
    private readonly options: SessionMediaOptions,
  ) {
    super();
    assertVideoCodec(options.codec);
    if (!(Number.isFinite(options.fps) && options.fps > 0)) {
      throw new MediaError(`fps must be a positive number, got ${options.fps}`);
    }
    this.codec = options.codec;
    this.width = options.width;
    this.height = options.height;
    this.fps = options.fps;
    this.listenInfo = {
      ip: options.listenIp ?? '127.0.0.1',
      announcedAddress: options.announcedAddress,
      portRange: pool.portRange,
    };
    this.members = new ViewerTransports(this.listenInfo);
    this.encoder = this.createEncoder();
    this.keyframes = new KeyframeGate(options.keyframeIntervalMs ?? DEFAULT_KEYFRAME_INTERVAL_MS);
    this.playoutDelay = playoutDelay(
      options.playoutDelayMaxMs === undefined
        ? DEFAULT_PLAYOUT_DELAY_MS
        : options.playoutDelayMaxMs,
    );
  }

  /** The router's RTP capabilities (what a client's mediasoup-client Device loads). */
  get rtpCapabilities(): types.RtpCapabilities {
    return this.currentRoute().router.rtpCapabilities;
  }

  /** The router (for piping to other routers, recording taps, router.dump()). */
  get router(): types.Router {
    return this.currentRoute().router;
  }

  /** The one producer every member consumes. */
  get producerId(): string {
    return this.currentRoute().producer.id;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  rtpTimestampOfTick(tick: number): number {
    return rtpTimestampOfTick(tick, this.fps);
  }

  /**
   * Encodes the tick's frame once and sends it to every consumer. Never queues: if the
   * previous frame is still encoding (or the worker is being replaced) this frame is
   * dropped and counted, so latency cannot build up behind a slow encode.
   */
  async pushFrame(tick: number, rgb: Uint8Array): Promise<void> {
    if (this.closed) throw new MediaError('session media is closed');
    if (!Number.isInteger(tick) || tick < 0) {
      throw new MediaError(`tick must be a non-negative integer, got ${tick}`);
    }
    const route = this.route;
    if (this.encoding || !route) {
      this.counters.framesDropped++;
      return;
    }
    this.encoding = true;
    try {
      if (this.encoder.failed) this.replaceEncoder();
      const began = performance.now();
      const encoded = await this.encoder.encode(
        rgb,
        Math.round((tick * 1e6) / this.fps),
        this.keyframes.shouldForce(),
      );
      // The route may have died while encoding; a replacement starts with a keyframe.
      if (this.route !== route || route.producer.closed) {
        this.counters.framesDropped++;
        return;
      }
      const packets = route.packetizer.packetize(encoded.data, this.rtpTimestampOfTick(tick));
      for (const packet of packets) route.producer.send(packet);
      this.count(packets, encoded.keyFrame, performance.now() - began);
    } finally {
      this.encoding = false;
    }
  }

  /** The next frame (or the first one the throttle allows) is a keyframe. */
  requestKeyframe(): void {
    this.keyframes.request();
  }

  /** A receive transport for the member, replacing any it had. */
  async createTransport(memberId: string): Promise<TransportParams> {
    const { router } = this.currentRoute();
    return this.members.create(
      memberId,
      router,
      () => !this.closed && this.route?.router === router,
    );
  }

  async connectTransport(memberId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.members.connect(memberId, dtlsParameters);
  }

  /** A consumer of the session's producer on the member's transport (replacing any it had). */
  async consume(memberId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerParams> {
    const { router, producer } = this.currentRoute();
    return this.members.consume(memberId, router, producer, rtpCapabilities);
  }

  /** Closes the member's transport and with it its consumer. */
  removeMember(memberId: string): void {
    this.members.remove(memberId);
  }

  /**
   * Sends the stream to an edge process's router through a pipe to its end `edge`
   * (replacing any pipe to that edge): what the edge needs to receive it comes back.
   */
  async openPipe(edgeId: string, edge: PipeEnd): Promise<PipeOffer> {
    const { router, producer } = this.currentRoute();
    this.closePipe(edgeId);
    const transport = await createPipeEnd(router, this.listenInfo);
    try {
      await connectPipe(transport, edge);
      const consumer = await transport.consume({ producerId: producer.id });
      if (this.closed || this.route?.router !== router)
        throw new MediaError('session media was reset or closed while opening the pipe');
      transport.observer.on('close', () => {
        if (this.pipes.get(edgeId) === transport) this.pipes.delete(edgeId);
      });
      this.pipes.set(edgeId, transport);
      return {
        ...endOf(transport),
        producer: { id: producer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters },
      };
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  closePipe(edgeId: string): void {
    this.pipes.get(edgeId)?.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.members.removeAll();
    this.route?.router.close();
    this.route = null;
    this.encoder.close();
    this.emit('closed');
  }

  stats(): SessionMediaStats {
    return {
      consumers: this.members.consumers(),
      pipes: this.pipes.size,
      ...this.counters,
      encodeMs: { p50: this.encodeTimes.percentile(50), p99: this.encodeTimes.percentile(99) },
    };
  }

  private count(packets: Buffer[], keyFrame: boolean, ms: number): void {
    const counters = this.counters;
    counters.framesEncoded++;
    counters.rtpPacketsSent += packets.length;
    for (const packet of packets) counters.bytesSent += packet.length;
    counters.lastEncodeMs = ms;
    this.encodeTimes.add(ms);
    if (keyFrame) {
      counters.keyframes++;
      this.keyframes.sent();
    }
  }

  /** A failed or stalled encoder is not retried; a fresh one starts with a keyframe. */
  private replaceEncoder(): void {
    this.encoder.close();
    this.encoder = this.createEncoder();
    this.keyframes.restart();
    this.counters.encoderRestarts++;
  }

  private createEncoder(): FrameEncoder {
    return new FrameEncoder({ ...this.options, timeoutMs: this.options.encoderTimeoutMs });
  }

  private async openRoute(): Promise<Route> {
    const router = await this.pool.createRouter();
    try {
      const transport = await router.createDirectTransport();
      const ssrc = randomInt(1, 0xffffffff);
      const producer = await transport.produce({
        kind: 'video',
        rtpParameters: producerRtpParameters(this.codec, ssrc, this.playoutDelay),
      });
      // mediasoup relays viewers' keyframe requests (and makes its own for new consumers) as PLI/FIR.
      await producer.enableTraceEvent(['pli', 'fir']);
      producer.on('trace', (trace) => {
        if (trace.direction === 'out') this.requestKeyframe();
      });
      router.on('workerclose', () => void this.reset(router));
      this.keyframes.restart();
      const packetizer = createPacketizer(this.codec, ssrc, this.playoutDelay);
      return { router, transport, producer, packetizer };
    } catch (error) {
      router.close();
      throw error;
    }
  }

  /** The worker under `router` died: its transports are gone; rebuild on a live worker. */
  private async reset(router: types.Router): Promise<void> {
    if (this.closed || this.route?.router !== router) return;
    this.route = null;
    this.members.forget();
    this.pipes.clear();
    try {
      const route = await this.openRoute();
      if (this.closed) {
        route.router.close();
        return;
      }
      this.route = route;
    } catch {
      // Only a closing pool refuses a router: this session is shutting down too.
      this.close();
      return;
    }
    this.counters.resets++;
    this.emit('reset');
  }

  private currentRoute(): Route {
    if (this.closed) throw new MediaError('session media is closed');
    if (!this.route)
      throw new MediaError(
        'session media is being reset after its worker died; retry after "reset"',
      );
    return this.route;
  }
}
