/**
 * The shape of every benchmark's result document (what `emitResult` writes and the
 * report renders). Types only: the report reads results without running any benchmark.
 */
import type { Machine } from './machine';
import type { Stage } from './photon-breakdown';
import type { BenchResult, ResultMeta } from './result';
import type { Summary } from './stats';

/** What a benchmark passes to emitResult (the metadata is added there). */
export type DataOf<R> = Omit<R, keyof ResultMeta>;

export interface EngineRow {
  size: string;
  frames: number;
  worldGenerationMs: number;
  framesPerSecond: number;
  msPerFrame: number;
  cpuSecondsPerWallSecond: number;
}
export type EngineResult = BenchResult<{ rows: EngineRow[] }>;

export interface EncodeRow {
  pipeline: string;
  codec: string;
  size: string;
  fps: number;
  frames: number;
  framesReceived: number;
  latencyMs: Summary;
  encodeToProducerMs: { p50: number; p99: number } | null;
  cpuPercentOfOneCore: { total: number; node: number; ffmpeg: number; worker: number };
  kbps: number;
  keyframes: number;
  lateJoinFirstFrameMs: Summary;
}
export type EncodeResult = BenchResult<{
  ffmpeg: string;
  ffmpegThreads: number;
  rows: EncodeRow[];
}>;

export interface TickRow {
  sessions: number;
  hz: number;
  ticks: number;
  startLatenessMs: Summary;
  tickDurationMs: Summary;
  overruns: number;
  overrunRate: number;
  serverCpuPercent: number;
}
export type TickResult = BenchResult<{ source: string; rows: TickRow[] }>;

export type TorchRun =
  | { skipped: string }
  | {
      /** weights: the step.onnx the torch graph's parameters were read from. */
      model: { name: string; version: string; weights: string; parameterTensors: number };
      torch: string;
      threads: number;
      runs: number;
      rows: { batch: number; ms: number }[];
      /** A sample of the step's frame for a fixed input (bench/generator_torch.py, check_inputs). */
      check: number[];
    };

export interface GeneratorRow {
  batch: number;
  ortMs: { p50: number; p90: number };
  ortFps: number;
  ortFpsPerCore: number;
  torchMs: number | null;
  torchFps: number | null;
  torchFpsPerCore: number | null;
  /** PyTorch eager ms / onnxruntime ms. */
  speedup: number | null;
}
export type GeneratorResult = BenchResult<{
  model:
    | { dir: string; unavailable: string }
    | {
        dir: string;
        name: string;
        version: string;
        frame: string;
        /** C x h x w of a format 1 model's latents; null where the ring holds frames (format 2). */
        latent: string | null;
        context: number;
        stepBytes: number;
      };
  onnxruntime?: string;
  threads: number;
  runs?: number;
  torch?:
    | { skipped: string }
    | (Omit<Extract<TorchRun, { rows: unknown }>, 'check'> & { sameModel: boolean | null });
  rows: GeneratorRow[];
}>;

export interface FanoutRow {
  kind: 'browser' | 'synthetic';
  viewers: number;
  serverCpuPercent: number;
  workerCpuPercent: number;
  /** The synthetic viewers' receiving process (not part of the server's cost). */
  receiverCpuPercent: number | null;
  egressKbps: number;
  kbpsPerViewer: number | null;
  /** Frames each viewer got per second: 10th percentile and median over viewers. */
  framesPerSecond: { p10: number; p50: number } | null;
  tickOverruns: number;
  held: boolean;
}
export interface PerViewerCost {
  workerCpuPercent: number;
  serverCpuPercent: number;
  kbps: number;
}
export type FanoutResult = BenchResult<{
  codec: string;
  size: string;
  hz: number;
  rows: FanoutRow[];
  maxHeld: number;
  stoppedBecause: string;
  perViewer: Record<FanoutRow['kind'], PerViewerCost>;
}>;

export interface EdgesRow {
  /** Server processes: the session's origin, and edges relaying it. */
  processes: number;
  viewers: number;
  /** Viewers on each process's router, origin first. */
  perProcess: number[];
  originWorkerCpuPercent: number;
  edgeWorkerCpuPercent: number[];
  workersCpuPercent: number;
  /** The one Node.js process all the servers ran in (tick, engine, encoder, signaling). */
  serverCpuPercent: number;
  /** The synthetic viewers' receiving processes (not part of the fleet's cost). */
  receiverCpuPercent: number;
  framesPerSecond: { p10: number; p50: number } | null;
  tickOverruns: number;
  held: boolean;
}
export type EdgesResult = BenchResult<{
  hz: number;
  seconds: number;
  rows: EdgesRow[];
  /** Most viewers held, by process count. */
  maxHeld: Record<string, number>;
  stoppedBecause: Record<string, string>;
  /** Least-squares slope of an edge's worker CPU over its viewers (held steps). */
  edgeWorkerPercentPerViewer: number | null;
  /** Slope of the origin's worker CPU over the edges it pipes to (steps with no viewers). */
  originWorkerPercentPerEdge: number | null;
}>;

export interface IngestRow {
  engine: string;
  /** Which measurement of this engine (1..rounds), each on a fresh server process. */
  round: number;
  load: 'closed-loop' | 'paced';
  clients: number;
  offered: string;
  messagesPerSecond: number;
  errors: number;
  ackMs: Summary;
  serverCpuPercent: number;
  /** The server with the clients joined and silent (ticks, broadcasts). */
  serverIdleCpuPercent: number;
  /** This benchmark's own process, every client in it. */
  clientCpuPercent: number;
  /** Server CPU above idle per acknowledged message, in microseconds. */
  serverCpuUsPerMessage: number;
}
export type IngestResult = BenchResult<{ rounds: number; rows: IngestRow[] }>;

export interface MemoryRow {
  sessions: number;
  serverRssMiB: number;
  workersRssMiB: number;
  totalRssMiB: number;
  ticks: number;
  overruns: number;
}
export type MemoryResult = BenchResult<{
  source: string;
  workers: number;
  rows: MemoryRow[];
  perSessionMiB: { server: number; total: number };
}>;

export interface FuzzCategoryRow {
  category: string;
  total: number;
  ok: number;
  /** Answered with INTERNAL or not answered at all. */
  untyped: number;
  /** Answers by outcome: 'ok', 'timeout' (unanswered) or the error code. */
  codes: Record<string, number>;
}
export interface OutageRow {
  seconds: number;
  ticksLogged: number;
  ticksMissingFromLog: number;
  originPresent: boolean;
  /** Longest wait between two ticks at a client, from the kill to 1 s after the restart. */
  longestClientGapMs: number;
}
/** A player steering and spectators watching one session for a while. */
export interface SoakResult {
  seconds: number;
  spectators: number;
  /** Ticks the player received in each whole second; `held`: the share of seconds with 19.5 or more. */
  ticksPerSecond: { min: number; median: number; held: number };
  /** Frames each synthetic viewer received per second: the lowest viewer's. */
  viewerFramesPerSecondMin: number;
  /** The server process's memory at the start and the end, and the slope over the second half. */
  rssMiB: { start: number; end: number };
  heapMiB: { start: number; end: number };
  slopeSecondHalfMiBPerMin: { rss: number; heap: number };
}
export type ReliabilityResult = BenchResult<{
  fuzz: {
    messages: number;
    clients: number;
    seed: number;
    seconds: number;
    /** Share of the messages answered with something other than INTERNAL or nothing. */
    typedErrorRate: number;
    untyped: number;
    internal: number;
    unanswered: number;
    byCategory: FuzzCategoryRow[];
    honestTicksPerSecond: { min: number; median: number };
    /** Median over 3 s on the same server and members just before the first hostile message. */
    honestTicksPerSecondQuiet: number;
    /** The server's tick clock during the fuzz: ticks run, and ticks skipped (one ran late). */
    serverTicks: { run: number; skipped: number };
    /** Messages sent per second, and the CPU (% of one core) of the server and of the clients. */
    messagesPerSecond: number;
    serverCpuPercent: number;
    clientCpuPercent: number;
    rssMiB: { start: number; end: number };
    rssSlopeSecondHalfMiBPerMin: number;
  };
  /** Absent from results written before the soak joined the run. */
  soak?: SoakResult;
  flood: {
    creates: number;
    refused: number;
    ticksPerSecondBefore: number;
    ticksPerSecondDuring: number;
  };
  outages: OutageRow[];
}>;

/** Averages per frame from the receiver's RTCInboundRtpStreamStats (a cross-check). */
export interface WebrtcAverages {
  framesDecoded: number;
  framesDropped: number;
  /** Time frames spent in the jitter buffer, and what it aimed for (target, minimum). */
  jitterBufferMs: number;
  jitterBufferTargetMs: number;
  jitterBufferMinimumMs: number;
  decodeMs: number;
  /** First packet received to decoded (totalProcessingDelay). */
  processingMs: number;
  assemblyMs: number;
}
export type PhotonResult = BenchResult<{
  requestedSource: string;
  /** The frame source's name as the server reports it. */
  source: string;
  /** Why the requested source could not be used (the engine ran instead). */
  fallback: string | null;
  hz: number;
  tickMs: number;
  /** The server's PLAYOUT_DELAY_MS: "0" (show at once) or "adaptive" (the browser's jitter buffer). */
  playoutDelay: string;
  /** Time between key changes, before the random part of a tick. */
  gapMs: number;
  actions: number;
  unmatched: number;
  /** Actions whose applied tick's frame was not presented; a later one was the photon. */
  laterFrameShown: number;
  totalMs: Summary;
  overheadMs: Summary;
  stagesMs: Record<Stage, Summary>;
  /** The slowest 5% of actions by overhead (from its p95 up): their mean per stage. */
  tail: { fromOverheadMs: number; actions: number; stagesMs: Record<Stage, number> };
  /** The page's own readout (key handler to rVFC callback), for comparison. */
  clientReadoutMs: Summary;
  /** Where the per-frame decode time came from. */
  decodeFrom: string;
  webrtc: WebrtcAverages | null;
  clock: { offsetMs: number; uncertaintyMs: number; driftMs: number };
}>;

export interface BenchRun {
  name: string;
  /** The exact command that produced the figure (runnable on its own). */
  command: string;
  status: 'ok' | 'failed' | 'skipped';
  wallS: number;
  /** Why it failed or was skipped. */
  reason?: string;
}
export interface SuiteRecord {
  mode: 'full' | 'smoke';
  command: string;
  startedAt: string;
  wallS: number;
  machine: Machine;
  runs: BenchRun[];
}

/** Every result the report knows, by benchmark name (absent: not run, failed or skipped). */
export interface PausedRow {
  sessions: number;
  /** Whether empty sessions pause (PAUSE_WHEN_EMPTY). */
  paused: boolean;
  serverCpuPercent: number;
  workersCpuPercent: number;
  totalCpuPercent: number;
  /** Ticks the process's clock ran (it runs whether or not any session steps). */
  ticks: number;
}
export type PausedResult = BenchResult<{
  source: string;
  seconds: number;
  rows: PausedRow[];
  /** (CPU with N paused sessions - CPU with none) / N, percent of one core (0 when not more). */
  perPausedSessionPercent: number;
  /** One /proc clock tick over the window, per session: what the measurement cannot see. */
  resolutionPercent: number;
}>;

export interface FailoverRow {
  trial: number;
  /** SIGKILL of the session's host -> the player's page on the host that resumed it. */
  movedMs: number;
  /** SIGKILL -> that page showed new frames. */
  videoAgainMs: number;
  /** The last tick the page showed: the resumed world goes on, it does not restart. */
  lastShownTick: number;
}
export type FailoverResult = BenchResult<{
  /** Registry TTL (STORE_TTL_MS): how long a dead host's claim outlives it. */
  ttlMs: number;
  rows: FailoverRow[];
  videoAgainMs: Summary;
}>;

export interface AdmissionRow {
  label: string;
  sessions: number;
  capacity: number;
  /** Whether one more session was asked for and refused (NO_CAPACITY) before the window. */
  refused: boolean;
  ticks: number;
  overruns: number;
  overrunRate: number;
}
export type AdmissionResult = BenchResult<{
  source: string;
  seconds: number;
  rows: AdmissionRow[];
}>;

export interface SuiteResults {
  admission?: AdmissionResult;
  failover?: FailoverResult;
  paused?: PausedResult;
  edges?: EdgesResult;
  engine?: EngineResult;
  encode?: EncodeResult;
  generator?: GeneratorResult;
  tick?: TickResult;
  'tick-generator'?: TickResult;
  fanout?: FanoutResult;
  ingest?: IngestResult;
  memory?: MemoryResult;
  'action-to-photon'?: PhotonResult;
  'action-to-photon-adaptive'?: PhotonResult;
  reliability?: ReliabilityResult;
}
