/** The main command (`server/main.ts`) as a separate OS process, as it runs in production. */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  output: { stdout: string; stderr: string };
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function spawnMain(env: Record<string, string>): ServerProcess {
  const child = spawn(TSX, ['server/main.ts'], { cwd: ROOT, env: { ...process.env, ...env } });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (output.stdout += d));
  child.stderr.on('data', (d) => (output.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

/** The base URL the process announces once it is live. */
export function liveUrl(server: ServerProcess, timeoutMs = 30000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not live in time:\n${server.output.stderr}`)),
      timeoutMs,
    );
    const check = () => {
      const match = /live at (http:\/\/[^/\s]+)\//.exec(server.output.stdout);
      if (!match) return;
      clearTimeout(timer);
      server.child.stdout.off('data', check);
      resolve(match[1]);
    };
    server.child.stdout.on('data', check);
    check();
  });
}
