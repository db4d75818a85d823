/** Memory: server RSS with 1, 10 and 50 sessions. */
import type { MemoryResult } from '../../lib/results';
import { notMeasured, num, provenance, ReportContext, table } from '../markdown';

const NAME = 'memory';

export function memorySection(ctx: ReportContext, r?: MemoryResult): string {
  const head = '## Memory: server RSS by sessions\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  return `${head}
A fresh server process per count (${r.source} frames, no viewers, ${r.workers} media workers),
sampled every 0.5 s after start-up; the peaks. The Node process holds the sessions' worlds,
control state and encoders; the mediasoup workers hold routers and transports. Ticks and
overruns over the process's life show whether every session's encoder kept up.

${provenance(ctx, NAME, r)}

${table(
  [
    'sessions',
    'server process RSS (MiB)',
    'media workers RSS (MiB)',
    'total (MiB)',
    'ticks / overruns',
  ],
  r.rows.map((row) => [
    row.sessions,
    num(row.serverRssMiB),
    num(row.workersRssMiB),
    num(row.totalRssMiB),
    `${row.ticks} / ${row.overruns}`,
  ]),
)}

Each additional session costs about **${num(r.perSessionMiB.total, 2)} MiB** (least-squares slope;
${num(r.perSessionMiB.server, 2)} MiB of it in the server process).
`;
}

export function memorySummary(r?: MemoryResult): string[] | null {
  if (!r || r.rows.length === 0) return null;
  return [
    'Memory (engine frames)',
    r.rows.map((row) => `${row.sessions}: ${num(row.totalRssMiB, 0)} MiB`).join(', '),
    `${num(r.perSessionMiB.total, 2)} MiB per additional session`,
    '–',
  ];
}
