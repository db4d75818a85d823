/** Reliability: hostile messages, the lobby flood and Redis outages (issue 15's long run). */
import type { ReliabilityResult } from '../../lib/results';
import { notMeasured, num, provenance, ReportContext, table } from '../markdown';

const NAME = 'reliability';

export function reliabilitySection(ctx: ReportContext, r?: ReliabilityResult): string {
  const head = '## Reliability: hostile messages, lobby flood, Redis outages\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  const f = r.fuzz;
  const typed = (row: { total: number; ok: number; untyped: number }) =>
    row.total - row.ok - row.untyped;
  const all = {
    total: f.messages,
    ok: f.byCategory.reduce((a, row) => a + row.ok, 0),
    untyped: f.untyped,
  };
  return `${head}
Seeded hostile Socket.IO messages (\`tests/helpers/wire-fuzz.ts\`, seed ${f.seed}) from ${f.clients}
clients against the server as its own process, while an honest player steers another
session; then 50 connections x 5 lobby creates without a credential; then Redis (its own
redis-server, AOF on) SIGKILLed for each outage and started again. What each case means
and the tests behind it: docs/RELIABILITY.md.

${provenance(ctx, NAME, r)}

${table(
  ['category', 'messages', 'answered ok', 'typed errors', '`INTERNAL` or unanswered'],
  [
    ...f.byCategory.map((row) => [row.category, row.total, row.ok, typed(row), row.untyped]),
    ['**all**', `**${all.total}**`, `**${all.ok}**`, `**${typed(all)}**`, `**${all.untyped}**`],
  ],
)}

- Typed-error rate **${num(f.typedErrorRate * 100, 3)}%**: ${f.internal} \`INTERNAL\`, ${f.unanswered}
  unanswered, over ${f.messages} messages in ${num(f.seconds)} s.
- Honest session during the fuzz: median ${num(f.honestTicksPerSecond.median)} ticks/s, lowest
  second ${num(f.honestTicksPerSecond.min)} (20 Hz is the goal).
- Server RSS ${num(f.rssMiB.start)} → ${num(f.rssMiB.end)} MiB; slope over the second half
  ${num(f.rssSlopeSecondHalfMiBPerMin, 2)} MiB/min (over ${num(f.seconds / 2)} s of flood: a short
  window, not a soak).
- Lobby flood: ${r.flood.refused} of ${r.flood.creates} creates refused with \`FORBIDDEN\`; the
  existing session ran ${num(r.flood.ticksPerSecondBefore)} ticks/s before and
  ${num(r.flood.ticksPerSecondDuring)} during.

${table(
  ['Redis outage', 'ticks logged', 'ticks lost', 'origin kept', 'longest gap at a client (ms)'],
  r.outages.map((o) => [
    `${o.seconds} s`,
    o.ticksLogged,
    o.ticksMissingFromLog,
    o.originPresent ? 'yes' : 'no',
    o.longestClientGapMs,
  ]),
)}
`;
}

export function reliabilitySummary(r?: ReliabilityResult): string[] | null {
  if (!r) return null;
  const lost = r.outages.map((o) => `${o.ticksMissingFromLog} (${o.seconds} s)`).join(', ');
  return [
    'Reliability (hostile input, Redis outages)',
    `${r.fuzz.messages} messages: ${r.fuzz.internal} \`INTERNAL\`, ${r.fuzz.unanswered} unanswered; honest session ${num(r.fuzz.honestTicksPerSecond.median)} ticks/s; ticks lost per outage ${lost || '–'}`,
    'issue 15: 3,124 `INTERNAL` acks; 40 and 321 ticks lost',
    'no `INTERNAL`, no tick lost, 20 Hz',
  ];
}
