/** CPU time and memory of other processes (Linux /proc), for servers and workers the benchmarks start. */
import { readdirSync, readFileSync } from 'node:fs';

/** /proc/<pid>/stat counts CPU time in clock ticks of USER_HZ (100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU milliseconds the process has used so far (all its threads). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "pid (comm) ": state is field 3, so utime (14) and stime (15) sit at 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return kb ? Number(kb[1]) * 1024 : 0;
}

/** Direct children of a process (every thread's list). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (list) children.push(...list.split(' ').map(Number));
  }
  return children;
}

/** This process's own CPU milliseconds so far (every thread, native addons included). */
export function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Cumulative CPU ms of mediasoup workers (their own accounting, via getResourceUsage). */
export async function workersCpuMs(
  workers: readonly { getResourceUsage(): Promise<{ ru_utime: number; ru_stime: number }> }[],
): Promise<number> {
  const usage = await Promise.all(workers.map((w) => w.getResourceUsage()));
  return usage.reduce((sum, u) => sum + u.ru_utime + u.ru_stime, 0);
}
