/**
 * Runs one benchmark as its own process (so no figure carries another's heap, threads or
 * leftovers) in its own process group, killed whole when it outlives its time limit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchSpec } from '../suite';
import type { BenchRun } from './results';

const REPOSITORY = path.resolve(__dirname, '../..');

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

export function commandOf(spec: BenchSpec): string {
  return ['npx tsx', spec.script, ...spec.args].join(' ');
}

export async function runBench(spec: BenchSpec): Promise<{ run: BenchRun; result?: object }> {
  const command = commandOf(spec);
  if (spec.skip)
    return { run: { name: spec.name, command, status: 'skipped', wallS: 0, reason: spec.skip } };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'worldtick-bench-'));
  const out = path.join(dir, 'result.json');
  const began = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', spec.script, ...spec.args, '--out', out],
    {
      cwd: REPOSITORY,
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true, // its own process group: servers, browsers and workers go with it
    },
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup(child.pid!);
  }, spec.timeoutS * 1000);
  const stopOnInterrupt = () => killGroup(child.pid!);
  process.once('SIGINT', stopOnInterrupt);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  process.off('SIGINT', stopOnInterrupt);
  killGroup(child.pid!); // whatever it left running (a server it spawned, a browser)
  const wallS = Math.round((performance.now() - began) / 100) / 10;
  try {
    if (code !== 0) {
      const reason = timedOut
        ? `ran past its ${spec.timeoutS} s limit`
        : `exited with code ${code}`;
      return { run: { name: spec.name, command, status: 'failed', wallS, reason } };
    }
    const result = JSON.parse(readFileSync(out, 'utf8'));
    return { run: { name: spec.name, command, status: 'ok', wallS }, result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
