/** Ingest: action messages per second and ack latency, Node's HTTP/ws against uWebSockets.js. */
import type { IngestResult, IngestRow } from '../../lib/results';
import { notMeasured, num, pct, provenance, ratio, ReportContext, table } from '../markdown';

const NAME = 'ingest';

function rowOf(r: IngestResult, engine: string, load: IngestRow['load']) {
  return r.rows.find((row) => row.engine === engine && row.load === load);
}

/** uWebSockets.js against Node's engine on the three figures that matter. */
function comparison(r: IngestResult) {
  const [nodeMax, uwsMax] = [rowOf(r, 'node', 'closed-loop'), rowOf(r, 'uws', 'closed-loop')];
  const [nodePaced, uwsPaced] = [rowOf(r, 'node', 'paced'), rowOf(r, 'uws', 'paced')];
  if (!nodeMax || !uwsMax || !nodePaced || !uwsPaced) return null;
  return {
    throughput: uwsMax.messagesPerSecond / nodeMax.messagesPerSecond,
    cpuPerMessage: uwsMax.serverCpuUsPerMessage / nodeMax.serverCpuUsPerMessage,
    pacedP99: uwsPaced.ackMs.p99 / nodePaced.ackMs.p99,
    clientBound: Math.max(nodeMax.clientCpuPercent, uwsMax.clientCpuPercent) >= 90,
  };
}

export function ingestSection(ctx: ReportContext, r?: IngestResult): string {
  const head = '## Ingest: Socket.IO action messages, Node HTTP/ws against uWebSockets.js\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  const c = comparison(r);
  const clients = r.rows[0]?.clients ?? 0;
  return `${head}
A server process (engine frames, one session ticking at 20 Hz) on each Socket.IO engine in
turn, loaded the same way by ${clients} joined players on their own websockets in the
benchmark's process: every \`action\` carries an ack. **closed-loop**: each client keeps a
fixed number of messages in flight (the most the pair takes); **paced**: a fixed total rate
spread evenly (latency at a set load). Server CPU is read from \`/proc\`; the CPU per
message is over the server's CPU with the same clients joined and silent (at the paced
rate that difference is small, so its figure is rough). Ack latency is measured at the
client, so it includes the client's own event loop.

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
  r.rows.map((row) => [
    row.engine,
    row.load,
    row.offered,
    row.messagesPerSecond,
    `${num(row.ackMs.p50, 2)} / ${num(row.ackMs.p95, 2)} / ${num(row.ackMs.p99, 2)}`,
    `${pct(row.serverCpuPercent)} (${pct(row.serverIdleCpuPercent)})`,
    row.serverCpuUsPerMessage,
    pct(row.clientCpuPercent),
    row.errors,
  ]),
)}
${
  c
    ? `
uWebSockets.js against Node's HTTP/ws engine: **${ratio(c.throughput)} the messages per
second** (closed loop), ${ratio(c.cpuPerMessage)} the server CPU per message, ${ratio(c.pacedP99)} the
paced p99 ack latency.${
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
  const uws = rowOf(r, 'uws', 'closed-loop')!;
  const node = rowOf(r, 'node', 'closed-loop')!;
  return [
    'Ingest, closed loop (uWebSockets.js / Node)',
    `${uws.messagesPerSecond} / ${node.messagesPerSecond} msg/s; ack p99 ${num(uws.ackMs.p99)} / ${num(node.ackMs.p99)} ms`,
    `uws ${ratio(c.throughput)} the throughput, ${ratio(c.cpuPerMessage)} the CPU per message`,
    '–',
  ];
}
