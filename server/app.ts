/**
 * Assembles one server process: media workers, the frame source, the sessions, the
 * tick loop, HTTP and Socket.IO. `startServer` is what `npm start` runs and what the
 * integration and end-to-end tests start in-process.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { Server as SocketServer } from 'socket.io';
import { Config } from './config';
import { Capacity, capacityOf } from './fleet/capacity';
import { EdgeFeeds } from './fleet/edge-feeds';
import { EdgeRelays } from './fleet/edge-relays';
import { Failover } from './fleet/failover';
import { Placement } from './fleet/placement';
import { SpectatorSteering } from './fleet/steering';
import { createFrameSource } from './generator/create-source';
import { FrameSource } from './generator/frame-source';
import { Logger } from './log';
import { RelayMedia } from './media/relay-media';
import { SessionMedia } from './media/session-media';
import { WorkerPool } from './media/worker-pool';
import { Metrics } from './metrics';
import { VocabularyCodec } from './protocol/vocabulary';
import { ticksFromSeconds } from './session/control/options';
import { JoinTokens } from './session/join-tokens';
import { LobbyAccess } from './session/lobby-access';
import { SessionRegistry } from './session/registry';
import { Session } from './session/session';
import { broadcastRelay, broadcastSession, registerHandlers } from './signaling/handlers';
import { guardedParser } from './signaling/payload-guard';
import { createStore, StateStore } from './store';
import { StoreSync } from './store-sync';
import { TickLoop } from './tick/tick-loop';
import { clientBuild } from './web/client-build';
import { listen } from './web/listen';

export interface RunningServer {
  url: string;
  registry: SessionRegistry;
  pool: WorkerPool;
  loop: TickLoop;
  metrics: Metrics;
  tokens: JoinTokens;
  /** The operator key that lets a connection create sessions (CREATE_KEY, or a random one). */
  createKey: string;
  /** Host join tokens of the sessions configured at start-up. */
  hostTokens: Record<string, string>;
  store: StateStore;
  source: FrameSource;
  /** Sessions this process ticks within budget, and how that was found. */
  capacity: Capacity;
  /** This run's id in the fleet's registry. */
  processId: string;
  /** Takes over the sessions of processes that died (with Redis). */
  failover: Failover;
  /** Other processes' sessions relayed here for spectators (with Redis; null alone). */
  edges: EdgeRelays | null;
  /**
   * Stops taking sessions (the fleet places new ones elsewhere), tells members, and
   * resolves when nobody is connected here or after `withinMs`; `close` follows.
   */
  drain(withinMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Viewers one media worker serves by default (VIEWER_CAPACITY). */
const VIEWERS_PER_WORKER = 500;
/** How long an edge waits for a session's origin to answer. */
const EDGE_REQUEST_TIMEOUT_MS = 5000;

/** Socket.IO refuses (and disconnects) anything larger outright; handlers check tighter per-event limits (the largest: a video prompt). */
const MAX_SOCKET_MESSAGE_BYTES = 320 * 1024;

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
  const source = await createFrameSource(config, log);
  const capacity = await capacityOf(source, {
    tickHz: config.TICK_HZ,
    configured: config.SESSION_CAPACITY,
    maxSessions: config.MAX_SESSIONS,
  });
  log.info('session capacity', { sessions: capacity.sessions, basis: capacity.basis });
  if (config.SESSIONS.length > capacity.sessions)
    log.warn('more sessions configured than this process ticks within budget', {
      configured: config.SESSIONS.length,
      capacity: capacity.sessions,
    });
  const processId = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const metrics = new Metrics();
  /** The one video format of every session, told to clients at join. */
  const video = {
    width: source.width,
    height: source.height,
    fps: config.TICK_HZ,
    codec: config.VIDEO_CODEC,
    source: source.name,
  };
  const vocabulary = new VocabularyCodec(source.vocabulary);
  const registry = new SessionRegistry({
    source,
    vocabulary,
    createVideo: () =>
      SessionMedia.create(pool, {
        ...video,
        listenIp: config.MEDIA_LISTEN_IP,
        announcedAddress: config.MEDIA_ANNOUNCED_ADDRESS,
        playoutDelayMaxMs: config.PLAYOUT_DELAY_MS,
      }),
    control: {
      mode: config.CONTROL_MODE,
      staleTicks: ticksFromSeconds(config.INPUT_STALE_MS / 1000, config.TICK_HZ),
      democracy: { windowTicks: ticksFromSeconds(config.VOTE_WINDOW_MS / 1000, config.TICK_HZ) },
      roundRobin: { turnTicks: ticksFromSeconds(config.TURN_MS / 1000, config.TICK_HZ) },
      instructions: { rule: config.INSTRUCTION_RULE },
    },
    inputRateLimit: config.INPUT_RATE_LIMIT,
    capacity: { host: 1, player: config.MAX_PLAYERS, spectator: config.MAX_SPECTATORS },
    idleCloseMs: config.IDLE_CLOSE_MS,
    unjoinedCloseMs: config.UNJOINED_CLOSE_MS,
    sessionCapacity: capacity.sessions,
    pauseWhenEmpty: config.PAUSE_WHEN_EMPTY,
    reconnectWindowMs: config.RECONNECT_WINDOW_MS,
    log,
  });
  if (!config.JOIN_SECRET)
    log.warn('JOIN_SECRET unset: join tokens are signed with a random per-process secret');
  const tokens = new JoinTokens(
    config.JOIN_SECRET ?? randomBytes(32).toString('hex'),
    config.JOIN_TOKEN_TTL_S,
    config.INVITE_MAX_JOINS,
  );

  const createKey = config.CREATE_KEY ?? randomBytes(16).toString('hex');
  const lobbyAccess = new LobbyAccess(createKey, tokens, {
    perCredential: config.CREATE_QUOTA,
    perAddress: config.CREATE_ADDRESS_QUOTA,
  });

  const store = await createStore(config.STORE_URL, {
    ttlMs: config.STORE_TTL_MS,
    keyPrefix: config.STORE_KEY_PREFIX,
    log,
  });
  const io = new SocketServer({
    adapter: store.createSocketAdapter(),
    maxHttpBufferSize: MAX_SOCKET_MESSAGE_BYTES,
    parser: guardedParser,
    serveClient: false,
    // Members who drop keep their socket id, rooms and membership for the window.
    connectionStateRecovery: {
      maxDisconnectionDuration: config.RECONNECT_WINDOW_MS,
      skipMiddlewares: true,
    },
  });
  // Spectators across hosts (with Redis): this process pipes its sessions to edges that
  // ask, and relays other processes' sessions to spectators who connect here.
  const feeds = new EdgeFeeds({ registry, leaseMs: config.STORE_TTL_MS, log });
  const edges =
    store.kind === 'redis'
      ? new EdgeRelays({
          bus: store.bus,
          directory: store.sessions,
          processId,
          frameSource: source.name,
          openMedia: () =>
            RelayMedia.open(pool, {
              listenIp: config.MEDIA_LISTEN_IP,
              announcedAddress: config.MEDIA_ANNOUNCED_ADDRESS,
            }),
          spectators: config.MAX_SPECTATORS,
          inputRateLimit: config.INPUT_RATE_LIMIT,
          renewMs: config.STORE_TTL_MS / 3,
          requestTimeoutMs: EDGE_REQUEST_TIMEOUT_MS,
          resumable: async (id) => (await store.actions.unfinished()).includes(id),
          lostAfterMs: 3 * config.STORE_TTL_MS,
          log,
        })
      : null;
  edges?.on('opened', (relay) => broadcastRelay(io, relay));
  if (edges) {
    await store.bus.listen(processId, (body) => feeds.handle(body));
    feeds.start();
  }
  const viewerCapacity = config.VIEWER_CAPACITY ?? config.MEDIA_WORKERS * VIEWERS_PER_WORKER;
  const viewers = () => registry.viewers() + (edges?.viewers() ?? 0);
  registerHandlers(io, {
    registry,
    edges,
    steering: new SpectatorSteering(store.sessions, store.processes),
    directory: store.sessions,
    placement: new Placement(store.processes, processId),
    fleet: async () => {
      if (!store.available) return [];
      const loads = await store.processes.list().catch(() => []);
      return loads.filter((p) => p.processId !== processId).map((p) => p.url);
    },
    tokens,
    lobbyAccess,
    video,
    vocabulary,
    startsFrom: source.startsFrom,
    openInvites: config.OPEN_INVITES,
    reconnectWindowMs: config.RECONNECT_WINDOW_MS,
    log,
  });
  const countSessions = () => {
    metrics.sessions.set(registry.all().length);
    // (An edge has no session capacity: it is full as soon as it has any session.)
    metrics.capacityUsed.set(capacity.sessions ? registry.all().length / capacity.sessions : 1);
  };
  registry.on('created', (session: Session) => {
    broadcastSession(io, session, () => store.available);
    session.on('tick', (m) => metrics.observeSessionTick(m));
    countSessions();
  });
  registry.on('closed', countSessions);
  const hostTokens: Record<string, string> = {};
  for (const id of config.SESSIONS) {
    await registry.create(id, { seed: seedOf(id) }, { persistent: true });
    // The operator's own link, printed once: good for any number of joins (one host at a time).
    hostTokens[id] = await tokens.issue(id, 'host', 'host', 0);
  }
  const idleSweep = setInterval(
    () => registry.closeIdle(),
    Math.min(config.IDLE_CLOSE_MS, config.UNJOINED_CLOSE_MS, 5000) / 2,
  );

  const loop = new TickLoop(config.TICK_HZ, registry, source, log);
  let overruns = 0;
  loop.clock.on('tick', (t) => {
    const total = loop.clock.stats().overruns;
    metrics.observeTick(t, total - overruns);
    overruns = total;
    const consumers = viewers();
    metrics.consumers.set(consumers);
    metrics.viewersUsed.set(consumers / viewerCapacity);
    metrics.edgeRelays.set(edges?.all().length ?? 0);
    metrics.pausedSessions.set(registry.all().filter((s) => registry.isPaused(s)).length);
  });
  loop.on('stepped', ({ stepMs }) => metrics.observeStep(stepMs));

  const syncRef: { current?: StoreSync } = {};
  const listener = await listen(
    config.SOCKET_ENGINE,
    io,
    {
      client: await clientBuild(),
      metrics: metrics.registry,
      ready: () => !registry.isDraining,
      health: () => ({
        ok: true,
        sessions: registry.all().length,
        capacity: capacity.sessions,
        draining: registry.isDraining,
        tick: loop.clock.stats(),
        // (The sync starts once the port is known; until then nothing is logged yet.)
        store: { available: store.available, actionLog: syncRef.current?.logStats() },
      }),
    },
    config.HOST,
    config.PORT,
  );
  const port = listener.port;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  /** Where clients of this process's sessions connect (what the fleet is told). */
  const publicUrl = config.PUBLIC_URL ?? url;
  const sync = new StoreSync({
    store,
    registry,
    processId,
    url: publicUrl,
    load: () => ({
      sessions: registry.all().length,
      capacity: registry.sessionCapacity,
      viewers: viewers(),
      viewerCapacity,
      draining: registry.isDraining,
    }),
    origin: (session) => ({
      seed: session.seed,
      frameSource: source.name,
      width: video.width,
      height: video.height,
      tickHz: video.fps,
      title: session.title,
      controlMode: session.control.mode,
      instructionRule: session.control.options.instructions.rule,
    }),
    summary: (session) => {
      const { players, spectators, paused, uptimeMs } = registry.listing(session);
      return { players, spectators, paused, startedAt: Date.now() - uptimeMs };
    },
    logBufferTicks: config.LOG_BUFFER_TICKS,
    snapshot: (sessionId) => source.snapshot(sessionId),
    snapshotEveryTicks: ticksFromSeconds(config.SNAPSHOT_EVERY_MS / 1000, config.TICK_HZ),
    log,
  });
  syncRef.current = sync;
  await sync.start();
  // Sessions of processes that died are taken over; alone in memory there are none.
  const failover = new Failover({
    store,
    registry,
    source,
    processId,
    url: publicUrl,
    log,
  });
  // Twice per heartbeat: an orphan waits at most a sixth of the TTL past its lapse.
  if (store.kind === 'redis') failover.start(config.STORE_TTL_MS / 6);
  // Ticks start only once the store logs them, so the action log begins at tick 0.
  loop.start();
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
    tokens,
    createKey,
    hostTokens,
    store,
    source,
    capacity,
    processId,
    failover,
    edges,
    async drain(withinMs) {
      log.info('draining', { withinMs, sessions: registry.all().length });
      await failover.stop();
      const drained = registry.drain(withinMs);
      await sync.announce();
      await drained;
    },
    async close() {
      clearInterval(idleSweep);
      await failover.stop();
      feeds.stop();
      edges?.closeAll('this server is shutting down');
      await loop.stop();
      await io.close();
      await sync.stop();
      registry.closeAll();
      await source.release();
      await pool.close();
      await listener.close();
      await store.close();
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
