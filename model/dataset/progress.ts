/**
 * Progress for long runs: a live bar on a terminal, and on anything else (CI logs,
 * pipes) one plain line per 10% so logs stay readable.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface ProgressReporter {
  /** `done` of `total` units finished; `detail` is shown beside the count. */
  update(done: number, detail: string): void;
  stop(): void;
}

const LINE_EVERY = 0.1;

export function createProgress(
  total: number,
  unit: string,
  stream: NodeJS.WriteStream = process.stdout,
): ProgressReporter {
  return stream.isTTY ? barProgress(total, unit, stream) : lineProgress(total, unit, stream);
}

function barProgress(total: number, unit: string, stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new SingleBar(
    {
      stream,
      format: `{bar} {percentage}% | {value}/{total} ${unit} | {detail} | eta {eta_formatted}`,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { detail: '' });
  return {
    update: (done, detail) => bar.update(done, { detail }),
    stop: () => bar.stop(),
  };
}

function lineProgress(total: number, unit: string, stream: NodeJS.WriteStream): ProgressReporter {
  let nextShare = LINE_EVERY;
  return {
    update(done, detail) {
      // The epsilon absorbs rounding in the summed thresholds, so 100% always prints.
      const share = done / total + 1e-9;
      if (share < nextShare) return;
      stream.write(`${Math.floor((100 * done) / total)}% ${done}/${total} ${unit} | ${detail}\n`);
      while (nextShare <= share) nextShare += LINE_EVERY;
    },
    stop() {},
  };
}
