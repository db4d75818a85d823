/** Reliability: hostile messages, the soak, the lobby flood and Redis outages (issue 15's long run). */
import type { ReliabilityResult, SoakResult } from '../../lib/results';
import { notMeasured, num, provenance, ReportContext, table } from '../markdown';

const NAME = 'reliability';

export function reliabilitySection(ctx: ReportContext, r?: ReliabilityResult): string {
  const head = '## Reliability: hostile messages, soak, lobby flood, Redis outages\n';
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
session; then a soak (a player steering, spectators each with a synthetic SRTP viewer of
the video); then 50 connections x 5 lobby creates without a credential; then Redis (its own
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
  unanswered, over ${f.messages} messages in ${num(f.seconds)} s (${num(f.messagesPerSecond, 0)} a second; CPU:
  server ${num(f.serverCpuPercent)}%, attacking clients ${num(f.clientCpuPercent)}% of one core).
- Honest session during the fuzz: median ${num(f.honestTicksPerSecond.median)} ticks/s, lowest
  second ${num(f.honestTicksPerSecond.min)} (20 Hz is the goal; ${num(f.honestTicksPerSecondQuiet)} on the same server just
  before the fuzz); the server ran ${num(f.serverTicks?.run, 0)} ticks and skipped ${num(f.serverTicks?.skipped, 0)}.
- Server RSS ${num(f.rssMiB.start)} → ${num(f.rssMiB.end)} MiB; slope over the second half
  ${num(f.rssSlopeSecondHalfMiBPerMin, 2)} MiB/min (over ${num(f.seconds / 2)} s of flood: a short
  window, not a soak).
${soakLine(r.soak)}
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

function soakLine(soak: SoakResult | undefined): string {
  if (!soak) return '- Soak: not in this run (a result written before the soak joined it).';
  const t = soak.ticksPerSecond;
  const slope = soak.slopeSecondHalfMiBPerMin;
  return `- Soak, ${num(soak.seconds, 0)} s, a player and ${soak.spectators} spectators: the player got
  ${num(t.median)} ticks/s (median), lowest second ${num(t.min)}, ${num(t.held * 100)}% of the seconds
  at 19.5 or more; the slowest viewer ${num(soak.viewerFramesPerSecondMin)} frames/s. Server RSS
  ${num(soak.rssMiB.start)} → ${num(soak.rssMiB.end)} MiB, V8 heap ${num(soak.heapMiB.start)} →
  ${num(soak.heapMiB.end)} MiB; slope over the second half ${num(slope.rss, 2)} MiB/min (RSS),
  ${num(slope.heap, 2)} MiB/min (heap).`;
}

export function reliabilitySummary(r?: ReliabilityResult): string[] | null {
  if (!r) return null;
  const lost = r.outages.map((o) => `${o.ticksMissingFromLog} (${o.seconds} s)`).join(', ');
  return [
    'Reliability (hostile input, soak, Redis outages)',
    `${r.fuzz.messages} messages: ${r.fuzz.internal} \`INTERNAL\`, ${r.fuzz.unanswered} unanswered; honest session ${num(r.fuzz.honestTicksPerSecond.median)} ticks/s; soak ${num(r.soak && r.soak.ticksPerSecond.held * 100)}% of seconds at 20 Hz, ${num(r.soak?.slopeSecondHalfMiBPerMin.rss, 2)} MiB/min; ticks lost per outage ${lost || '–'}`,
    'issue 15: 3,124 `INTERNAL` acks; 40 and 321 ticks lost; soak 20 Hz, 0.4 MiB/min',
    'no `INTERNAL`, no tick lost, 20 Hz',
  ];
}
