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
 *
 * Events: 'reset' (the worker died; the router, producer and every member transport
 * were rebuilt or dropped: members must create their transports again), 'closed'.
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
import type { WorkerPool } from './worker-pool';

export type { VideoCodec } from './codecs';

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

export interface TransportParams {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

export interface ConsumerParams {
  id: string;
  producerId: string;
  kind: types.MediaKind;
  rtpParameters: types.RtpParameters;
}

export interface SessionMediaStats {
  consumers: number;
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

export class MediaError extends Error {
  override readonly name = 'MediaError';
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

interface MemberMedia {
  transport: types.WebRtcTransport;
  consumer?: types.Consumer;
}

export class SessionMedia extends EventEmitter {
  readonly codec: VideoCodec;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  private readonly listenInfo: Omit<types.TransportListenInfo, 'protocol'>;
  private encoder: FrameEncoder;
  private readonly keyframes: KeyframeGate;
  private readonly playoutDelay: PlayoutDelay | undefined;
  private readonly members = new Map<string, MemberMedia>();
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
    this.removeMember(memberId);
    const transport = await router.createWebRtcTransport({
      listenInfos: [
        { protocol: 'udp', ...this.listenInfo },
        { protocol: 'tcp', ...this.listenInfo },
      ],
      preferUdp: true,
      appData: { memberId },
    });
    if (this.closed || this.route?.router !== router) {
      transport.close();
      throw new MediaError('session media was reset or closed while creating the transport');
    }
    // A failed or closed DTLS session never recovers: free the transport at once.
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.removeTransport(memberId, transport);
    });
    transport.observer.on('close', () => this.removeTransport(memberId, transport));
    this.members.set(memberId, { transport });
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(memberId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.memberMedia(memberId).transport.connect({ dtlsParameters });
  }

  /** A consumer of the session's producer on the member's transport (replacing any it had). */
  async consume(memberId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerParams> {
    const member = this.memberMedia(memberId);
    const { router, producer } = this.currentRoute();
    if (!router.canConsume({ producerId: producer.id, rtpCapabilities })) {
      throw new MediaError(
        `member "${memberId}" cannot receive ${this.codec.toUpperCase()}: ` +
          `its rtpCapabilities must include ${producer.rtpParameters.codecs[0].mimeType}`,
      );
    }
    member.consumer?.close();
    const consumer = await member.transport.consume({ producerId: producer.id, rtpCapabilities });
    member.consumer = consumer;
    return {
      id: consumer.id,
      producerId: producer.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
    };
  }

  /** Closes the member's transport and with it its consumer. */
  removeMember(memberId: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    this.members.delete(memberId);
    member.transport.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const memberId of [...this.members.keys()]) this.removeMember(memberId);
    this.route?.router.close();
    this.route = null;
    this.encoder.close();
    this.emit('closed');
  }

  stats(): SessionMediaStats {
    let consumers = 0;
    for (const member of this.members.values()) {
      if (member.consumer && !member.consumer.closed) consumers++;
    }
    return {
      consumers,
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
    this.members.clear();
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

  private memberMedia(memberId: string): MemberMedia {
    const member = this.members.get(memberId);
    if (!member) {
      throw new MediaError(`member "${memberId}" has no transport; call createTransport first`);
    }
    return member;
  }

  private removeTransport(memberId: string, transport: types.WebRtcTransport): void {
    if (this.members.get(memberId)?.transport === transport) this.members.delete(memberId);
    if (!transport.closed) transport.close();
  }
}
