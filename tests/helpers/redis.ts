/**
 * A real Redis for tests: the one at 127.0.0.1:6379 when it answers, else a
 * `redis-server` started here on a free port (no persistence, data in a temp dir).
 * Outage tests start their own (`startOwnRedis`) and kill it.
 * Tests share whichever it is, so each works under its own key prefix and deletes
 * its keys afterwards.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';

export interface TestRedis {
  url: string;
  /** Stops the server this helper started; leaves a shared one running. */
  stop(): Promise<void>;
}

const SHARED = { host: '127.0.0.1', port: 6379 };
const START_TIMEOUT_MS = 5000;

export async function startRedis(): Promise<TestRedis> {
  if (await answersPing(SHARED.host, SHARED.port)) {
    return { url: `redis://${SHARED.host}:${SHARED.port}`, stop: async () => {} };
  }
  return startOwnRedis();
}

/** A redis-server of the test's own, which it may kill and start again (outages). */
export interface OwnRedis extends TestRedis {
  /** SIGKILL: a crash, with nothing flushed that was not already on disk. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data folder (with AOF, the data comes back). */
  restart(): Promise<void>;
}

/**
 * Always starts a new redis-server on a free port. `appendOnly`: an AOF fsynced on every
 * write, as a deployment whose action log must survive a Redis restart would run it.
 * `host`: an address to listen on besides loopback (test hosts in network namespaces
 * reach it there); the URL then names it.
 */
export async function startOwnRedis(
  options: { appendOnly?: boolean; host?: string } = {},
): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'worldtick-redis-'));
  const persistence = options.appendOnly
    ? ['--appendonly', 'yes', '--appendfsync', 'always']
    : ['--appendonly', 'no'];
  // Past loopback Redis refuses password-less clients unless told not to: the test
  // network is this machine's own bridge.
  const bind = options.host ? ['127.0.0.1', options.host, '--protected-mode', 'no'] : ['127.0.0.1'];
  const args = ['--port', String(port), '--bind', ...bind, '--save', '', ...persistence];
  let server: ChildProcess;
  const start = async () => {
    server = spawn('redis-server', [...args, '--dir', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      await waitForPing(server, port);
    } catch (error) {
      await kill(server, 'SIGTERM');
      throw error;
    }
  };
  await start().catch((error) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    url: `redis://${options.host ?? '127.0.0.1'}:${port}`,
    kill: () => kill(server, 'SIGKILL'),
    restart: start,
    stop: async () => {
      await kill(server, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A key prefix no other test run uses (and that `deleteKeys` can clear). */
export function uniqueKeyPrefix(label: string): string {
  return `worldtick-test:${label}:${process.pid}-${randomBytes(4).toString('hex')}:`;
}

/** Deletes every key under `prefix`; returns how many there were. */
export async function deleteKeys(url: string, prefix: string): Promise<number> {
  const client = createClient({ url });
  await client.connect();
  let deleted = 0;
  try {
    const match = prefix.replace(/[*?[\]\\]/g, '\\$&') + '*';
    for await (const keys of client.scanIterator({ MATCH: match, COUNT: 500 })) {
      if (keys.length > 0) deleted += await client.del(keys);
    }
  } finally {
    await client.close();
  }
  return deleted;
}

/** One raw PING: no client library retries, so an absent server answers false at once. */
function answersPing(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function waitForPing(server: ChildProcess, port: number): Promise<void> {
  let stderr = '';
  let ended = false;
  server.stderr?.on('data', (chunk) => (stderr += chunk));
  server.once('error', (error) => {
    ended = true;
    stderr += error.message;
  });
  server.once('exit', () => (ended = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && !ended) {
    if (await answersPing('127.0.0.1', port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `redis-server on port ${port} did not answer within ${START_TIMEOUT_MS} ms ` +
      `(is the redis-server package installed?) ${stderr.trim()}`,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function kill(server: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const gone = server.pid === undefined || server.exitCode !== null || server.signalCode !== null;
  if (gone) return Promise.resolve();
  return new Promise((resolve) => {
    server.once('exit', () => resolve());
    server.kill(signal);
  });
}
