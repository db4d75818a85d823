/** Action-to-photon latency: the breakdown, and the pipeline overhead against one tick. */
import type { PhotonResult } from '../../lib/results';
import { Stage, STAGES } from '../../lib/photon-breakdown';
import type { Summary } from '../../lib/stats';
import { notMeasured, num, provenance, ratio, ReportContext, table } from '../markdown';

const NAME = 'action-to-photon';
/** The stages of the pipeline overhead: everything but the frame source's step. */
const OVERHEAD_STAGES = STAGES.filter((s) => s !== 'step');

const STAGE_TEXT: Record<Stage, string> = {
  input: 'key event → the server handles the action message',
  waitForTick: 'until the tick that applies it begins',
  step: 'frame source step (generator or engine)',
  tickOther: 'rest of the tick before the encode',
  encode: 'encode + packetize, RTP handed to the SFU',
  transport: "SFU → the frame's last packet in the browser",
  jitterBuffer: 'jitter buffer, then the renderer queue',
  decode: 'decoder (rVFC processingDuration)',
  display: 'presentation → expected display time',
};

/** Why the largest parts of the overhead are what they are. */
const STAGE_CAUSE: Partial<Record<Stage, (r: PhotonResult) => string>> = {
  waitForTick: (r) =>
    `an action waits for the next tick to begin: 0–${num(r.tickMs, 0)} ms, ` +
    `${num(r.tickMs / 2, 0)} ms on average for an action at a random moment (the page's key ` +
    `events share the machine with the ticks, so their phases are not quite uniform); only a ` +
    `higher tick rate shortens it`,
  jitterBuffer: (r) => {
    if (!r.webrtc) return "Chromium's jitter buffer and renderer queue";
    const jitter = r.webrtc.jitterBufferMs;
    const rest = r.stagesMs.jitterBuffer.mean - jitter;
    return (
      `Chromium's receiver: its WebRTC stats put ${num(jitter)} ms per frame in the jitter ` +
      `buffer (counted from the first packet; target ${num(r.webrtc.jitterBufferTargetMs)} ms)` +
      (rest > 1
        ? `; the other ~${num(rest)} ms is the renderer: a decoded frame waits for its render ` +
          `time and the compositor's next frame (60 Hz: up to 16.7 ms)`
        : '')
    );
  },
  display: (r) =>
    `the compositor: ${r.playoutDelay === '0' ? 'with playout delay 0 ' : ''}Chromium hands the ` +
    `decoded frame to the compositor at once, and rVFC's expectedDisplayTime is the vsync it ` +
    `expects the frame to reach (60 Hz: 16.7 ms per vsync, one or two of them)`,
  encode: () => 'the in-process encoder (see the encoder section)',
  transport: () => 'the SFU hop and loopback UDP',
  input: () => 'the page handler, Socket.IO and the server handler',
};

const cells = (s: Summary) => [num(s.mean), num(s.p50), num(s.p95), num(s.p99)];

export function overheadVerdict(r: PhotonResult): string {
  const misses = (v: number) =>
    v < r.tickMs ? `met (${num(r.tickMs - v)} ms to spare)` : `missed by ${num(v - r.tickMs)} ms`;
  return `p50 ${misses(r.overheadMs.p50)}, p95 ${misses(r.overheadMs.p95)}, p99 ${misses(r.overheadMs.p99)}`;
}

const playoutText = (r: PhotonResult) =>
  r.playoutDelay === 'adaptive'
    ? "Chromium's adaptive jitter buffer (`PLAYOUT_DELAY_MS=adaptive`)"
    : `playout delay at most ${r.playoutDelay} ms (\`PLAYOUT_DELAY_MS=${r.playoutDelay}\`, the default: each frame is shown once decoded)`;

/** What the p95/p99 are made of: the stages that grow most in the slowest 5% of actions. */
function tailParagraph(ctx: ReportContext, r: PhotonResult): string {
  const growth = (s: Stage) => r.tail.stagesMs[s] - r.stagesMs[s].mean;
  const grown = [...OVERHEAD_STAGES].sort((a, b) => growth(b) - growth(a)).slice(0, 3);
  const late =
    r.tail.stagesMs.waitForTick > r.tickMs
      ? ` Waiting longer than one tick (${num(r.tickMs, 0)} ms) means the tick that applies the
action started late: the tick before it overran.`
      : '';
  return `**The tail.** In the slowest 5% (${r.tail.actions} action${r.tail.actions === 1 ? '' : 's'} with an overhead of
${num(r.tail.fromOverheadMs)} ms or more) the stages that grew most were ${grown
    .map(
      (s) =>
        `**${s}** ${num(r.tail.stagesMs[s])} ms (${num(r.stagesMs[s].mean)} ms over all actions)`,
    )
    .join(', ')}.${late} On ${ctx.suite.machine.cores} cores the frame source, the encoder, the
SFU, the Socket.IO handlers and Chromium (decoding and compositing) share the CPU; the
machine's load average during the run is given above.`;
}

/** The same measurement with Chromium's own jitter buffer: what the playout-delay extension buys. */
function alternativeParagraph(
  ctx: ReportContext,
  r: PhotonResult,
  adaptive: PhotonResult | undefined,
): string {
  if (!adaptive) return notMeasured(ctx, `${NAME}-adaptive`);
  const gain = adaptive.totalMs.p50 - r.totalMs.p50;
  return `**Against the alternative**, ${playoutText(adaptive)}, measured in the same suite run
(${provenance(ctx, `${NAME}-adaptive`, adaptive)} ${adaptive.actions} actions): total p50 / p95 / p99
${num(adaptive.totalMs.p50)} / ${num(adaptive.totalMs.p95)} / ${num(adaptive.totalMs.p99)} ms, overhead p50
${num(adaptive.overheadMs.p50)} ms. The default is ${num(Math.abs(gain))} ms ${gain >= 0 ? 'faster' : 'slower'} at p50
(${ratio(adaptive.totalMs.p50 / r.totalMs.p50)} as long with the browser's jitter buffer), which holds each frame
${num(adaptive.stagesMs.jitterBuffer.mean)} ms on average between its last packet and presentation
against ${num(r.stagesMs.jitterBuffer.mean)} ms here, but then presents it at its display time
(display ${num(adaptive.stagesMs.display.mean)} ms against ${num(r.stagesMs.display.mean)} ms here). How long the
adaptive buffer holds a frame follows the jitter Chromium has seen, which on a shared
${ctx.suite.machine.cores}-core machine changes from run to run, so this comparison moves more between runs than
either figure alone: docs/MEDIA.md lists the runs so far.`;
}

export function photonSection(
  ctx: ReportContext,
  r: PhotonResult | undefined,
  adaptive?: PhotonResult,
): string {
  const head = '## Action-to-photon latency\n';
  if (!r) return `${head}\n${notMeasured(ctx, NAME)}\n`;
  const overheadStages = [...OVERHEAD_STAGES].sort(
    (a, b) => r.stagesMs[b].mean - r.stagesMs[a].mean,
  );
  const share = (s: Stage) => Math.round((100 * r.stagesMs[s].mean) / r.overheadMs.mean);
  const dominant = overheadStages
    .slice(0, 3)
    .map(
      (s) =>
        `- **${s}** ${num(r.stagesMs[s].mean)} ms (${share(s)}%): ${STAGE_CAUSE[s]?.(r) ?? STAGE_TEXT[s]}`,
    );
  return `${head}
From the key event in the page to the expected display time of the first frame that
reflects it, in headless Chromium (software decoding) running the real client as the
pilot of a solo session. Each presented frame's requestVideoFrameCallback \`rtpTimestamp\`
gives its tick; the server's record of that tick gives the input it applied. Server-side
times (input arrival, tick start, step, encode) are joined to page times (key event,
\`receiveTime\`, decode, presentation) through the measured clock offset (±${num(r.clock.uncertaintyMs, 2)} ms,
drift ${num(r.clock.driftMs, 2)} ms over the run). A key goes down or up every ${r.gapMs} ms plus a
random part of a tick, so actions land at every phase of the tick. The server sent
${playoutText(r)}.

${provenance(ctx, NAME, r)} Frames by **${r.source}**${
    r.fallback
      ? ` — **not the generator**, which was asked for: ${r.fallback}. Re-run once the model is in place`
      : ''
  }. ${r.actions} actions traced (${r.unmatched} not traced); for ${r.laterFrameShown} the
applied tick's frame was not presented and a later one was the photon.

${table(
  ['', 'stage', 'mean (ms)', 'p50', 'p95', 'p99'],
  [
    ['**total**', 'key event → expected display', ...cells(r.totalMs)],
    ...STAGES.map((s) => [s, STAGE_TEXT[s], ...cells(r.stagesMs[s])]),
    ['**overhead**', 'total − step', ...cells(r.overheadMs)],
  ],
)}

Stage means add up to the total's mean; percentiles do not add up. The client's own
readout (key handler → rVFC callback, \`window.worldtick.latenciesMs\`) gave p50
${num(r.clientReadoutMs.p50)} ms, p95 ${num(r.clientReadoutMs.p95)} ms over the same actions.
Decode times from: ${r.decodeFrom}.

**Goal: pipeline overhead below one tick (${num(r.tickMs, 0)} ms at ${r.hz} Hz)** — ${overheadVerdict(r)}.
What the overhead is made of (means, share of the overhead's mean):

${dominant.join('\n')}

${tailParagraph(ctx, r)}

${alternativeParagraph(ctx, r, adaptive)}
`;
}

export function photonSummary(
  r: PhotonResult | undefined,
  adaptive: PhotonResult | undefined,
): string[] | null {
  if (!r) return null;
  return [
    'Action-to-photon (p50 / p95 / p99)',
    `${num(r.totalMs.p50, 0)} / ${num(r.totalMs.p95, 0)} / ${num(r.totalMs.p99, 0)} ms (${r.source}${r.fallback ? ', fallback' : ''}); overhead p50 ${num(r.overheadMs.p50, 0)} ms = ${num(r.overheadMs.p50 / r.tickMs, 2)} ticks`,
    adaptive
      ? `browser's adaptive jitter buffer: p50 ${num(adaptive.totalMs.p50, 0)} ms (${ratio(adaptive.totalMs.p50 / r.totalMs.p50)} as long)`
      : '–',
    `overhead < 1 tick: ${overheadVerdict(r)}`,
  ];
}
