/**
 * Assembles one server process: media workers, the frame source, the sessions, the
 * tick loop, HTTP and Socket.IO. `startServer` is what `npm start` runs and what the
 * integration and end-to-end tests start in-process.
 */
import { Server as SocketServer } from 'socket.io';
import { Config } from './config';
import { EngineFrameSource } from './generator/engine-source';
import { Logger } from './log';
import { SessionMedia } from './media/session-media';
import { WorkerPool } from './media/worker-pool';
import { Metrics } from './metrics';
import { SessionRegistry } from './session/registry';
import { broadcastSession, registerHandlers } from './signaling/handlers';
import { TickLoop } from './tick/tick-loop';
import { bundleClient } from './web/client-bundle';
import { listen } from './web/listen';

export interface RunningServer {
  url: string;
  registry: SessionRegistry;
  pool: WorkerPool;
  loop: TickLoop;
  metrics: Metrics;
  close(): Promise<void>;
}

/** Socket.IO refuses (and disconnects) anything larger outright; handlers check tighter per-event limits. */
const MAX_SOCKET_MESSAGE_BYTES = 100 * 1024;

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const pool = await WorkerPool.create({
    size: config.MEDIA_WORKERS,
    workerBin: config.MEDIASOUP_WORKER_BIN,
    rtcMinPort: config.RTC_MIN_PORT,
    rtcMaxPort: config.RTC_MAX_PORT,
  });
  pool.on('workerReplaced', (info: unknown) =>
    log.warn('media worker died and was replaced', { info }),
  );
  const source = new EngineFrameSource(config.FRAME_WIDTH, config.FRAME_HEIGHT);
  const metrics = new Metrics();
  const registry = new SessionRegistry({
    source,
    createVideo: () =>
      SessionMedia.create(pool, {
        codec: config.VIDEO_CODEC,
        width: config.FRAME_WIDTH,
        height: config.FRAME_HEIGHT,
        fps: config.TICK_HZ,
        listenIp: config.MEDIA_LISTEN_IP,
        announcedAddress: config.MEDIA_ANNOUNCED_ADDRESS,
      }),
    staleInputMs: config.INPUT_STALE_MS,
    inputRateLimit: config.INPUT_RATE_LIMIT,
    log,
  });

  const io = new SocketServer({ maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES, serveClient: false });
  const video = {
    width: config.FRAME_WIDTH,
    height: config.FRAME_HEIGHT,
    fps: config.TICK_HZ,
    codec: config.VIDEO_CODEC,
  };
  registerHandlers(io, registry, video, log);

  for (const id of config.SESSIONS) {
    const session = await registry.create(id, seedOf(id));
    broadcastSession(io, session);
    session.on('tick', (m) => metrics.observeSessionTick(m));
  }
  metrics.sessions.set(registry.all().length);

  const loop = new TickLoop(config.TICK_HZ, registry, source, log);
  let overruns = 0;
  loop.clock.on('tick', (t) => {
    const total = loop.clock.stats().overruns;
    metrics.observeTick(t, total - overruns);
    overruns = total;
    metrics.consumers.set(registry.all().reduce((n, s) => n + s.video.stats().consumers, 0));
  });
  loop.on('stepped', ({ stepMs }) => metrics.observeStep(stepMs));
  loop.start();

  const listener = await listen(
    config.SOCKET_ENGINE,
    io,
    {
      clientScript: await bundleClient(),
      metrics: metrics.registry,
      health: () => ({ ok: true, sessions: registry.all().length, tick: loop.clock.stats() }),
    },
    config.HOST,
    config.PORT,
  );
  const port = listener.port;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  log.info('worldtick serving', {
    url,
    sessions: config.SESSIONS,
    source: source.name,
    tickHz: config.TICK_HZ,
  });

  return {
    url,
    registry,
    pool,
    loop,
    metrics,
    async close() {
      loop.stop();
      io.close();
      registry.closeAll();
      await pool.close();
      await listener.close();
      log.info('worldtick stopped');
    },
  };
}

/** A stable world seed per session id (FNV-1a), so a named session always starts the same world. */
export function seedOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
