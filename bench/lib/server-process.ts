/**
 * The server as its own OS process (`server/main.ts`, as deployed), for figures that
 * need its CPU and memory apart from the benchmark's clients.
 */
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
