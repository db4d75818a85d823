/**
 * Server configuration from the environment, validated in one place. Every invalid
 * variable is reported at once, with what was expected, before anything starts.
 */
import os from 'node:os';
import { z } from 'zod';
import { MAX_PLAYOUT_DELAY_MS } from './media/rtp-packetizer';
import { SessionId } from './protocol/client-events';

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const ConfigSchema = z.object({
  PORT: intIn(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Socket.IO's transport: Node's HTTP server, or uWebSockets.js when installed. */
  SOCKET_ENGINE: z.enum(['node', 'uws']).default('node'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Ticks per second of every session's clock. */
  TICK_HZ: intIn(1, 120).default(20),
  /** Where frames are made: the learned generator (MODEL_DIR), or the procedural engine. */
  FRAME_SOURCE: z.enum(['generator', 'engine']).default('generator'),
  /** The generator's model folder (manifest.json + ONNX graphs); relative paths start at the repository. */
  MODEL_DIR: z.string().min(1).default('model/shipped'),
  /** onnxruntime execution provider: auto picks CUDA where its provider library is installed, else the CPU. */
  GENERATOR_PROVIDER: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  GENERATOR_THREADS: intIn(1, 256).default(Math.min(2, os.cpus().length)),
  /** Most sessions stepped in one generator call; more run as further calls in the same tick. */
  GENERATOR_MAX_BATCH: intIn(1, 256).default(8),
  /** Frame size of the engine source (the generator's comes from its manifest). */
  FRAME_WIDTH: intIn(16, 1024).default(128),
  FRAME_HEIGHT: intIn(16, 1024).default(128),
  VIDEO_CODEC: z.enum(['vp8', 'h264']).default('vp8'),
  /**
   * Most milliseconds a browser may hold a frame before showing it (RTP playout-delay,
   * 10 ms steps). 0 shows every frame as soon as it is decoded: the cloud-play setting.
   * "adaptive": the browser's own jitter buffer, smoother on lossy networks, ~2 frames later.
   */
  PLAYOUT_DELAY_MS: z
    .union([z.literal('adaptive').transform(() => null), intIn(0, MAX_PLAYOUT_DELAY_MS)], {
      error: `expected "adaptive" or whole milliseconds 0..${MAX_PLAYOUT_DELAY_MS}`,
    })
    .default(0),
  /** Sessions that exist from start-up (comma-separated ids). */
  SESSIONS: z
    .string()
    .default('default')
    .transform((s) =>
      s
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(z.array(SessionId)),
  MEDIA_WORKERS: intIn(1, 256).default(os.cpus().length),
  MEDIA_LISTEN_IP: z.string().min(1).default('127.0.0.1'),
  /** Address put in ICE candidates when clients reach the server through another one. */
  MEDIA_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  RTC_MIN_PORT: intIn(1024, 65535).default(40000),
  RTC_MAX_PORT: intIn(1024, 65535).default(49999),
  MEDIASOUP_WORKER_BIN: z.string().min(1).optional(),
  /** Secret that signs join tokens; every process of one deployment must share it. Unset: a random one per process (single-process use). */
  JOIN_SECRET: z.string().min(16, 'JOIN_SECRET must be at least 16 characters').optional(),
  JOIN_TOKEN_TTL_S: intIn(60, 31 * 24 * 3600).default(24 * 3600),
  /** Seats one invite (or create) token may take: 1 = single-use; 0 = any number. Resuming a seat takes none. */
  INVITE_MAX_JOINS: intIn(0, 1_000_000).default(1),
  /** Whether anyone may ask for a player or spectator invite (on for local play; off: only hosts invite). */
  OPEN_INVITES: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  MAX_PLAYERS: intIn(1, 1000).default(8),
  /** Sessions one process serves at once (each costs a router and an encoder). */
  MAX_SESSIONS: intIn(1, 10000).default(32),
  /**
   * Sessions this process ticks within budget; more are placed on another process of the
   * fleet, or refused with NO_CAPACITY. Unset: measured at start-up from the frame
   * source's step time (server/fleet/capacity.ts). Never above MAX_SESSIONS. 0: an edge
   * process, serving only spectators of other processes' sessions.
   */
  SESSION_CAPACITY: intIn(0, 10000).optional(),
  MAX_SPECTATORS: intIn(0, 100000).default(500),
  /**
   * Most viewers this process's media workers serve, here and as an edge of other
   * processes' sessions: what spectator steering fills. Unset: 500 per media worker (one
   * worker held 512 of a 128x128 stream on one core, docs/BENCHMARKS.md).
   */
  VIEWER_CAPACITY: intIn(1, 10000000).optional(),
  /** A member whose connection drops keeps its seat, votes and media this long. */
  RECONNECT_WINDOW_MS: intIn(0, 3600000).default(120000),
  /**
   * Whether a session with nobody connected sits its ticks out (no step, no encode) and
   * resumes where it stopped when someone joins. Off only for benchmarks of a loaded tick.
   */
  PAUSE_WHEN_EMPTY: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /**
   * On SIGTERM: how long sessions may go on (their members told, no new session taken)
   * before the process closes them and exits. Keep it under the orchestrator's grace
   * period (Kubernetes: terminationGracePeriodSeconds, 30 s by default).
   */
  DRAIN_TIMEOUT_MS: intIn(0, 3600000).default(25000),
  /** Sessions created at run time close after this long with nobody connected. */
  IDLE_CLOSE_MS: intIn(1000, 24 * 3600000).default(300000),
  /** ...and after this long when nobody ever joined them (a creation that was never used). */
  UNJOINED_CLOSE_MS: intIn(1000, 24 * 3600000).default(30000),
  /** Operator key that lets a connection create sessions (Socket.IO auth `{ key }`). Unset: a random one per process, printed at start. */
  CREATE_KEY: z.string().min(16, 'CREATE_KEY must be at least 16 characters').optional(),
  /** Sessions one credential (the operator key, or one create token's subject) may keep open. */
  CREATE_QUOTA: intIn(1, 10000).default(8),
  /** Sessions one client address may keep open, whatever its credentials. */
  CREATE_ADDRESS_QUOTA: intIn(1, 10000).default(8),
  /** How a session's members steer at start: solo pilot, round-robin turns, democracy vote, or anarchy. */
  CONTROL_MODE: z.enum(['solo', 'round-robin', 'democracy', 'anarchy']).default('anarchy'),
  /** How proposed instructions are approved: by the host, or by a vote of the players. */
  INSTRUCTION_RULE: z.enum(['host', 'vote']).default('vote'),
  /** Democracy vote window and turn length (round-robin), in milliseconds. */
  VOTE_WINDOW_MS: intIn(1, 60000).default(1000),
  TURN_MS: intIn(50, 3600000).default(10000),
  /** Redis URL of the shared state store (several processes); unset: in memory, this process only. */
  STORE_URL: z.string().url().optional(),
  STORE_TTL_MS: intIn(1000, 600000).default(15000),
  STORE_KEY_PREFIX: z.string().min(1).default('worldtick:'),
  /** Action-log entries held while Redis is away, all sessions together (10 min of one session at 20 Hz); more are dropped and counted. */
  LOG_BUFFER_TICKS: intIn(100, 10_000_000).default(12_000),
  /**
   * How often a session whose frame source cannot replay its log exactly (a generator)
   * stores a snapshot of its state, from which another process resumes it (failover).
   */
  SNAPSHOT_EVERY_MS: intIn(100, 3600000).default(5000),
  /** This process's address as clients reach it (what the session registry tells them). */
  PUBLIC_URL: z.string().url().optional(),
  /** Members' held keys are released when not refreshed for this long (lost clients). */
  INPUT_STALE_MS: intIn(100, 60000).default(1000),
  /** Per-member limit on input messages per second; the excess is rejected. */
  INPUT_RATE_LIMIT: intIn(1, 10000).default(60),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Every variable the server reads (deployment manifests are checked against it). */
export const CONFIG_KEYS = Object.keys(ConfigSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  if (result.data.RTC_MIN_PORT > result.data.RTC_MAX_PORT) {
    throw new ConfigError('invalid configuration:\n  RTC_MIN_PORT must not exceed RTC_MAX_PORT');
  }
  return result.data;
}
