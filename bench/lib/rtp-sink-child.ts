/**
 * A separate process of synthetic viewers' UDP sockets (forked by synthetic-viewers.ts),
 * so receiving costs no CPU in the process whose CPU the fan-out benchmark measures.
 * Per socket it counts RTP packets, bytes and frames (marker bits: SRTP leaves the RTP
 * header in the clear) between 'window' and 'report'.
 *
 * Messages in: { open: n } -> { ports }, 'window', 'report' -> { report }.
 */
import dgram from 'node:dgram';
import { selfCpuMs } from './proc';

interface Counter {
  packets: number;
  bytes: number;
  frames: number;
}
/** Big enough for one frame's burst to every socket while the receiver is busy elsewhere. */
const RECEIVE_BUFFER_BYTES = 1 << 20;
const counters: Counter[] = [];
let window = { at: performance.now(), cpuMs: selfCpuMs() };

/** RTCP (RFC 5761 demultiplexing: packet types 192-223) shares the port when rtcp-mux is on. */
const isRtcp = (packet: Buffer) => packet[1] >= 192 && packet[1] <= 223;

function open(): Promise<number> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
  const counter: Counter = { packets: 0, bytes: 0, frames: 0 };
  counters.push(counter);
  socket.on('message', (packet) => {
    if (packet.length < 12 || isRtcp(packet)) return;
    counter.packets++;
    counter.bytes += packet.length;
    if (packet[1] & 0x80) counter.frames++;
  });
  return new Promise((resolve) =>
    socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)),
  );
}

process.on('message', async (message: { open?: number } | 'window' | 'report') => {
  if (message === 'window') {
    for (const c of counters) Object.assign(c, { packets: 0, bytes: 0, frames: 0 });
    window = { at: performance.now(), cpuMs: selfCpuMs() };
    process.send!('window');
  } else if (message === 'report') {
    const report = {
      wallMs: performance.now() - window.at,
      cpuMs: selfCpuMs() - window.cpuMs,
      streams: counters.map((c) => ({ ...c })),
    };
    process.send!({ report });
  } else if (message.open) {
    const ports = await Promise.all(Array.from({ length: message.open }, open));
    process.send!({ ports });
  }
});
