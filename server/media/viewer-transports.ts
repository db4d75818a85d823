/**
 * The receive side of one stream: each viewer's WebRtcTransport and its one consumer
 * of the stream's producer. Shared by a session's own stream (SessionMedia) and an
 * edge's piped copy of it (RelayMedia), which differ only in where the producer's
 * packets come from.
 */
import type { types } from 'mediasoup';
import { MediaError } from './media-error';

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

interface Viewer {
  transport: types.WebRtcTransport;
  consumer?: types.Consumer;
}

export class ViewerTransports {
  private readonly viewers = new Map<string, Viewer>();

  constructor(private readonly listenInfo: Omit<types.TransportListenInfo, 'protocol'>) {}

  /**
   * A receive transport on `router` for the viewer, replacing any it had. `stillCurrent`
   * says, after the await, whether that router still carries the stream (a worker may
   * have died meanwhile).
   */
  async create(
    viewerId: string,
    router: types.Router,
    stillCurrent: () => boolean,
  ): Promise<TransportParams> {
    this.remove(viewerId);
    const transport = await router.createWebRtcTransport({
      listenInfos: [
        { protocol: 'udp', ...this.listenInfo },
        { protocol: 'tcp', ...this.listenInfo },
      ],
      preferUdp: true,
      appData: { viewerId },
    });
    if (!stillCurrent()) {
      transport.close();
      throw new MediaError('the stream was reset or closed while creating the transport');
    }
    // A failed or closed DTLS session never recovers: free the transport at once.
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.drop(viewerId, transport);
    });
    transport.observer.on('close', () => this.drop(viewerId, transport));
    this.viewers.set(viewerId, { transport });
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connect(viewerId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    await this.viewer(viewerId).transport.connect({ dtlsParameters });
  }

  /** A consumer of `producer` on the viewer's transport (replacing any it had). */
  async consume(
    viewerId: string,
    router: types.Router,
    producer: types.Producer,
    rtpCapabilities: types.RtpCapabilities,
  ): Promise<ConsumerParams> {
    const viewer = this.viewer(viewerId);
    if (!router.canConsume({ producerId: producer.id, rtpCapabilities })) {
      const mimeType = producer.rtpParameters.codecs[0].mimeType;
      const codec = mimeType.split('/')[1].toUpperCase();
      throw new MediaError(
        `viewer "${viewerId}" cannot receive ${codec}: its rtpCapabilities must include ${mimeType}`,
      );
    }
    viewer.consumer?.close();
    const consumer = await viewer.transport.consume({ producerId: producer.id, rtpCapabilities });
    viewer.consumer = consumer;
    return {
      id: consumer.id,
      producerId: producer.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
    };
  }

  /** Closes the viewer's transport and with it its consumer. */
  remove(viewerId: string): void {
    const viewer = this.viewers.get(viewerId);
    if (!viewer) return;
    this.viewers.delete(viewerId);
    viewer.transport.close();
  }

  removeAll(): void {
    for (const viewerId of [...this.viewers.keys()]) this.remove(viewerId);
  }

  /** The worker died: its transports are gone already; viewers must create new ones. */
  forget(): void {
    this.viewers.clear();
  }

  /** Viewers with a live consumer. */
  consumers(): number {
    let count = 0;
    for (const viewer of this.viewers.values()) {
      if (viewer.consumer && !viewer.consumer.closed) count++;
    }
    return count;
  }

  private viewer(viewerId: string): Viewer {
    const viewer = this.viewers.get(viewerId);
    if (!viewer)
      throw new MediaError(`viewer "${viewerId}" has no transport; call createTransport first`);
    return viewer;
  }

  private drop(viewerId: string, transport: types.WebRtcTransport): void {
    if (this.viewers.get(viewerId)?.transport === transport) this.viewers.delete(viewerId);
    if (!transport.closed) transport.close();
  }
}
