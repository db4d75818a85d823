/** Failover: SIGKILL of a session's host to video again in its player's browser. */
import type { FailoverResult } from '../../lib/results';
import { notMeasured, num, provenance, ReportContext, table } from '../markdown';

const NAME = 'failover';

export function failoverSection(ctx: ReportContext, r?: FailoverResult): string {
  const head = '## Failover: from SIGKILL to video again\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  return `${head}
Two hosts in network namespaces, one Redis, engine sessions, a registry TTL of
${r.ttlMs / 1000} s (infra/k8s). Each trial: a session on host A with its player in
Chromium, then SIGKILL of A. Host B claims the session once A's registry entry lapses and
resumes it from the action log (every STORE_TTL_MS / 6 it looks for orphans); the page,
not reaching A for 1 s, asks B every 0.5 s where the session went and goes there with its
join token.
"moved": the page is on B; "video again": it has shown 5 new frames.

${provenance(ctx, NAME, r)}

${table(
  ['trial', 'moved (ms)', 'video again (ms)', 'last tick shown'],
  r.rows.map((row) => [row.trial + 1, row.movedMs, row.videoAgainMs, row.lastShownTick]),
)}

Video again after a median of **${num(r.videoAgainMs.p50 / 1000, 2)} s** (max
${num(r.videoAgainMs.max / 1000, 2)} s; goal: under 5 s with a 3 s TTL). Most of it is
the TTL itself: a shorter one fails over sooner and costs more heartbeats.
`;
}

export function failoverSummary(r?: FailoverResult): string[] | null {
  if (!r || r.rows.length === 0) return null;
  return [
    `Failover, SIGKILL to video again (TTL ${r.ttlMs / 1000} s)`,
    `p50 ${num(r.videoAgainMs.p50 / 1000, 2)} s, max ${num(r.videoAgainMs.max / 1000, 2)} s (${r.rows.length} trials)`,
    '–',
    '< 5 s',
  ];
}
