/** Small Markdown builders for the report (prettier aligns the tables afterwards). */
import type { BenchRun, SuiteRecord } from '../lib/results';

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A number with a fixed number of decimals ("–" when it is missing). */
export function num(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);
}

export const pct = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined ? '–' : `${num(value, digits)}%`;

/** "3.2x"; "–" where there is nothing to divide by (a cost too small to measure). */
export const ratio = (value: number) =>
  Number.isFinite(value) && value > 0 ? `${num(value, value >= 10 ? 0 : 1)}x` : '–';

export function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Context shared by every section. */
export interface ReportContext {
  suite: SuiteRecord;
  run(name: string): BenchRun | undefined;
}

/** The paragraph every figure starts with: its command, when it ran and how loaded the machine was. */
export function provenance(
  ctx: ReportContext,
  name: string,
  result: { startedAt: string; durationS: number; loadAverage: { start: number; end: number } },
): string {
  const run = ctx.run(name);
  const { machine } = ctx.suite;
  return (
    `\`${run?.command ?? name}\` — ${utc(result.startedAt)}, ${result.durationS} s, ` +
    `load average ${num(result.loadAverage.start)} → ${num(result.loadAverage.end)} ` +
    `on ${machine.cores} cores.`
  );
}

/** What a section says when its benchmark gave no result in the runs on record. */
export function notMeasured(ctx: ReportContext, name: string): string {
  const run = ctx.run(name);
  if (!run) return '_Not measured: the benchmark has not been run._';
  return `_Not measured in the last run (\`${run.command}\`): ${run.status}${run.reason ? `, ${run.reason}` : ''}._`;
}
