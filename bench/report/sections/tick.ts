/** Tick stability: start jitter, duration and overruns per number of sessions. */
import type { TickResult } from '../../lib/results';
import { notMeasured, num, pct, provenance, ReportContext, table } from '../markdown';

function tickTable(r: TickResult): string {
  return table(
    [
      'sessions',
      'start jitter p50 / p99 / max (ms)',
      'tick duration p50 / p99 / max (ms)',
      'overruns',
      'server process CPU',
    ],
    r.rows.map((row) => [
      row.sessions,
      `${num(row.startLatenessMs.p50, 2)} / ${num(row.startLatenessMs.p99, 2)} / ${num(row.startLatenessMs.max, 2)}`,
      `${num(row.tickDurationMs.p50, 2)} / ${num(row.tickDurationMs.p99, 2)} / ${num(row.tickDurationMs.max, 2)}`,
      `${row.overruns} / ${row.ticks + row.overruns} (${pct(row.overrunRate * 100, 2)})`,
      pct(row.serverCpuPercent, 0),
    ]),
  );
}

export function tickSection(
  ctx: ReportContext,
  engine?: TickResult,
  generator?: TickResult,
): string {
  const hz = engine?.rows[0]?.hz ?? generator?.rows[0]?.hz ?? 20;
  const generatorPart = generator
    ? `### With the generator's frames

The same with the learned generator stepping every session as one batch
(${generator.source} frame source):

${provenance(ctx, 'tick-generator', generator)}

${tickTable(generator)}
`
    : `### With the generator's frames

${notMeasured(ctx, 'tick-generator')}
`;
  const counts = (engine ?? generator)?.rows.map((row) => row.sessions).join(', ') ?? '–';
  return `## Tick stability (${hz} Hz, real encoder and mediasoup, no viewers)

A server in the benchmark's process with ${counts} sessions. Start jitter is each tick's
start minus its due time (start + n × period; slightly negative values are Node rounding
timer delays to whole milliseconds). Tick duration covers deciding, stepping every session
as one batch, and encoding each session's frame. An overrun is a tick skipped because the
one before ran past its due time.

${engine ? `${provenance(ctx, 'tick', engine)}\n\n${tickTable(engine)}` : notMeasured(ctx, 'tick')}

${generatorPart}`;
}

export function tickSummary(r: TickResult | undefined): string[] | null {
  const row = r?.rows.at(-1);
  if (!r || !row) return null;
  return [
    `Tick stability, sessions: ${row.sessions} (${r.source})`,
    `jitter p50 ${num(row.startLatenessMs.p50, 2)} / p99 ${num(row.startLatenessMs.p99, 2)} ms, overruns ${pct(row.overrunRate * 100, 2)}`,
    `tick duration p99 ${num(row.tickDurationMs.p99)} ms of a ${num(1000 / row.hz, 0)} ms period`,
    '–',
  ];
}
