/**
 * The server as its own OS process (`server/main.ts`, as deployed), for figures that
 * need its CPU and memory apart from the benchmark's clients; or, where synthetic viewers
 * need its router, the server started in a forked process of its own (viewed-server-child.ts).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { liveUrl, spawnMain } from '../../tests/helpers/process';

export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 10000;

/** `liveMs`: how long start-up may take (many sessions each build a world and an encoder). */
export async function startServerProcess(
  env: Record<string, string>,
  liveMs = 60000,
): Promise<ServerProcess> {
  const server = spawnMain({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    FRAME_SOURCE: 'engine',
    // Benchmarks measure sessions that tick, watched or not.
    PAUSE_WHEN_EMPTY: 'false',
    ...env,
  });
  const url = await liveUrl(server, liveMs).catch(async (error) => {
    server.child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    pid: server.child.pid!,
    async stop() {
      server.child.kill('SIGTERM');
      const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await server.exited;
      clearTimeout(timer);
    },
  };
}

export interface ViewedServerSpec {
  env: Record<string, string>;
  /** The one session, and how many synthetic viewers watch it. */
  session: string;
  viewers: number;
}

export interface ViewedServerReport {
  /** The server process's memory every second of the window (V8 heap: `heapUsed`). */
  memory: { s: number; rssBytes: number; heapBytes: number }[];
  /** Frames each viewer received per second over the window. */
  viewerFramesPerSecond: number[];
}

export interface ViewedServer extends ServerProcess {
  /** Starts the measured window: memory sampled, viewers' frames counted. */
  window(): Promise<void>;
  /** Ends the window and returns what it measured. */
  report(): Promise<ViewedServerReport>;
}

/** A server whose session `spec.session` has `spec.viewers` synthetic viewers. */
export async function startViewedServer(
  spec: ViewedServerSpec,
  liveMs = 60000,
): Promise<ViewedServer> {
  const child = fork(path.join(__dirname, 'viewed-server-child.ts'), [JSON.stringify(spec)], {
    execArgv: ['--import', 'tsx'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = <T>(message?: string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the viewed server did not answer')), liveMs);
      child.once('message', (reply) => {
        clearTimeout(timer);
        resolve(reply as T);
      });
      void exited.then(() => reject(new Error(`the viewed server exited (${child.exitCode})`)));
      if (message) child.send(message);
    });
  const { url } = await next<{ url: string }>().catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    pid: child.pid!,
    window: () => next<void>('window'),
    report: () => next<ViewedServerReport>('report'),
    async stop() {
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
