/** Engine throughput: frames per second of step + render on one core. */
import type { EngineResult } from '../../lib/results';
import { notMeasured, num, provenance, ReportContext, table } from '../markdown';

const NAME = 'engine';
const GOAL_FPS = 500; // at 128x128 on one core (procedural engine issue)

export function engineSection(ctx: ReportContext, r?: EngineResult): string {
  const head = '## Engine throughput\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  const small = r.rows.find((row) => row.size === '128x128');
  return `${head}
Goal: at least ${GOAL_FPS} frames/s on one core at 128x128 (step + render). A scripted cycle
through every action key with an instruction every 100 ticks, 200 warm-up frames.

${provenance(ctx, NAME, r)}

${table(
  [
    'size',
    'frames',
    'frames/s (step + render)',
    'ms/frame',
    'world generation (once per seed)',
    'CPU s per wall s',
  ],
  r.rows.map((row) => [
    row.size,
    row.frames,
    `**${row.framesPerSecond}**`,
    num(row.msPerFrame, 2),
    `${row.worldGenerationMs} ms`,
    num(row.cpuSecondsPerWallSecond, 2),
  ]),
)}

${
  small
    ? small.framesPerSecond >= GOAL_FPS
      ? `128x128: goal met, ${num(small.framesPerSecond / GOAL_FPS)}x the target.`
      : `128x128: goal missed by ${GOAL_FPS - small.framesPerSecond} frames/s.`
    : ''
} Single-threaded; CPU seconds per wall second above 1 are V8's background GC and JIT threads.
`;
}

export function engineSummary(r?: EngineResult): string[] | null {
  const small = r?.rows.find((row) => row.size === '128x128');
  if (!small) return null;
  return [
    'Engine throughput, 128x128, one core',
    `${small.framesPerSecond} frames/s`,
    '–',
    `≥ ${GOAL_FPS} frames/s: ${small.framesPerSecond >= GOAL_FPS ? 'met' : `missed by ${GOAL_FPS - small.framesPerSecond}`}`,
  ];
}
