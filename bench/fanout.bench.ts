/**
 * Fan-out: what each additional viewer of one session costs. The frame is encoded once
 * however many watch, so a viewer costs the SFU's forwarding (SRTP, RTCP) and its
 * bandwidth. Two kinds of viewer, added in steps on one session (engine frames):
 *
 *   browser    headless Chromium spectators (real WebRTC receivers; they share the CPU)
 *   synthetic  SRTP PlainTransport consumers sending to UDP sockets in a child process
 *              (synthetic-viewers.ts), doubling until the machine cannot hold them: a
 *              viewer gets under 95% of the frames, or the media worker is saturated
 *              (a step that would need over 110% of the worker's core is not tried)
 *
 * Per step: CPU of the server process (tick, engine, encoder) and of the media worker,
 * bytes the SFU sent to viewers, frames each viewer got. The alternative, an encoder
 * per viewer, is priced by bench/encode.bench.ts in the same suite run.
 * Run: npx tsx bench/fanout.bench.ts [--browsers 0,1,2,4 --synthetic 8,16,...,1024 --seconds 10]
 */
import { parseArgs } from 'node:util';
import type { types } from 'mediasoup';
import type { Page } from 'playwright-core';
import type { SessionMedia } from '../server/media/session-media';
import { launchChromium, pageState, waitForFrames } from '../tests/helpers/browser';
import { startTestServer } from '../tests/helpers/server';
import { cpuOverWindow, CpuWindow, sleep } from './lib/cpu-window';
import { bytesSent } from './lib/egress';
import { selfCpuMs, workersCpuMs } from './lib/proc';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, FanoutResult, FanoutRow, PerViewerCost } from './lib/results';
import { percentile, round, slope } from './lib/stats';
import { SyntheticViewers } from './lib/synthetic-viewers';

const { values } = parseArgs({
  options: {
    browsers: { type: 'string', default: '0,1,2,4' },
    synthetic: { type: 'string', default: '8,16,32,64,128,256,512,1024' },
    seconds: { type: 'string', default: '10' },
    hz: { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});
const SESSION = 'fanout';
const SETTLE_MS = 1000; // new viewers' keyframes, transports of closed pages freed
/** A viewer is held when it gets this share of the frames (10th percentile over viewers). */
const HELD_FRAME_SHARE = 0.95;
const WORKER_SATURATED_PERCENT = 95;
const WORKER_ONE_CORE_PERCENT = 100;
/** A step whose extrapolated worker CPU exceeds one core by more than this is not tried. */
const PREDICTED_SATURATION = 1.1;
const seconds = Number(values.seconds);
const hz = Number(values.hz);
const list = (s: string) => (s ? s.split(',').map(Number) : []);

runMain(async () => {
  const server = await startTestServer({
    SESSIONS: SESSION,
    TICK_HZ: String(hz),
    MEDIA_WORKERS: '1', // a session's router lives on one worker whatever the pool size
    MAX_SPECTATORS: '100000',
    // The synthetic viewers are consumers, not members: keep the session ticking.
    PAUSE_WHEN_EMPTY: 'false',
    RECONNECT_WINDOW_MS: '0', // a closed page's transport goes at once
  });
  const media = server.registry.get(SESSION).video as SessionMedia;
  const browserTransports: types.Transport[] = [];
  media.router.observer.on('newtransport', (t: types.Transport) => {
    if (t.type === 'webrtc') browserTransports.push(t);
  });
  const meters = { server: selfCpuMs, worker: () => workersCpuMs(server.pool.workers) };
  const rows: FanoutRow[] = [];

  /** One measured step: CPU, SFU egress and frames per viewer over `seconds`. */
  const step = async (
    kind: FanoutRow['kind'],
    viewers: number,
    egressBytes: () => Promise<number>,
    framesPerViewer: (during: () => Promise<void>) => Promise<{ fps: number[]; cpu?: number }>,
  ) => {
    await sleep(SETTLE_MS);
    const bytes0 = await egressBytes();
    const overruns0 = server.loop.clock.stats().overruns;
    let cpu!: CpuWindow<'server' | 'worker'>;
    const received = await framesPerViewer(async () => {
      cpu = await cpuOverWindow(meters, () => sleep(seconds * 1000));
    });
    const kbps = ((await egressBytes()) - bytes0) / 125 / (cpu.wallMs / 1000);
    const fpsLow = percentile(received.fps, 10);
    const row: FanoutRow = {
      kind,
      viewers,
      serverCpuPercent: cpu.percent.server,
      workerCpuPercent: cpu.percent.worker,
      receiverCpuPercent: received.cpu ?? null,
      egressKbps: Math.round(kbps),
      kbpsPerViewer: viewers ? round(kbps / viewers, 1) : null,
      framesPerSecond: viewers
        ? { p10: round(fpsLow, 1), p50: round(percentile(received.fps, 50), 1) }
        : null,
      tickOverruns: server.loop.clock.stats().overruns - overruns0,
      held:
        viewers === 0 ||
        (fpsLow >= HELD_FRAME_SHARE * hz && cpu.percent.worker < WORKER_SATURATED_PERCENT),
    };
    rows.push(row);
    progress('fanout', row);
    return row;
  };

  const browser = await launchChromium();
  const pages: Page[] = [];
  for (const target of list(values.browsers!)) {
    while (pages.length < target) {
      const page = await browser.newPage();
      await page.goto(`${server.url}/s/${SESSION}?role=spectator`);
      await waitForFrames(page, 5);
      pages.push(page);
    }
    await step(
      'browser',
      target,
      () => bytesSent(browserTransports),
      async (during) => {
        const shown = async () =>
          Promise.all(pages.map(async (p) => (await pageState(p)).framesShown));
        const before = await shown();
        const began = performance.now();
        await during();
        const elapsedS = (performance.now() - began) / 1000;
        return { fps: (await shown()).map((n, i) => (n - before[i]) / elapsedS) };
      },
    );
  }
  await browser.close();

  const synthetic = SyntheticViewers.start(media.router, media.producerId);
  let stoppedBecause = 'reached the largest step asked for';
  let last: FanoutRow | null = null;
  for (const target of list(values.synthetic!)) {
    const needed = last ? (last.workerCpuPercent * target) / last.viewers : 0;
    if (last && needed > WORKER_ONE_CORE_PERCENT * PREDICTED_SATURATION) {
      // Growing a saturated worker only slows its own requests down (minutes, not a row).
      stoppedBecause =
        `the media worker used ${round(last.workerCpuPercent, 1)}% of a core for ${last.viewers} ` +
        `viewers, so ${target} would need about ${round(needed, 0)}%: one worker (one core) holds ` +
        `about ${Math.floor((last.viewers * WORKER_ONE_CORE_PERCENT) / last.workerCpuPercent)}`;
      break;
    }
    try {
      await synthetic.grow(target);
    } catch (error) {
      stoppedBecause = `adding viewers failed at ${synthetic.count}: ${(error as Error).message}`;
      break;
    }
    const row = await step(
      'synthetic',
      target,
      () => bytesSent(synthetic.transports),
      async (during) => {
        const window = await synthetic.measure(during);
        const fps = window.streams.map((s) => s.frames / (window.wallMs / 1000));
        return { fps, cpu: window.cpuPercent };
      },
    );
    last = row;
    if (!row.held) {
      stoppedBecause =
        row.workerCpuPercent >= WORKER_SATURATED_PERCENT
          ? `the media worker saturated at ${target} viewers`
          : `viewers got under ${HELD_FRAME_SHARE * 100}% of the frames at ${target} viewers`;
      break;
    }
  }
  synthetic.close();
  await server.close();

  /** Least-squares slope over the held steps of one kind (and the no-viewer step). */
  const perViewer = (kind: FanoutRow['kind']): PerViewerCost => {
    const held = rows.filter((r) => r.held && (r.kind === kind || r.viewers === 0));
    const cost = (pick: (r: FanoutRow) => number) =>
      round(slope(held.map((r) => ({ x: r.viewers, y: pick(r) }))), 3);
    return {
      workerCpuPercent: cost((r) => r.workerCpuPercent),
      serverCpuPercent: cost((r) => r.serverCpuPercent),
      kbps: cost((r) => r.egressKbps),
    };
  };
  emitResult<DataOf<FanoutResult>>('fanout', values.out, {
    codec: media.codec,
    size: `${media.width}x${media.height}`,
    hz,
    rows,
    maxHeld: Math.max(0, ...rows.filter((r) => r.held).map((r) => r.viewers)),
    stoppedBecause,
    perViewer: { browser: perViewer('browser'), synthetic: perViewer('synthetic') },
  });
});
