/** Receives the session's one video stream through mediasoup (a recv transport + consumer). */
import { Device } from 'mediasoup-client';
import type { Socket } from 'socket.io-client';
import { request } from './request';

type Transport = ReturnType<Device['createRecvTransport']>;

export class VideoReceiver {
  private transport: Transport | null = null;

  constructor(private readonly socket: Socket) {}

  async start(routerRtpCapabilities: unknown, video: HTMLVideoElement): Promise<void> {
    this.stop();
    const device = createDevice();
    await device.load({ routerRtpCapabilities: routerRtpCapabilities as never });
    const { transport: params } = await request<{ transport: never }>(
      this.socket,
      'media:createTransport',
    );
    const transport = device.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, done, fail) => {
      request(this.socket, 'media:connectTransport', { dtlsParameters }).then(() => done(), fail);
    });
    this.transport = transport;
    const { consumer: consumerParams } = await request<{ consumer: never }>(
      this.socket,
      'media:consume',
      {
        rtpCapabilities: device.rtpCapabilities,
      },
    );
    const consumer = await transport.consume(consumerParams);
    video.srcObject = new MediaStream([consumer.track]);
  }

  stop(): void {
    this.transport?.close();
    this.transport = null;
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
