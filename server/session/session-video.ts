/**
 * What a session needs from its video stream (implemented by media/SessionMedia).
 * Kept as an interface so the session layer never imports mediasoup.
 */
export interface TransportParams {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown;
  dtlsParameters: unknown;
}

export interface ConsumerParams {
  id: string;
  producerId: string;
  kind: string;
  rtpParameters: unknown;
}

/** An edge process's end of a pipe, and the origin's answer (media/pipe.ts has them typed). */
export interface PipeEnd {
  ip: string;
  port: number;
  srtpParameters: unknown;
}

export interface PipeOffer extends PipeEnd {
  producer: { id: string; kind: string; rtpParameters: unknown };
}

/** The receiving side of a stream: what a viewer's media requests reach (here or on an edge). */
export interface StreamViewers {
  readonly rtpCapabilities: unknown;
  createTransport(memberId: string): Promise<TransportParams>;
  connectTransport(memberId: string, dtlsParameters: unknown): Promise<void>;
  consume(memberId: string, rtpCapabilities: unknown): Promise<ConsumerParams>;
  removeMember(memberId: string): void;
}

export interface SessionVideo extends StreamViewers {
  rtpTimestampOfTick(tick: number): number;
  pushFrame(tick: number, rgb: Uint8Array): Promise<void>;
  requestKeyframe(): void;
  /** Pipes the stream to another process's router (an edge), replacing any pipe to it. */
  openPipe(edgeId: string, edge: PipeEnd): Promise<PipeOffer>;
  closePipe(edgeId: string): void;
  stats(): { consumers: number; pipes: number; bytesSent: number };
  close(): void;
  on(event: 'reset' | 'closed', listener: () => void): this;
}
