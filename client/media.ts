/** Receives the session's one video stream through mediasoup (a recv transport + consumer). */
import { Device } from 'mediasoup-client';
import { request, ServerSocket } from './connection';

type Transport = ReturnType<Device['createRecvTransport']>;
type Consumer = Awaited<ReturnType<Transport['consume']>>;

export class VideoReceiver {
  private transport: Transport | null = null;
  private consumer: Consumer | null = null;

  constructor(private readonly socket: ServerSocket) {}

  async start(routerRtpCapabilities: unknown, video: HTMLVideoElement): Promise<void> {
    this.stop();
    const device = createDevice();
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as never });
    const { transport: params } = await request(this.socket, 'media:createTransport');
    const transport = device.createRecvTransport(params as never);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      request(this.socket, 'media:connectTransport', { dtlsParameters }).then(() => done(), fail);
    });
    this.transport = transport;
    const { consumer: consumerParams } = await request(this.socket, 'media:consume', {
      rtpCapabilities: device.rtpCapabilities,
    });
    this.consumer = await transport.consume(consumerParams as never);
    video.srcObject = new MediaStream([this.consumer.track]);
  }

  /** The receiver's WebRTC statistics (inbound-rtp: bytes, packets, losses, frames). */
  async stats(): Promise<RTCStatsReport | null> {
    return this.consumer ? this.consumer.getStats() : null;
  }

  stop(): void {
    this.transport?.close();
    this.transport = null;
    this.consumer = null;
  }
}

/** Headless Chromium is not recognised by mediasoup-client's detection; it is Chrome. */
function createDevice(): Device {
  try {
    return new Device();
  } catch {
    return new Device({ handlerName: 'Chrome111' });
  }
}
