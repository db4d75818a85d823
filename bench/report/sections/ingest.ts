/** Ingest: action messages per second and ack latency, Node's HTTP/ws against uWebSockets.js. */
import type { IngestResult, IngestRow } from '../../lib/results';
import { percentile } from '../../lib/stats';
import { notMeasured, num, pct, provenance, ratio, ReportContext, table } from '../markdown';

const NAME = 'ingest';
const LOADS: IngestRow['load'][] = ['closed-loop', 'paced'];

/** One engine under one load over every round: medians, and the spread of the throughput. */
interface Pooled {
  engine: string;
  load: IngestRow['load'];
  offered: string;
  rounds: number;
  messagesPerSecond: { median: number; min: number; max: number };
  ackP50: number;
  ackP95: number;
  ackP99: number;
  serverCpuPercent: number;
  serverIdleCpuPercent: number;
  serverCpuUsPerMessage: { median: number; min: number; max: number };
  clientCpuPercent: number;
  errors: number;
}

const median = (values: number[]) => percentile(values, 50);
const spread = (values: number[]) => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
});

function pooled(r: IngestResult, engine: string, load: IngestRow['load']): Pooled | undefined {
  const rows = r.rows.filter((row) => row.engine === engine && row.load === load);
  if (rows.length === 0) return undefined;
  const of = (pick: (row: IngestRow) => number) => rows.map(pick);
  return {
    engine,
    load,
    offered: rows[0].offered,
    rounds: rows.length,
    messagesPerSecond: spread(of((row) => row.messagesPerSecond)),
    ackP50: median(of((row) => row.ackMs.p50)),
    ackP95: median(of((row) => row.ackMs.p95)),
    ackP99: median(of((row) => row.ackMs.p99)),
    serverCpuPercent: median(of((row) => row.serverCpuPercent)),
    serverIdleCpuPercent: median(of((row) => row.serverIdleCpuPercent)),
    serverCpuUsPerMessage: spread(of((row) => row.serverCpuUsPerMessage)),
    clientCpuPercent: median(of((row) => row.clientCpuPercent)),
    errors: of((row) => row.errors).reduce((a, b) => a + b, 0),
  };
}

/** uWebSockets.js against Node's engine on the three figures that matter (medians). */
function comparison(r: IngestResult) {
  const [nodeMax, uwsMax] = [pooled(r, 'node', 'closed-loop'), pooled(r, 'uws', 'closed-loop')];
  const [nodePaced, uwsPaced] = [pooled(r, 'node', 'paced'), pooled(r, 'uws', 'paced')];
  if (!nodeMax || !uwsMax || !nodePaced || !uwsPaced) return null;
  const [a, b] = [nodeMax.messagesPerSecond, uwsMax.messagesPerSecond];
  return {
    node: nodeMax,
    uws: uwsMax,
    throughput: b.median / a.median,
    cpuPerMessage: uwsMax.serverCpuUsPerMessage.median / nodeMax.serverCpuUsPerMessage.median,
    pacedP99: uwsPaced.ackP99 / nodePaced.ackP99,
    rangesOverlap: a.min <= b.max && b.min <= a.max,
    clientBound: Math.max(nodeMax.clientCpuPercent, uwsMax.clientCpuPercent) >= 90,
  };
}

const range = (s: { median: number; min: number; max: number }, rounds: number) =>
  rounds > 1 ? `${s.median} (${s.min}–${s.max})` : String(s.median);

export function ingestSection(ctx: ReportContext, r?: IngestResult): string {
  const head = '## Ingest: Socket.IO action messages, Node HTTP/ws against uWebSockets.js\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  const c = comparison(r);
  const clients = r.rows[0]?.clients ?? 0;
  const engines = [...new Set(r.rows.map((row) => row.engine))];
  const rows = engines
    .flatMap((e) => LOADS.map((load) => pooled(r, e, load)))
    .filter((row): row is Pooled => row !== undefined);
  return `${head}
A server process (engine frames, one session ticking at 20 Hz) on each Socket.IO engine in
turn, loaded the same way by ${clients} joined players on their own websockets in the
benchmark's process: every \`action\` carries an ack. **closed-loop**: each client keeps a
fixed number of messages in flight (the most the pair takes); **paced**: a fixed total rate
spread evenly (latency at a set load). Server CPU is read from \`/proc\`; the CPU per
message is over the server's CPU with the same clients joined and silent (at the paced
rate that difference is small, so its figure is rough). Ack latency is measured at the
client, so it includes the client's own event loop. Each engine was measured
${r.rounds === 1 ? 'once' : `${r.rounds} times`} on a fresh server, alternating which engine went first; the table gives medians
over the rounds, with the lowest and highest round in brackets.

${provenance(ctx, NAME, r)}

${table(
  [
    'engine',
    'load',
    'offered',
    'acked msg/s',
    'ack p50 / p95 / p99 (ms)',
    'server CPU (idle)',
    'server CPU per msg (µs)',
    'client process CPU',
    'errors',
  ],
  rows.map((row) => [
    row.engine,
    row.load,
    row.offered,
    range(row.messagesPerSecond, row.rounds),
    `${num(row.ackP50, 2)} / ${num(row.ackP95, 2)} / ${num(row.ackP99, 2)}`,
    `${pct(row.serverCpuPercent)} (${pct(row.serverIdleCpuPercent)})`,
    range(row.serverCpuUsPerMessage, row.rounds),
    pct(row.clientCpuPercent),
    row.errors,
  ]),
)}
${
  c
    ? `
uWebSockets.js against Node's HTTP/ws engine: **${ratio(c.throughput)} the messages per
second** (closed loop, medians), ${ratio(c.cpuPerMessage)} the server CPU per message, ${ratio(c.pacedP99)} the
paced p99 ack latency.${
        c.rangesOverlap && r.rounds > 1
          ? ' The two engines’ closed-loop rounds overlap: on this machine they do not differ in throughput beyond run-to-run variation.'
          : ''
      }${
        c.clientBound
          ? ' The client process was near a full core in the closed loop, so there the clients, not the server, may set the ceiling: compare the CPU per message.'
          : ''
      }
`
    : ''
}`;
}

export function ingestSummary(r?: IngestResult): string[] | null {
  const c = r && comparison(r);
  if (!r || !c) return null;
  return [
    'Ingest, closed loop (uWebSockets.js / Node, medians)',
    `${c.uws.messagesPerSecond.median} / ${c.node.messagesPerSecond.median} msg/s; ack p99 ${num(c.uws.ackP99)} / ${num(c.node.ackP99)} ms`,
    `uws ${ratio(c.throughput)} the throughput, ${ratio(c.cpuPerMessage)} the CPU per message${c.rangesOverlap && r.rounds > 1 ? ' (rounds overlap)' : ''}`,
    '–',
  ];
}
