/**
 * The evaluation report: every figure in JSON, and a Markdown table of the figures
 * against issue 5's targets, with the baselines and the engine references beside them
 * so the numbers can be read.
 */
import { AdherenceFigures } from './adherence';
import { ControlFigures } from './controllability';
import { LatencyFigures } from './latency';
import { QualityFigures } from './quality';
import { STAT_NAMES } from './frame-stats';
import { StabilityFigures } from './stability';

export interface EvalReport {
  meta: {
    mode: 'full' | 'quick';
    model: { dir: string; name: string; version: string };
    data: { dir: string; heldoutEpisodes: number; trainEpisodes: number };
    startedAt: string;
    seconds: number;
  };
  latency: LatencyFigures;
  quality: QualityFigures;
  controllability: ControlFigures;
  adherence: AdherenceFigures;
  stability: StabilityFigures;
}

export const TARGETS = {
  latencyMs: 35,
  oneStepPsnr: 26,
  rolloutPsnr: 18,
  controllability: 0.9,
  adherence: 0.8,
  stability: 1,
};

type Row = [figure: string, value: string, target: string, pass: boolean | null, note: string];

const dB = (v: number) => `${v.toFixed(2)} dB`;
const ms = (v: number) => `${v.toFixed(1)} ms`;
const pct = (v: number) => (Number.isNaN(v) ? 'n/a' : `${(100 * v).toFixed(1)}%`);
const fixed = (v: number, digits = 3) => (Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

/** What the controllability measure of an action reads (motion.ts). */
const motionUnit = (action: string) =>
  action === 'forward' ? 'forward warp k' : 'view slide (px, + = right)';

/** Where the rollout first left the range, and how much its frames still change at the end. */
function stabilityNote(stability: StabilityFigures): string {
  const first = stability.firstOutOfRange
    ? `first out of range: step ${stability.firstOutOfRange.step} (${stability.firstOutOfRange.stat})`
    : 'never out of range';
  const diff = STAT_NAMES.indexOf('mean_abs_diff');
  const last = stability.trace[stability.trace.length - 1];
  const change = last
    ? `; mean frame change over steps ${last.fromStep}-${stability.steps}: ${fixed(last.means[diff], 2)} (engine median ${fixed(stability.ranges[diff].median, 2)})`
    : '';
  return first + change;
}

export function markdownReport(report: EvalReport): string {
  const { latency, quality, controllability: control, adherence, stability, meta } = report;
  const { oneStep, rollout } = quality;
  const rows: Row[] = [
    [
      `Step latency, batch 1, ${latency.threads} threads (median tick)`,
      ms(latency.batch1.medianMs),
      `≤ ${TARGETS.latencyMs} ms`,
      latency.batch1.medianMs <= TARGETS.latencyMs,
      `p90 ${ms(latency.batch1.p90Ms)}; ${latency.batch1.ticks} ticks; load avg ${latency.loadAverage.toFixed(2)} on ${latency.cpus} CPUs`,
    ],
    [
      'One-step PSNR',
      dB(oneStep.model.psnr),
      `≥ ${TARGETS.oneStepPsnr} dB`,
      oneStep.model.psnr >= TARGETS.oneStepPsnr,
      `hold last frame ${dB(oneStep.holdLastFrame.psnr)}; ${oneStep.contexts} contexts (${oneStep.exact} exact)`,
    ],
    [
      'One-step SSIM (luma)',
      fixed(oneStep.model.ssim),
      '',
      null,
      `hold last frame ${fixed(oneStep.holdLastFrame.ssim)}`,
    ],
    [
      `${rollout.steps}-step rollout PSNR, mean`,
      dB(rollout.model.mean.psnr),
      `≥ ${TARGETS.rolloutPsnr} dB`,
      rollout.model.mean.psnr >= TARGETS.rolloutPsnr,
      `hold last frame ${dB(rollout.holdLastFrame.mean.psnr)}; ${rollout.rollouts} rollouts (${rollout.exact} exact)`,
    ],
    [
      `${rollout.steps}-step rollout PSNR, last step`,
      dB(rollout.model.last.psnr),
      `≥ ${TARGETS.rolloutPsnr} dB`,
      rollout.model.last.psnr >= TARGETS.rolloutPsnr,
      `hold last frame ${dB(rollout.holdLastFrame.last.psnr)}`,
    ],
    [
      `${rollout.steps}-step rollout SSIM (luma), mean / last`,
      `${fixed(rollout.model.mean.ssim)} / ${fixed(rollout.model.last.ssim)}`,
      '',
      null,
      `hold last frame ${fixed(rollout.holdLastFrame.mean.ssim)} / ${fixed(rollout.holdLastFrame.last.ssim)}`,
    ],
    ...Object.entries(control.perAction).map(([action, a]): Row => [
      `Controllability: ${action}`,
      `${pct(a.agreement)} (${a.agreeing}/${a.references})`,
      `≥ ${pct(TARGETS.controllability)}`,
      a.agreement >= TARGETS.controllability,
      `measure on engine ${pct(a.measureAccuracy)} of ${a.engineMoved} moved cases; mean ${motionUnit(action)} engine ${fixed(a.meanMotion.engine, action === 'forward' ? 4 : 1)}, model ${fixed(a.meanMotion.model, action === 'forward' ? 4 : 1)}`,
    ]),
    [
      'Controllability: overall',
      `${pct(control.overall.agreement)} of ${control.overall.references}`,
      `≥ ${pct(TARGETS.controllability)}`,
      control.overall.agreement >= TARGETS.controllability,
      `measure on engine ${pct(control.overall.measureAccuracy)}; ${control.contexts} contexts, ${control.holdTicks}-tick holds`,
    ],
    ...Object.entries(adherence.perSlot).map(([slot, s]): Row => [
      `Instruction visible within 2 s: ${slot}`,
      `${pct(s.model)} of ${s.judged}`,
      `≥ ${pct(TARGETS.adherence)}`,
      s.model >= TARGETS.adherence,
      `engine ${pct(s.engine)}; detector on held-out frames ${pct(adherence.detector.heldout[slot as keyof typeof adherence.detector.heldout].accuracy)}; ${s.seenBefore} of ${s.cases} not judged (target seen before)`,
    ]),
    [
      'Instruction visible within 2 s: overall',
      `${pct(adherence.overall.model)} of ${adherence.overall.judged}`,
      `≥ ${pct(TARGETS.adherence)}`,
      adherence.overall.model >= TARGETS.adherence,
      `engine ${pct(adherence.overall.engine)}; detectors trained on ${adherence.detector.trainFrames} frames; ${adherence.overall.seenBefore} not judged`,
    ],
    [
      `Stability: ${stability.steps}-step rollout, frames in engine range`,
      pct(stability.fractionInRange),
      pct(TARGETS.stability),
      stability.fractionInRange >= TARGETS.stability,
      stabilityNote(stability),
    ],
  ];
  const table = [
    '| Figure | Value | Target | Pass | Reference |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      ([figure, value, target, pass, note]) =>
        `| ${figure} | ${value} | ${target || '—'} | ${pass === null ? '—' : pass ? 'yes' : 'no'} | ${note} |`,
    ),
  ];
  const scaling = [
    '| Batch | ms per call | ms per session |',
    '| --- | --- | --- |',
    ...latency.scaling.map(
      (s) => `| ${s.batch} | ${s.msPerCall.toFixed(1)} | ${s.msPerSession.toFixed(1)} |`,
    ),
  ];
  return [
    `## Evaluation of ${meta.model.name} ${meta.model.version} (${meta.mode} run, ${meta.seconds.toFixed(0)} s)`,
    '',
    ...table,
    '',
    `Batch scaling (${latency.threads} threads, ${latency.scaling[0]?.calls ?? 0} timed calls each):`,
    '',
    ...scaling,
    '',
  ].join('\n');
}
