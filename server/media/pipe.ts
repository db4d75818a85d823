/**
 * One end of a pipe between two processes' routers (mediasoup PipeTransport over UDP,
 * SRTP-protected since it may cross hosts): how an edge receives a session's one
 * encoded stream from the session's origin process. Both ends are created, swap their
 * `PipeEnd`s (over the fleet bus), and connect to each other.
 */
import type { types } from 'mediasoup';

/** Where one end listens, and its SRTP key: what the other end connects with. */
export interface PipeEnd {
  ip: string;
  port: number;
  srtpParameters: types.SrtpParameters;
}

/** The origin's end, with the producer an edge recreates on its side. */
export interface PipeOffer extends PipeEnd {
  producer: { id: string; kind: types.MediaKind; rtpParameters: types.RtpParameters };
}

export async function createPipeEnd(
  router: types.Router,
  listenInfo: Omit<types.TransportListenInfo, 'protocol'>,
): Promise<types.PipeTransport> {
  return router.createPipeTransport({
    listenInfo: { protocol: 'udp', ...listenInfo },
    enableSrtp: true,
  });
}

/** What the other process needs to reach this end. */
export function endOf(transport: types.PipeTransport): PipeEnd {
  const { localAddress, localPort } = transport.tuple;
  if (!transport.srtpParameters) throw new Error('pipe transport created without SRTP');
  return { ip: localAddress, port: localPort, srtpParameters: transport.srtpParameters };
}

export async function connectPipe(transport: types.PipeTransport, to: PipeEnd): Promise<void> {
  await transport.connect({ ip: to.ip, port: to.port, srtpParameters: to.srtpParameters });
}
