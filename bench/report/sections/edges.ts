/** Viewers across processes: one session's viewers held by its origin and edges. */
import type { EdgesResult } from '../../lib/results';
import { notMeasured, num, provenance, ReportContext, table } from '../markdown';

const NAME = 'edges';

export function edgesSection(ctx: ReportContext, r?: EdgesResult): string {
  const head = '## Viewers across processes: one session, its origin and its edges\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  const counts = Object.keys(r.maxHeld);
  return `${head}
One session (engine frames, ${r.hz} Hz) served by the first process, its origin; each other
process is an edge that relays it: a spectator joins there over the public protocol and
the edge pipes the origin's one encoded stream into its own router (mediasoup
PipeTransport with SRTP, asked for over the Redis fleet bus). Synthetic viewers (SRTP
PlainTransport consumers, as in the fan-out benchmark) are spread evenly over every
process's router and doubled until a step is not held (a viewer, 10th percentile, under
95% of the frames, or a media worker saturated) or would need more than this machine's
cores. Every process runs in one Node.js process with its own media worker (one core
each at most); the workers do the forwarding and are measured one by one. ${r.seconds} s per step.

${provenance(ctx, NAME, r)}

${table(
  [
    'processes',
    'viewers',
    'per process',
    'origin worker (%)',
    'edge workers (%)',
    'Node.js (%)',
    'receivers (%)',
    'frames/s p10 / p50',
    'tick overruns',
    'held',
  ],
  r.rows.map((row) => [
    row.processes,
    row.viewers,
    row.perProcess.join(' / '),
    num(row.originWorkerCpuPercent, 1),
    row.edgeWorkerCpuPercent.length
      ? row.edgeWorkerCpuPercent.map((c) => num(c, 1)).join(' / ')
      : '–',
    num(row.serverCpuPercent, 1),
    num(row.receiverCpuPercent, 1),
    row.framesPerSecond ? `${row.framesPerSecond.p10} / ${row.framesPerSecond.p50}` : '–',
    row.tickOverruns,
    row.held ? 'yes' : 'no',
  ]),
)}

Most viewers held: ${counts.map((p) => `**${r.maxHeld[p]}** on ${p}`).join(', ')} (goal: 2,000 on 4).
Why each stopped: ${counts.map((p) => `${p}: ${r.stoppedBecause[p]}`).join('; ')}.
Adding SRTP PlainTransport viewers to a worker slows down sharply as it fills (measured
apart from this run, on a busy machine: 100 more took 0.6 s at 700, 2.7 s at 900 and 13 s
at 1,000, while 1,200 without SRTP took about 0.1 s per 100), so a step that stops while
adding viewers marks the limit of this harness on one shared 2-core machine (the viewers'
receivers run here too), not of forwarding: the workers' CPU per viewer is the figure that
carries over to separate hosts.
A viewer costs an edge's media worker **${r.edgeWorkerPercentPerViewer === null ? '–' : num(r.edgeWorkerPercentPerViewer, 3)}%**
of a core (least-squares slope over the held steps); each edge costs its origin's worker
**${r.originWorkerPercentPerEdge === null ? '–' : num(r.originWorkerPercentPerEdge, 2)}%** of a core (one more
stream sent, no viewers), and nothing in the origin's tick or encoder: the frame is
encoded once however many edges and viewers there are. Processes on separate hosts each
bring their own cores, so a fleet holds what its edges' workers forward; on this machine
all of them share ${ctx.suite.machine.cores} cores with the viewers' receivers.
`;
}

export function edgesSummary(r?: EdgesResult): string[] | null {
  if (!r) return null;
  const held = Object.entries(r.maxHeld).map(([p, v]) => `${v} on ${p}`);
  return [
    'Viewers of one session across processes (origin + edges)',
    `held: ${held.join(', ')}`,
    r.originWorkerPercentPerEdge === null
      ? '–'
      : `origin pays ${num(r.originWorkerPercentPerEdge, 2)}% of a core per edge`,
    '2,000 on 4',
  ];
}
