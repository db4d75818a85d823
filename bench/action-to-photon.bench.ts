/**
 * Action-to-photon latency in real headless Chromium: from the key event in the page to
 * the expected display time of the first frame that reflects it. The page is the real
 * client (a player in a solo session, so it pilots); a key goes down or up every
 * --gap ms plus a random part of a tick, so actions land at every phase of the tick.
 *
 * Which frame reflects an action: the page's requestVideoFrameCallback metadata gives
 * each presented frame's RTP timestamp, hence its tick (server/media/rtp-timestamp.ts);
 * the server's tick record says which input that tick applied. The breakdown
 * (lib/photon-breakdown.ts) joins page times (key event, rVFC receive, decode,
 * presentation) and server times (input arrival, tick began, step, encode) through the
 * measured clock offset. Pipeline overhead = total - generator step, against one tick.
 *
 * --playout-delay is the server's PLAYOUT_DELAY_MS: 0 (the default: Chromium shows each
 * frame once decoded) or adaptive (Chromium's own jitter buffer), the alternative.
 *
 * Run: npx tsx bench/action-to-photon.bench.ts [--source generator|engine
 *        --model-dir model/shipped --actions 500 --gap 150 --playout-delay 0|adaptive]
 * Without a usable model the generator run falls back to the engine and says why.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunningServer } from '../server/app';
import { launchChromium, pageState, waitForFrames } from '../tests/helpers/browser';
import { startTestServer } from '../tests/helpers/server';
import { sleep } from './lib/cpu-window';
import { pageClockOffset } from './lib/page-clock';
import { inboundVideoStats, InboundVideoStats, installProbe, readProbe } from './lib/page-probe';
import { ActionSample, breakdown, Stage, STAGES } from './lib/photon-breakdown';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, PhotonResult, WebrtcAverages } from './lib/results';
import { mean, percentile, round, Summary, summarize } from './lib/stats';
import { TickTimeline } from './lib/tick-timeline';

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: 'generator' },
    'model-dir': { type: 'string', default: 'model/shipped' },
    actions: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '10' },
    gap: { type: 'string', default: '150' },
    hz: { type: 'string', default: '20' },
    'playout-delay': { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});
const SESSION = 'a2p';
const KEY = 'KeyW'; // forward
const REPOSITORY = path.resolve(__dirname, '..');
const hz = Number(values.hz);
const tickMs = 1000 / hz;
const warmup = Number(values.warmup);

/** The requested source, or the engine with the reason the generator could not serve. */
async function startServer(): Promise<{ server: RunningServer; fallback: string | null }> {
  const env = {
    SESSIONS: SESSION,
    CONTROL_MODE: 'solo',
    TICK_HZ: String(hz),
    PLAYOUT_DELAY_MS: values['playout-delay']!,
  };
  if (values.source === 'engine')
    return { server: await startTestServer({ ...env, FRAME_SOURCE: 'engine' }), fallback: null };
  const dir = values['model-dir']!;
  if (!existsSync(path.resolve(REPOSITORY, dir, 'manifest.json')))
    return {
      server: await startTestServer({ ...env, FRAME_SOURCE: 'engine' }),
      fallback: `no generator model at ${dir} (manifest.json missing)`,
    };
  try {
    const server = await startTestServer({ ...env, FRAME_SOURCE: 'generator', MODEL_DIR: dir });
    return { server, fallback: null };
  } catch (error) {
    return {
      server: await startTestServer({ ...env, FRAME_SOURCE: 'engine' }),
      fallback: `the generator at ${dir} did not start: ${(error as Error).message.split('\n')[0]}`,
    };
  }
}

/** Per-frame averages over the measured actions, from the receiver's own counters. */
function webrtcAverages(
  a: InboundVideoStats | null,
  b: InboundVideoStats | null,
): WebrtcAverages | null {
  if (!a || !b) return null;
  const decoded = b.framesDecoded - a.framesDecoded;
  const perFrameMs = (total: keyof InboundVideoStats, count: number) =>
    round(((b[total] - a[total]) / count) * 1000);
  return {
    framesDecoded: decoded,
    framesDropped: b.framesDropped - a.framesDropped,
    jitterBufferTargetMs: perFrameMs(
      'jitterBufferTargetDelay',
      b.jitterBufferEmittedCount - a.jitterBufferEmittedCount,
    ),
    jitterBufferMinimumMs: perFrameMs(
      'jitterBufferMinimumDelay',
      b.jitterBufferEmittedCount - a.jitterBufferEmittedCount,
    ),
    jitterBufferMs: perFrameMs(
      'jitterBufferDelay',
      b.jitterBufferEmittedCount - a.jitterBufferEmittedCount,
    ),
    decodeMs: perFrameMs('totalDecodeTime', decoded),
    processingMs: perFrameMs('totalProcessingDelay', decoded),
    assemblyMs: perFrameMs(
      'totalAssemblyTime',
      b.framesAssembledFromMultiplePackets - a.framesAssembledFromMultiplePackets,
    ),
  };
}

/** Pairs the page's n-th key event with the server's n-th change of held keys, and traces each. */
function traceActions(
  probe: Awaited<ReturnType<typeof readProbe>>,
  timeline: TickTimeline,
  memberId: string,
  offsetMs: number,
  averageDecodeMs: number | null,
) {
  const inputs = timeline.transitions(memberId);
  const samples: ActionSample[] = [];
  let unmatched = 0;
  probe.keys
    .filter((k) => k.code === KEY)
    .forEach((key, i) => {
      const input = inputs[i];
      const applied = input && timeline.appliedAt(memberId, input.seq);
      const consistent = applied && (input.action !== 0) === (key.type === 'keydown');
      const sample = consistent
        ? breakdown({
            ...{ key, input, applied, frames: probe.frames, fps: hz, offsetMs, averageDecodeMs },
            tickAt: (t) => timeline.ticks.get(t),
          })
        : null;
      if (i < warmup) return;
      if (sample) samples.push(sample);
      else unmatched++;
    });
  return { samples, unmatched };
}

runMain(async () => {
  const { server, fallback } = await startServer();
  if (fallback) progress(`action-to-photon: falling back to the engine: ${fallback}`);
  const session = server.registry.get(SESSION);
  const timeline = new TickTimeline(server, session);
  const browser = await launchChromium();
  const page = await browser.newPage();
  await installProbe(page);
  await page.goto(`${server.url}/s/${SESSION}`);
  await waitForFrames(page, 20, 60000);
  const { memberId } = await pageState(page);

  const total = warmup + Number(values.actions);
  const clockStart = await pageClockOffset(page);
  let statsStart: InboundVideoStats | null = null;
  for (let i = 0; i < total; i++) {
    if (i === warmup) statsStart = await inboundVideoStats(page);
    await sleep(Number(values.gap) + Math.random() * tickMs);
    await (i % 2 === 0 ? page.keyboard.down(KEY) : page.keyboard.up(KEY));
    if ((i + 1) % 100 === 0) progress(`action-to-photon: ${i + 1}/${total} actions`);
  }
  await sleep(1000); // the last action's frame
  const statsEnd = await inboundVideoStats(page);
  const clockEnd = await pageClockOffset(page);
  const probe = await readProbe(page);
  const clientReadout = (await pageState(page)).latenciesMs;
  await browser.close();
  const sourceName = server.source.name;
  await server.close();

  const offsetMs = (clockStart.offsetMs + clockEnd.offsetMs) / 2;
  const webrtc = webrtcAverages(statsStart, statsEnd);
  const { samples, unmatched } = traceActions(
    probe,
    timeline,
    memberId,
    offsetMs,
    webrtc?.decodeMs ?? null,
  );
  if (samples.length === 0) throw new Error('no action could be traced to a displayed frame');

  const stages = Object.fromEntries(
    STAGES.map((s) => [s, summarize(samples.map((x) => x.stages[s]))]),
  ) as Record<Stage, Summary>;
  const overhead = samples.map((x) => x.totalMs - x.stages.step);
  // The slowest 5% by overhead, and where their time went: what the p95/p99 are made of.
  const tailFrom = percentile(overhead, 95);
  const tail = samples.filter((_, i) => overhead[i] >= tailFrom);
  const tailStagesMs = Object.fromEntries(
    STAGES.map((s) => [s, round(mean(tail.map((x) => x.stages[s])))]),
  ) as Record<Stage, number>;
  emitResult<DataOf<PhotonResult>>('action-to-photon', values.out, {
    requestedSource: values.source!,
    source: sourceName,
    fallback,
    hz,
    tickMs,
    playoutDelay: values['playout-delay']!,
    gapMs: Number(values.gap),
    actions: samples.length,
    unmatched,
    laterFrameShown: samples.filter((x) => x.laterFrameShown > 0).length,
    totalMs: summarize(samples.map((x) => x.totalMs)),
    overheadMs: summarize(overhead),
    stagesMs: stages,
    tail: { fromOverheadMs: round(tailFrom), actions: tail.length, stagesMs: tailStagesMs },
    clientReadoutMs: summarize(clientReadout.slice(-samples.length)),
    decodeFrom: probe.frames.some((f) => f.processingDuration !== undefined)
      ? 'rVFC processingDuration'
      : 'WebRTC stats average (no rVFC processingDuration in this Chromium)',
    webrtc,
    clock: {
      offsetMs: round(offsetMs),
      uncertaintyMs: round(Math.max(clockStart.uncertaintyMs, clockEnd.uncertaintyMs), 3),
      driftMs: round(clockEnd.offsetMs - clockStart.offsetMs, 3),
    },
  });
});
