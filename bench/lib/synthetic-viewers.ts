/**
 * Synthetic viewers of one session, for fan-out beyond what browsers on this machine
 * allow: each is a mediasoup PlainTransport with SRTP (the SFU encrypts and sends every
 * packet per viewer, as it does for a WebRtcTransport; only ICE and DTLS are skipped)
 * plus a consumer of the session's producer, sending to a UDP socket in a child process.
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { types } from 'mediasoup';

const CRYPTO_SUITE = 'AES_CM_128_HMAC_SHA1_80';
/** AES-CM-128 master key (16 bytes) + salt (14 bytes). */
const SRTP_KEY_BYTES = 30;

export interface ReceiverWindow {
  wallMs: number;
  /** The receiving process's CPU over the window, % of one core. */
  cpuPercent: number;
  /** Per viewer, as received. */
  streams: { packets: number; bytes: number; frames: number }[];
}

type Reply =
  | 'window'
  | { ports: number[] }
  | { report: Omit<ReceiverWindow, 'cpuPercent'> & { cpuMs: number } };

export class SyntheticViewers {
  readonly transports: types.PlainTransport[] = [];

  private constructor(
    private readonly sink: ChildProcess,
    private readonly router: types.Router,
    private readonly producerId: string,
  ) {}

  static start(router: types.Router, producerId: string): SyntheticViewers {
    const sink = fork(path.join(__dirname, 'rtp-sink-child.ts'), [], {
      execArgv: ['--import', 'tsx'],
    });
    return new SyntheticViewers(sink, router, producerId);
  }

  get count(): number {
    return this.transports.length;
  }

  /** Adds viewers until there are `total`. */
  async grow(total: number): Promise<void> {
    const added = total - this.transports.length;
    if (added <= 0) return;
    const { ports } = (await this.ask({ open: added })) as { ports: number[] };
    for (const port of ports) {
      const transport = await this.router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
        rtcpMux: true,
        comedia: false,
        enableSrtp: true,
        srtpCryptoSuite: CRYPTO_SUITE,
      });
      await transport.connect({
        ip: '127.0.0.1',
        port,
        srtpParameters: {
          cryptoSuite: CRYPTO_SUITE,
          keyBase64: randomBytes(SRTP_KEY_BYTES).toString('base64'),
        },
      });
      await transport.consume({
        producerId: this.producerId,
        rtpCapabilities: this.router.rtpCapabilities,
      });
      this.transports.push(transport);
    }
  }

  /** What every viewer received while `during` ran. */
  async measure(during: () => Promise<void>): Promise<ReceiverWindow> {
    await this.ask('window');
    await during();
    const { report } = (await this.ask('report')) as Extract<Reply, { report: unknown }>;
    return {
      wallMs: report.wallMs,
      cpuPercent: Math.round((report.cpuMs / report.wallMs) * 1000) / 10,
      streams: report.streams,
    };
  }

  close(): void {
    for (const transport of this.transports) transport.close();
    this.transports.length = 0;
    this.sink.kill();
  }

  private ask(message: unknown): Promise<Reply> {
    return new Promise((resolve) => {
      this.sink.once('message', (reply) => resolve(reply as Reply));
      this.sink.send(message as never);
    });
  }
}
