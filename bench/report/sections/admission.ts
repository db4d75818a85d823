/** Admission: a full process refuses the next session rather than slow the ones it runs. */
import type { AdmissionResult } from '../../lib/results';
import { notMeasured, pct, provenance, ReportContext, table } from '../markdown';

const NAME = 'admission';

export function admissionSection(ctx: ReportContext, r?: AdmissionResult): string {
  const head = '## Admission: a full process refuses instead of slowing down\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  return `${head}
A server process (${r.source} frames, capacity measured at start-up) filled to capacity with
sessions ticking as if watched; overruns over ${r.seconds} s, then over ${r.seconds} s more
after one more session was asked for and refused with \`NO_CAPACITY\`. The last row is a
second process told a capacity one higher, running that many: what admitting the extra
session would have cost every session on it.

${provenance(ctx, NAME, r)}

${table(
  ['process', 'sessions / capacity', 'ticks', 'overruns', 'overrun rate'],
  r.rows.map((row) => [
    row.label,
    `${row.sessions} / ${row.capacity}`,
    row.ticks,
    row.overruns,
    pct(row.overrunRate * 100, 2),
  ]),
)}
`;
}

export function admissionSummary(r?: AdmissionResult): string[] | null {
  if (!r || r.rows.length < 3) return null;
  const [full, refused, admitted] = r.rows;
  return [
    `Admission at capacity (${r.source})`,
    `overruns ${pct(full.overrunRate * 100, 2)} full, ${pct(refused.overrunRate * 100, 2)} after a refusal`,
    `one more admitted: ${pct(admitted.overrunRate * 100, 2)}`,
    'unchanged by a refusal',
  ];
}
