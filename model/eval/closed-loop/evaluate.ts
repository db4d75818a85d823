/**
 * The closed-loop evaluation: scripted and random plays on held-out seeds, the model and
 * the 0.1.0 baseline each in the serving runtime from one start frame, every measure
 * computed for the model and for its validation sources, and the old protocol's
 * teacher-forced PSNR for comparison.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GeneratorRuntime } from '../../../server/generator/generator-runtime';
import { trainDetectors, DetectorFigures } from '../adherence';
import { EvalDataset } from '../data';
import type { FrameSize } from '../image-metrics';
import { DetectableSlot } from '../detector';
import { evaluateQuality, QualityFigures } from '../quality';
import { controlCases, instructionCases } from './cases';
import { CharacterMatcher } from './character';
import { idleScore, motionScore } from './control';
import { rangeScore } from './frame-range';
import { bandedScore, lookScore, staticScore, Window, windows } from './look';
import { FrameSink, Generator, PlayRun, runPlays, Source, SOURCES } from './play';
import { randomPlayOf, scriptedPlay } from './script';
import { datasetSeeds, heldOutSeeds, trainingSeeds } from './seeds';
import { ClosedLoopSizes } from './sizes';
import { Figure, Score, ValidationSource } from './score';
import { Track } from './track';
import { characterScore, instructionScore, VISIBLE_SLOTS } from './visibility';

export const DETECTOR_SLOTS: DetectableSlot[] = ['weather', 'time', 'event', 'biome'];

export interface ClosedLoopOptions {
  model: string;
  baseline: string;
  data: string;
  quick: boolean;
  sizes: ClosedLoopSizes;
  /** Sees every play's engine and model frames as they come (the clip and sheet). */
  onFrames?: FrameSink;
}

export interface ClosedLoopReport {
  meta: {
    protocol: 'closed-loop';
    mode: 'full' | 'quick';
    model: { dir: string; name: string; version: string };
    baseline: { dir: string; name: string; version: string; sameAsModel: boolean };
    data: string;
    seeds: { scripted: number[]; random: number[]; trainingSeedsChecked: number };
    ticks: { scripted: number; random: number };
    startedAt: string;
    seconds: number;
  };
  detectors: DetectorFigures<DetectableSlot>;
  figures: Figure[];
  teacherForced: QualityFigures;
}

const manifestText = (dir: string) => fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');

export async function evaluateClosedLoop(
  options: ClosedLoopOptions,
  log: (line: string) => void,
): Promise<ClosedLoopReport> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const { sizes } = options;
  const dataset = EvalDataset.open(options.data);
  const runtimes: GeneratorRuntime[] = [];
  try {
    const load = async (dir: string) => {
      log(`loading ${dir}`);
      const runtime = await GeneratorRuntime.load(dir, {
        provider: 'cpu',
        threads: sizes.threads,
        maxBatch: sizes.maxBatch,
      });
      runtimes.push(runtime);
      return runtime;
    };
    const model = await load(options.model);
    const sameAsModel = manifestText(options.model) === manifestText(options.baseline);
    const baseline = sameAsModel ? model : await load(options.baseline);
    const size = dataset.size;
    for (const runtime of new Set([model, baseline])) {
      const { width, height } = runtime.manifest.frame;
      if (width !== size.width || height !== size.height)
        throw new Error(
          `a model makes ${width}x${height} frames but the dataset holds ${size.width}x${size.height}`,
        );
    }

    const used = [
      ...datasetSeeds(dataset.manifest),
      ...trainingSeeds(model.manifest.training),
      ...trainingSeeds(baseline.manifest.training),
    ];
    const seeds = heldOutSeeds(sizes.scriptedSeeds + sizes.randomSeeds, used);
    const scriptedSeeds = seeds.slice(0, sizes.scriptedSeeds);
    const randomSeeds = seeds.slice(sizes.scriptedSeeds);
    log(`held-out seeds ${seeds.join(', ')}: none of ${new Set(used).size} training world seeds`);

    log('detectors: training on the dataset');
    const { detectors, figures: detectorFigures } = trainDetectors(
      dataset,
      { train: sizes.detectorTrain, validation: sizes.detectorValidation },
      DETECTOR_SLOTS,
    );
    const plays = [
      ...scriptedSeeds.map((s) => scriptedPlay(s, sizes.scriptTicks)),
      ...randomSeeds.map((s) => randomPlayOf(s, sizes.randomTicks)),
    ];
    const generators: Generator[] = [{ source: 'model', runtime: model }];
    if (!sameAsModel) generators.push({ source: 'baseline', runtime: baseline });
    const runs = await runPlays(
      plays,
      generators,
      { size, detectors, matcher: new CharacterMatcher(size) },
      log,
      options.onFrames,
    );
    const figures = closedLoopFigures(runs, sizes, size);

    log('teacher-forced (old protocol): one-step and 16-step PSNR');
    const teacherForced = await evaluateQuality(
      model,
      dataset,
      { ...sizes.teacherForced, batch: sizes.maxBatch },
      log,
    );
    const describe = (dir: string, runtime: GeneratorRuntime) => ({
      dir,
      name: runtime.manifest.name,
      version: runtime.manifest.version,
    });
    return {
      meta: {
        protocol: 'closed-loop',
        mode: options.quick ? 'quick' : 'full',
        model: describe(options.model, model),
        baseline: { ...describe(options.baseline, baseline), sameAsModel },
        data: options.data,
        seeds: {
          scripted: scriptedSeeds,
          random: randomSeeds,
          trainingSeedsChecked: new Set(used).size,
        },
        ticks: { scripted: sizes.scriptTicks, random: sizes.randomTicks },
        startedAt,
        seconds: (performance.now() - started) / 1000,
      },
      detectors: detectorFigures,
      figures,
      teacherForced,
    };
  } finally {
    for (const runtime of runtimes) await runtime.release();
    dataset.close();
  }
}

/** Every closed-loop figure, scored for every source. */
export function closedLoopFigures(
  runs: readonly PlayRun[],
  sizes: ClosedLoopSizes,
  size: FrameSize,
): Figure[] {
  const scripted = runs.filter((r) => r.play.kind === 'scripted');
  const random = runs.filter((r) => r.play.kind === 'random');
  const control = scripted.map((r) => controlCases(r.play, r.inputs, r.environment));
  const instructions = scripted.map((r) => instructionCases(r.inputs));
  const paired =
    (group: readonly PlayRun[], pick: (run: PlayRun) => Window[]) => (source: Source) =>
      group.flatMap((run) =>
        pick(run).map((w): [Track, Track, Window] => [run.tracks[source], run.tracks.engine, w]),
      );
  const scriptedWindows = paired(scripted, (r) => windows(1, r.play.ticks));
  const lastWindows = paired(random, (r) =>
    windows(r.play.ticks - sizes.randomLastFrames + 1, r.play.ticks),
  );
  const figure = (
    id: string,
    label: string,
    target: number,
    rejects: readonly ValidationSource[],
    measure: (source: Source) => Score,
  ): Figure => ({
    id,
    label,
    target,
    rejects,
    scores: Object.fromEntries(SOURCES.map((s) => [s, measure(s)])) as Record<Source, Score>,
  });
  const detail: ValidationSource[] = ['baseline', 'blur', 'downup'];
  return [
    figure(
      'look-scripted',
      "Look: every 10 s window of the 60 s plays keeps the engine's detail",
      1,
      detail,
      (s) => lookScore(scriptedWindows(s)),
    ),
    figure(
      'look-random',
      "Look: every 10 s window of the 5-min plays' last minute keeps the engine's detail",
      1,
      detail,
      (s) => lookScore(lastWindows(s)),
    ),
    figure(
      'control-turn',
      "Control: held turn left/right (1–3 s) moves the view the engine's way, within 30%",
      0.95,
      ['baseline'],
      (s) => motionScore(scripted, control, ['turn_left', 'turn_right'], s, size),
    ),
    figure(
      'control-forward',
      "Control: held forward moves the view the engine's way, within 30%",
      0.95,
      ['baseline'],
      (s) => motionScore(scripted, control, ['forward'], s, size),
    ),
    figure('control-idle', 'Control: idle stays still (drift < 1 px/s)', 0.95, ['drift'], (s) =>
      idleScore(scripted, control, s, size),
    ),
    ...VISIBLE_SLOTS.map((slot) =>
      figure(
        `instruction-${slot}`,
        slot === 'biome'
          ? 'Instructions: biome travel arrives (within 1 s)'
          : `Instructions: every ${slot} value visible within 1 s`,
        0.9,
        slot === 'character' ? detail : ['baseline'],
        (s) => instructionScore(scripted, instructions, slot, s),
      ),
    ),
    figure('character', 'Character: drawn and the right one, per frame', 0.95, detail, (s) =>
      characterScore(runs, s),
    ),
    figure(
      'stability-range',
      "Stability: 5-min play frames within the engine's per-frame statistics",
      0.99,
      detail,
      (s) => rangeScore(random.map((run) => [run.tracks[s], run.tracks.engine, run.play.ticks])),
    ),
    figure(
      'stability-static',
      "Stability: not static (last minute, per 10 s: detail changes like the engine's)",
      1,
      detail,
      (s) => staticScore(lastWindows(s)),
    ),
    figure(
      'stability-banded',
      "Stability: not banded (last minute, per 10 s: across/down detail like the engine's)",
      1,
      ['baseline'],
      (s) => bandedScore(lastWindows(s)),
    ),
  ];
}
