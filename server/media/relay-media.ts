/**
 * An edge's copy of a session served by another process: a router of this process's
 * pool whose one producer is fed through a pipe from the session's origin (see pipe.ts),
 * and viewers consuming it exactly as they would the origin's own stream. Nothing is
 * encoded here. One-shot: when its worker dies it closes, and its owner (EdgeRelay)
 * opens a new one; the same happens when the origin changes.
 *
 * Events: 'closed'.
 */
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { MediaError } from './media-error';
import { connectPipe, createPipeEnd, endOf, PipeEnd, PipeOffer } from './pipe';
import { ConsumerParams, TransportParams, ViewerTransports } from './viewer-transports';
import type { WorkerPool } from './worker-pool';

export interface RelayMediaOptions {
  /** Address the pipe and the viewers' transports listen on. */
  listenIp: string;
  /** Address put in ICE candidates and told to the origin, when reached through another one. */
  announcedAddress?: string;
}

export class RelayMedia extends EventEmitter {
  private readonly viewers: ViewerTransports;
  private producer: types.Producer | null = null;
  private closed = false;

  /** A router and the edge's end of the pipe; `receive` connects it to the origin's. */
  static async open(pool: WorkerPool, options: RelayMediaOptions): Promise<RelayMedia> {
    const router = await pool.createRouter();
    const listenInfo = {
      ip: options.listenIp,
      announcedAddress: options.announcedAddress,
      portRange: pool.portRange,
    };
    try {
      const pipe = await createPipeEnd(router, listenInfo);
      return new RelayMedia(router, pipe, new ViewerTransports(listenInfo));
    } catch (error) {
      router.close();
      throw error;
    }
  }

  private constructor(
    private readonly mediaRouter: types.Router,
    private readonly pipe: types.PipeTransport,
    viewers: ViewerTransports,
  ) {
    super();
    this.viewers = viewers;
    mediaRouter.observer.on('close', () => this.close());
  }

  /** Where the origin sends the stream. */
  get end(): PipeEnd {
    return endOf(this.pipe);
  }

  get rtpCapabilities(): types.RtpCapabilities {
    this.assertOpen();
    return this.mediaRouter.rtpCapabilities;
  }

  /** The router (for taps and router.dump()). */
  get router(): types.Router {
    this.assertOpen();
    return this.mediaRouter;
  }

  /** The piped producer every viewer here consumes (null until `receive`). */
  get producerId(): string | null {
    return this.producer?.id ?? null;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Connects to the origin's end and recreates its producer here. */
  async receive(offer: PipeOffer): Promise<void> {
    this.assertOpen();
    await connectPipe(this.pipe, offer);
    this.producer = await this.pipe.produce({
      id: offer.producer.id,
      kind: offer.producer.kind,
      rtpParameters: offer.producer.rtpParameters,
    });
  }

  async createTransport(viewerId: string): Promise<TransportParams> {
    this.assertOpen();
    return this.viewers.create(viewerId, this.mediaRouter, () => !this.closed);
  }

  async connectTransport(viewerId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.viewers.connect(viewerId, dtlsParameters);
  }

  async consume(viewerId: string, rtpCapabilities: types.RtpCapabilities): Promise<ConsumerParams> {
    this.assertOpen();
    if (!this.producer) throw new MediaError('the relay is still connecting to the session');
    return this.viewers.consume(viewerId, this.mediaRouter, this.producer, rtpCapabilities);
  }

  removeMember(viewerId: string): void {
    this.viewers.remove(viewerId);
  }

  stats(): { consumers: number } {
    return { consumers: this.closed ? 0 : this.viewers.consumers() };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.viewers.removeAll();
    this.mediaRouter.close();
    this.emit('closed');
  }

  private assertOpen(): void {
    if (this.closed) throw new MediaError('the relay is closed');
  }
}
