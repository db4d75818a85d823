/** Media: the encoder choice, in-process encoder against an ffmpeg process per session. */
import type { EncodeResult } from '../../lib/results';
import { notMeasured, num, pct, provenance, ReportContext, table } from '../markdown';

const NAME = 'encode';

export function encodeSection(ctx: ReportContext, r?: EncodeResult): string {
  const head = '## Media: encoder choice\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  return `${head}
Which pipeline turns a session's frames into RTP for mediasoup (decision and reasons:
[MEDIA.md](MEDIA.md#encoder-choice-in-process-encoder--directtransport-measured)). Pre-rendered
engine frames at ${r.rows[0]?.fps ?? 20} fps, the first second warm-up, one mediasoup worker.

- **in-process**: \`SessionMedia\` (encoder in the Node process + our packetizer →
  DirectTransport producer), what the server runs.
- **ffmpeg**: RGB on stdin → encoder → RTP → PlainTransport (\`rtcpMux: false, comedia: true\`),
  CBR at the same bitrate, \`-g 20\`, \`-threads ${r.ffmpegThreads}\` (${r.ffmpeg}); VP8
  \`-deadline realtime -cpu-used -6 -lag-in-frames 0\`, H.264 \`-preset superfast -tune zerolatency\`.
- latency: frame handed to the pipeline → the frame's marker packet at a DirectTransport
  consumer on the same router. CPU per wall second in % of one core: the node process
  (includes the encoder threads and the benchmark's own pacing and consumer), ffmpeg
  (\`/proc/<pid>/stat\`) and the mediasoup worker. Late join: a new consumer every 1.73 s,
  until its first packet.

${provenance(ctx, NAME, r)}

${table(
  [
    'pipeline',
    'codec',
    'size',
    'latency p50 / p99 / max (ms)',
    'CPU total (node + ffmpeg + worker)',
    'kbit/s',
    'keyframes',
    'late join first frame p50 / max (ms)',
  ],
  r.rows.map((row) => [
    row.pipeline,
    row.codec.toUpperCase(),
    row.size,
    `${num(row.latencyMs.p50)} / ${num(row.latencyMs.p99)} / ${num(row.latencyMs.max)}`,
    `${pct(row.cpuPercentOfOneCore.total)} (${num(row.cpuPercentOfOneCore.node)} + ${num(row.cpuPercentOfOneCore.ffmpeg)} + ${num(row.cpuPercentOfOneCore.worker)})`,
    row.kbps,
    `${row.keyframes} / ${row.frames + row.fps}`,
    `${num(row.lateJoinFirstFrameMs.p50, 0)} / ${num(row.lateJoinFirstFrameMs.max, 0)}`,
  ]),
)}

How to read it (seen in every run so far, see MEDIA.md):

- ffmpeg's latency of about one frame period is the CLI itself: it emits frame N only
  after frame N+1 has been read from the pipe (no flag changed it).
- In-process keyframes come every 10 frames (the addon's fixed GOP in realtime mode), plus
  those forced for late joiners (250 ms throttle, which sets the median wait to join).
- The in-process VP8 encoder's CPU is libvpx's spin-waiting worker threads (the addon uses
  FFmpeg's automatic thread count and cannot be told otherwise); ffmpeg with its automatic
  thread count costs the same. H.264 is the cheaper codec in-process.
`;
}
