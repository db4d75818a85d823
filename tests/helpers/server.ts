/**
 * Starts a real worldtick server in-process (real mediasoup) for a test. Frames come from
 * the engine unless the test asks for FRAME_SOURCE=generator: most suites assert the
 * engine's exact behaviour.
 */
import { io, Socket } from 'socket.io-client';
import { RunningServer, startServer } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';

export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    MEDIA_WORKERS: '1',
    MEDIASOUP_WORKER_BIN: process.env.MEDIASOUP_WORKER_BIN,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    FRAME_SOURCE: 'engine',
    // Not this machine's measured speed: suites must not depend on it (fleet tests set it).
    SESSION_CAPACITY: '32',
    ...env,
  });
  return startServer(config, createLogger(config.LOG_LEVEL));
}

/** A client of `server` holding its operator key, so it may create sessions. */
export async function connect(server: RunningServer): Promise<Socket> {
  const socket = io(server.url, {
    transports: ['websocket'],
    forceNew: true,
    auth: { key: server.createKey },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

export type Reply =
  { ok: true; [key: string]: unknown } | { ok: false; error: { code: string; message: string } };

export function ask(socket: Socket, event: string, payload?: unknown): Promise<Reply> {
  return socket.timeout(5000).emitWithAck(event, payload) as Promise<Reply>;
}

/** Resolves with the first event of `name` that satisfies `test`. */
export function waitFor<T>(
  socket: Socket,
  name: string,
  test: (value: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(name, listener);
      reject(new Error(`no matching "${name}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (value: T) => {
      if (!test(value)) return;
      clearTimeout(timer);
      socket.off(name, listener);
      resolve(value);
    };
    socket.on(name, listener);
  });
}

/** Resolves once `test` holds, checking every `everyMs`; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(
  test: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5000,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Joins `sessionId` as `role` with a token signed by the server's own key. */
export async function joinAs(
  server: RunningServer,
  socket: Socket,
  sessionId: string,
  role: 'host' | 'player' | 'spectator',
  name: string = role,
): Promise<Reply> {
  return ask(socket, 'join', { token: await server.tokens.issue(sessionId, role, name) });
}

/** The clients a suite opens on its server, closed together when it ends. */
export class SuiteClients {
  private readonly sockets: Socket[] = [];

  constructor(private readonly server: () => RunningServer) {}

  async open(): Promise<Socket> {
    return this.track(await connect(this.server()));
  }

  track(socket: Socket): Socket {
    this.sockets.push(socket);
    return socket;
  }

  closeAll(): void {
    for (const socket of this.sockets.splice(0)) socket.close();
  }
}
