/** The main command (`server/main.ts`) as a separate OS process, as it runs in production. */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  output: { stdout: string; stderr: string };
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Node itself with tsx's loader (not the tsx CLI, which forks), so `child.pid` is the
 * server. `netns`: run it inside that network namespace (a test host; see netns.ts).
 */
export function spawnMain(env: Record<string, string>, netns?: string): ServerProcess {
  const command = [process.execPath, '--import', 'tsx', 'server/main.ts'];
  // `ip netns exec` execs the command: the child's pid is the server's own.
  const [file, ...args] = netns ? ['ip', 'netns', 'exec', netns, ...command] : command;
  const child = spawn(file, args, {
    cwd: ROOT,
    // A SIGTERM that ends a test stops at once, unless the test is about draining.
    env: { ...process.env, DRAIN_TIMEOUT_MS: '0', ...env },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (output.stdout += d));
  child.stderr.on('data', (d) => (output.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

/**
 * The main command as a test's own extra process: on loopback, a free port, one media
 * worker and warnings only, unless `env` says otherwise.
 */
export function spawnLocalMain(env: Record<string, string>): ServerProcess {
  return spawnMain({
    PORT: '0',
    HOST: '127.0.0.1',
    MEDIA_WORKERS: '1',
    LOG_LEVEL: 'warn',
    ...env,
  });
}

/** The base URL the process announces once it is live; rejects at once if it exits first. */
export function liveUrl(server: ServerProcess, timeoutMs = 30000): Promise<string> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      server.child.stdout.off('data', check);
      server.child.off('exit', exited);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`not live in time:\n${server.output.stderr}`));
    }, timeoutMs);
    const exited = (code: number | null) => {
      done();
      reject(new Error(`exited (code ${code}) before it was live:\n${server.output.stderr}`));
    };
    const check = () => {
      const match = /live at (http:\/\/[^/\s]+)\//.exec(server.output.stdout);
      if (!match) return;
      done();
      resolve(match[1]);
    };
    server.child.stdout.on('data', check);
    server.child.once('exit', exited);
    check();
  });
}
