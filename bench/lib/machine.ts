/** What the suite ran on, for the report's header (every figure is only true of its machine). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { CHROMIUM } from '../../tests/helpers/browser';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
  node: string;
  chromium: string;
  /** The commit measured, with "+changes" when the tree was not clean. */
  commit: string;
  /** 1-minute load average when the suite started. */
  loadAverage: number;
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

export function describeMachine(): Machine {
  const lscpu = /^Model name:\s+(.+)$/m.exec(run('lscpu', []))?.[1];
  const release = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
  // The suite's own outputs (results, the report) do not make the measured code dirty.
  const dirty =
    run('git', [
      ...['status', '--porcelain', '--untracked-files=no', '--', '.'],
      ...[':!bench/results', ':!docs/BENCHMARKS.md'],
    ]) !== '';
  return {
    cpu: lscpu ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: release?.[1] ?? os.type(),
    kernel: os.release(),
    node: process.version,
    chromium: run(CHROMIUM, ['--version']).split(' built')[0],
    commit: `${run('git', ['rev-parse', '--short', 'HEAD'])}${dirty ? '+changes' : ''}`,
    loadAverage: os.loadavg()[0],
  };
}
