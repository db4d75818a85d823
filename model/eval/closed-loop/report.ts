/**
 * The closed-loop report as Markdown: per figure the model's value against its target,
 * and the measure's validation (what it says of the engine, the 0.1.0 baseline, blurred
 * and down-up-sampled engine frames, and whether each came out as it must); then the old
 * protocol's teacher-forced PSNR for comparison.
 */
import { ClosedLoopReport } from './evaluate';
import { expectation, Figure, isValid, passes, Score, VALIDATION_SOURCES } from './score';
import { Source } from './play';

/** The issue's targets for the old protocol's figures. */
export const TEACHER_FORCED_TARGETS = { oneStepPsnr: 30, rolloutPsnr: 22 };

const SOURCE_NAMES: Record<Source, string> = {
  engine: 'engine',
  model: 'model',
  baseline: '0.1.0',
  blur: 'blur σ1.5',
  downup: '2× down-up',
  drift: 'drift 2 px/s',
};

const pct = (v: number) => (Number.isNaN(v) ? 'n/a' : `${(100 * v).toFixed(1)}%`);
const cases = (s: Score) => `${pct(s.value)} (${s.passed}/${s.cases})`;
const dB = (v: number) => `${v.toFixed(2)} dB`;

export function markdownClosedLoop(report: ClosedLoopReport): string {
  const { meta, figures, teacherForced } = report;
  const rows = figures.map((figure) => {
    const model = figure.scores.model;
    return [
      figure.label,
      `${cases(model)}${model.note ? `; ${model.note}` : ''}`,
      `≥ ${pct(figure.target)}`,
      passes(figure, 'model') ? 'yes' : 'no',
      validationNote(figure),
    ];
  });
  const { oneStep, rollout } = teacherForced;
  const old = [
    [
      'Teacher-forced one-step PSNR (old protocol)',
      dB(oneStep.model.psnr),
      `≥ ${TEACHER_FORCED_TARGETS.oneStepPsnr} dB`,
      oneStep.model.psnr >= TEACHER_FORCED_TARGETS.oneStepPsnr ? 'yes' : 'no',
      `hold last frame ${dB(oneStep.holdLastFrame.psnr)}; ${oneStep.contexts} held-out contexts`,
    ],
    [
      `Teacher-forced ${rollout.steps}-step PSNR, mean (old protocol)`,
      dB(rollout.model.mean.psnr),
      `≥ ${TEACHER_FORCED_TARGETS.rolloutPsnr} dB`,
      rollout.model.mean.psnr >= TEACHER_FORCED_TARGETS.rolloutPsnr ? 'yes' : 'no',
      `hold last frame ${dB(rollout.holdLastFrame.mean.psnr)}; last step ${dB(rollout.model.last.psnr)}; ${rollout.rollouts} rollouts`,
    ],
  ];
  const baseline = meta.baseline.sameAsModel
    ? 'the model itself'
    : `${meta.baseline.name} ${meta.baseline.version}`;
  return [
    `## Closed-loop evaluation of ${meta.model.name} ${meta.model.version} (${meta.mode} run, ${meta.seconds.toFixed(0)} s)`,
    '',
    `Held-out world seeds ${meta.seeds.scripted.join(', ')} (scripted, ${meta.ticks.scripted} ticks) and ${meta.seeds.random.join(', ')} (random, ${meta.ticks.random} ticks); one start frame each. Validation baseline: ${baseline}.`,
    '',
    '| Figure | Value | Target | Pass | Validation |',
    '| --- | --- | --- | --- | --- |',
    ...[...rows, ...old].map((cells) => `| ${cells.join(' | ')} |`),
    '',
  ].join('\n');
}

/**
 * "valid: engine 100% pass; 0.1.0 0% fail; blur 100% pass (not rejected); ...": each
 * validation source's value and verdict; a required verdict that came out wrong is
 * marked, a source the measure need not reject says so.
 */
function validationNote(figure: Figure): string {
  const says = VALIDATION_SOURCES.map((source) => {
    const verdict = passes(figure, source) ? 'pass' : 'fail';
    const expected = expectation(figure, source);
    const mark =
      expected === null ? ' (not rejected)' : expected === verdict ? '' : ` (**must ${expected}**)`;
    return `${SOURCE_NAMES[source]} ${pct(figure.scores[source].value)} ${verdict}${mark}`;
  });
  return `${isValid(figure) ? 'valid' : '**not valid**'}: ${says.join('; ')}`;
}
