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

export interface SessionVideo {
  readonly rtpCapabilities: unknown;
  rtpTimestampOfTick(tick: number): number;
  pushFrame(tick: number, rgb: Uint8Array): Promise<void>;
  requestKeyframe(): void;
  createTransport(memberId: string): Promise<TransportParams>;
  connectTransport(memberId: string, dtlsParameters: unknown): Promise<void>;
  consume(memberId: string, rtpCapabilities: unknown): Promise<ConsumerParams>;
  removeMember(memberId: string): void;
  stats(): { consumers: number; bytesSent: number };
  close(): void;
  on(event: 'reset' | 'closed', listener: () => void): this;
}
