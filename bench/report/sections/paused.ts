/** Paused sessions: the CPU a session with nobody connected costs. */
import type { PausedResult } from '../../lib/results';
import { notMeasured, num, provenance, ReportContext, table } from '../markdown';

const NAME = 'paused';

export function pausedSection(ctx: ReportContext, r?: PausedResult): string {
  const head = '## Paused sessions: what an empty session costs\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  return `${head}
A session with nobody connected sits its ticks out (\`PAUSE_WHEN_EMPTY\`, on by default):
no step, no encode, nothing sent; it resumes where it stopped when someone joins. A fresh
server process per row (${r.source} frames, no clients), CPU of the server process and its
media workers over ${r.seconds} s after start-up (/proc, 10 ms clock ticks). The last row
is one session ticking unwatched, what every configured session cost before pausing.

${provenance(ctx, NAME, r)}

${table(
  ['sessions', 'state', 'server process (% of a core)', 'media workers (%)', 'total (%)'],
  r.rows.map((row) => [
    row.sessions,
    row.paused ? 'paused' : 'ticking, unwatched',
    num(row.serverCpuPercent, 2),
    num(row.workersCpuPercent, 2),
    num(row.totalCpuPercent, 2),
  ]),
)}

Each paused session costs at most **${num(upper(r), 3)}% of a core** (the difference from no
session, per session, or the measurement's resolution where that is smaller: one 10 ms
clock tick over the window, per session; goal: under 1%).
`;
}

export function pausedSummary(r?: PausedResult): string[] | null {
  if (!r) return null;
  const ticking = r.rows.find((row) => !row.paused);
  return [
    `Paused session (${r.source})`,
    `at most ${num(upper(r), 3)}% of a core each`,
    ticking ? `ticking unwatched: ${num(ticking.totalCpuPercent, 1)}%` : '–',
    '< 1% of a core',
  ];
}

/** What a paused session costs at most, as far as the measurement can tell. */
const upper = (r: PausedResult) => Math.max(r.perPausedSessionPercent, r.resolutionPercent);
