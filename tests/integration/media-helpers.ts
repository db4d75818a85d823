/**
 * Shared by the media integration tests: the real worker binary, engine frames pushed
 * at the tick rate, and an RTP tap (a DirectTransport consumer on the session's router)
 * that records what a viewer would receive.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { types } from 'mediasoup';
import { Engine } from '../../model/engine/engine';
import type { SessionMedia } from '../../server/media/session-media';
import { isKeyframeStart, oneByteExtensions, parseRtp, type RtpPacketView } from '../helpers/rtp';

const REPO_ROOT = path.resolve(__dirname, '../..');

/** The test command exports it; a bare `npx jest` finds (or builds) it the same way. */
export function ensureWorkerBin(): string {
  if (!process.env.MEDIASOUP_WORKER_BIN) {
    const output = execFileSync(
      'bash',
      [path.join(REPO_ROOT, 'infra/mediasoup/ensure-worker.sh')],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    process.env.MEDIASOUP_WORKER_BIN = output.trim().split('\n').pop();
  }
  return process.env.MEDIASOUP_WORKER_BIN as string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Pushes engine frames into a session at `fps`, one tick after another, and keeps them by tick. */
export class FramePump {
  private engine: Engine;
  private timer: NodeJS.Timeout | null = null;
  private readonly frames: Uint8Array[] = [];
  nextTick = 0;
  errors: unknown[] = [];

  constructor(
    private readonly media: SessionMedia,
    seed = 1,
  ) {
    this.engine = new Engine({ seed, width: media.width, height: media.height });
  }

  /** Pushes `count` frames as fast as the encoder takes them (ticks keep counting). */
  async push(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await this.pushOne();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.pushOne(), 1000 / this.media.fps);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The RGB frame pushed at `tick`. */
  frameAt(tick: number): Uint8Array {
    const frame = this.frames[tick];
    if (!frame)
      throw new Error(`no frame was pushed at tick ${tick} (next tick: ${this.nextTick})`);
    return frame;
  }

  private async pushOne(): Promise<void> {
    const tick = this.nextTick++;
    this.engine.step(tick % 40 < 20 ? 1 : 16);
    this.frames[tick] = this.engine.render();
    try {
      await this.media.pushFrame(tick, this.frames[tick]);
    } catch (error) {
      this.errors.push(error);
    }
  }
}

export interface TappedPacket extends RtpPacketView {
  receivedAt: number;
  /** Header extension elements by the id this consumer negotiated. */
  extensions: Map<number, Buffer>;
}

/** What one viewer receives: every RTP packet of the session's producer, as mediasoup forwards it. */
export class RtpTap {
  readonly packets: TappedPacket[] = [];

  private constructor(
    readonly transport: types.DirectTransport,
    readonly consumer: types.Consumer,
  ) {
    consumer.on('rtp', (packet) =>
      this.packets.push({
        receivedAt: performance.now(),
        extensions: oneByteExtensions(packet),
        ...parseRtp(packet),
      }),
    );
  }

  /** Taps the producer `producerId` of `media.router` (a session's stream, or an edge's copy). */
  static async open(media: { router: types.Router; producerId: string | null }): Promise<RtpTap> {
    if (!media.producerId) throw new Error('the stream has no producer yet');
    const transport = await media.router.createDirectTransport();
    const consumer = await transport.consume({
      producerId: media.producerId,
      rtpCapabilities: media.router.rtpCapabilities,
    });
    return new RtpTap(transport, consumer);
  }

  /** RTP timestamps of the frames received completely (their marker packet arrived). */
  get frameTimestamps(): number[] {
    return this.packets.filter((p) => p.marker).map((p) => p.timestamp);
  }

  /** Timestamps of frames whose first packet is a keyframe start. */
  keyframeTimestamps(codec: 'vp8' | 'h264'): number[] {
    const seen = new Set<number>();
    for (const packet of this.packets) {
      if (isKeyframeStart(codec, packet.payload)) seen.add(packet.timestamp);
    }
    return [...seen];
  }

  async waitFor(test: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(10);
    }
  }

  /** A viewer reporting a lost picture: RTCP PLI (RFC 4585) for the consumer's stream. */
  sendPli(): void {
    const pli = Buffer.alloc(12);
    pli[0] = 0x80 | 1; // V=2, FMT=1 (PLI)
    pli[1] = 206; // PT=PSFB
    pli.writeUInt16BE(2, 2); // length in 32-bit words minus one
    pli.writeUInt32BE(0x12345678, 4); // sender SSRC
    pli.writeUInt32BE(this.consumer.rtpParameters.encodings![0].ssrc!, 8);
    this.transport.sendRtcp(pli);
  }

  close(): void {
    this.transport.close();
  }
}
