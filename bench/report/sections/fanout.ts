/** Fan-out: CPU and bandwidth per additional viewer, against an encoder per viewer. */
import type { EncodeResult, FanoutResult } from '../../lib/results';
import { notMeasured, num, pct, provenance, ratio, ReportContext, table } from '../markdown';

const NAME = 'fanout';

/** What one more encoder costs: the in-process pipeline at the session's codec and size. */
function encodeCost(fanout: FanoutResult, encode?: EncodeResult) {
  return encode?.rows.find(
    (r) => r.pipeline === 'in-process' && r.codec === fanout.codec && r.size === fanout.size,
  );
}

/** CPU per extra viewer: the SFU worker plus whatever the server process adds. */
const viewerCpu = (r: FanoutResult) =>
  r.perViewer.synthetic.workerCpuPercent + Math.max(0, r.perViewer.synthetic.serverCpuPercent);

export function fanoutSection(ctx: ReportContext, r?: FanoutResult, encode?: EncodeResult): string {
  const head = '## Fan-out: cost per additional viewer of one session\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  const encoder = encodeCost(r, encode);
  const comparison = encoder
    ? `Against the alternative, an encoder per viewer: one more ${r.codec.toUpperCase()} ${r.size}
encode at ${r.hz} fps costs ${pct(encoder.cpuPercentOfOneCore.total)} of a core
(in-process pipeline, encoder section below, same run) for the same ~${encoder.kbps} kbit/s
per viewer. A viewer of the shared stream costs ${pct(viewerCpu(r), 2)}:
**${ratio(encoder.cpuPercentOfOneCore.total / viewerCpu(r))} less CPU per viewer**; the
bandwidth per viewer is the same either way (one stream each).`
    : `The encoder per viewer alternative comes from the encoder benchmark, which has no
${r.codec.toUpperCase()} ${r.size} in-process result in this run.`;
  return `${head}
One session (engine frames, ${r.codec.toUpperCase()} ${r.size}, ${r.hz} fps) on one media
worker (a session's router lives on one worker), with viewers added in steps: headless
Chromium spectators (real WebRTC receivers, sharing the machine's CPU), then synthetic
viewers, each an SRTP PlainTransport consumer sending to a UDP socket in a child process
(the SFU encrypts and sends every packet per viewer as it does for WebRTC; ICE and DTLS are
skipped), doubling until the machine cannot hold them: a viewer (10th percentile) gets
under 95% of the frames, or the worker is saturated. CPU is per wall second in % of one
core: the server process (tick, engine, encoder, which the frame is encoded by once
however many watch) and the mediasoup worker; egress is what the SFU sent to viewers.

${provenance(ctx, NAME, r)}

${table(
  [
    'viewers',
    'kind',
    'server process CPU',
    'media worker CPU',
    'egress (kbit/s)',
    'per viewer (kbit/s)',
    'frames/s per viewer p10 / p50',
    'tick overruns',
    'receiving process CPU',
  ],
  r.rows.map((row) => [
    row.viewers,
    row.kind,
    pct(row.serverCpuPercent),
    pct(row.workerCpuPercent),
    row.egressKbps,
    num(row.kbpsPerViewer),
    row.framesPerSecond ? `${num(row.framesPerSecond.p10)} / ${num(row.framesPerSecond.p50)}` : '–',
    row.tickOverruns,
    pct(row.receiverCpuPercent),
  ]),
)}

Most viewers held: **${r.maxHeld}** (stopped: ${r.stoppedBecause}). Marginal cost per
viewer (least-squares slope over the held steps): synthetic viewers
${pct(r.perViewer.synthetic.workerCpuPercent, 3)} worker CPU + ${pct(r.perViewer.synthetic.serverCpuPercent, 3)} server CPU and
${num(r.perViewer.synthetic.kbps)} kbit/s; browser viewers ${pct(r.perViewer.browser.workerCpuPercent, 3)} worker CPU
(WebRTC transports add ICE consent and RTCP feedback; the pages' own CPU competes with the server).

${comparison}
`;
}

export function fanoutSummary(r?: FanoutResult, encode?: EncodeResult): string[] | null {
  if (!r) return null;
  const encoder = encodeCost(r, encode);
  return [
    'Fan-out, per additional viewer',
    `${pct(viewerCpu(r), 2)} CPU, ${num(r.perViewer.synthetic.kbps, 0)} kbit/s; ${r.maxHeld} viewers held`,
    encoder
      ? `encoder per viewer ${pct(encoder.cpuPercentOfOneCore.total)}: ${ratio(encoder.cpuPercentOfOneCore.total / viewerCpu(r))} less CPU`
      : '–',
    '–',
  ];
}
