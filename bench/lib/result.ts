/**
 * How every benchmark hands back its figures: one JSON document with when it ran and
 * how loaded the machine was, written to `--out` (the suite runner) or printed.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';

const started = { at: new Date().toISOString(), wallMs: performance.now(), load: os.loadavg() };

export interface ResultMeta {
  bench: string;
  /** The benchmark's own arguments, as passed (without --out). */
  args: string[];
  startedAt: string;
  durationS: number;
  /** 1-minute load average at the start and the end: other work on the machine shows here. */
  loadAverage: { start: number; end: number };
}

export type BenchResult<T> = ResultMeta & T;

export function emitResult<T extends object>(bench: string, out: string | undefined, data: T) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  if (outAt >= 0) args.splice(outAt, 2);
  const result: BenchResult<T> = {
    bench,
    args,
    startedAt: started.at,
    durationS: Math.round((performance.now() - started.wallMs) / 100) / 10,
    loadAverage: { start: started.load[0], end: os.loadavg()[0] },
    ...data,
  };
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

/** Progress lines go to stderr, so stdout stays the result alone. */
export function progress(message: string, detail?: unknown): void {
  process.stderr.write(`${message}${detail === undefined ? '' : ` ${JSON.stringify(detail)}`}\n`);
}

/** Runs a benchmark's main; a failure exits non-zero with the error (the suite records it). */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}
