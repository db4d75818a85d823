/**
 * @jest-environment ./tests/environments/onnxruntime.js
 *
 * The evaluation CLI's quick paths end to end: the shipped model on a tiny dataset made
 * here, every figure of both reports present (closed loop: every measure on every
 * source, the side-by-side pictures; teacher-forced), the Markdown tables complete; and
 * the command's usage errors.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateDataset } from '../../model/dataset/generate';
import { UsageError } from '../../model/dataset/cli-args';
import { main } from '../../model/eval/cli';
import { evaluate } from '../../model/eval/evaluate';
import { EvalReport, markdownReport } from '../../model/eval/report';
import { QUICK } from '../../model/eval/sizes';
import { DEFAULT_BASELINE } from '../../model/eval/cli';
import { evaluateClosedLoop, ClosedLoopReport } from '../../model/eval/closed-loop/evaluate';
import { SOURCES } from '../../model/eval/closed-loop/play';
import { markdownClosedLoop } from '../../model/eval/closed-loop/report';
import { SideBySide } from '../../model/eval/closed-loop/side-by-side';
import { CLOSED_LOOP_QUICK } from '../../model/eval/closed-loop/sizes';

jest.setTimeout(120000);

const ROOT = path.resolve(__dirname, '../..');
const MODEL = path.join(ROOT, 'model/shipped');

/** Every number in the report, with its path; NaN shows up as a failure below. */
function numbers(value: unknown, at = 'report'): [string, number][] {
  if (typeof value === 'number') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${at}[${i}]`));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => numbers(v, `${at}.${k}`));
  return [];
}

/** A tiny dataset for the quick paths. */
function tinyDataset(): string {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-eval-'));
  generateDataset(
    { seed: 3, episodes: 4, steps: 40, width: 128, height: 128, heldout: 0.25, shardEpisodes: 32 },
    data,
  );
  return data;
}

describe('npm run eval, closed-loop quick path', () => {
  let data: string;
  let report: ClosedLoopReport;
  const lines: string[] = [];
  const pictures = new SideBySide({ width: 128, height: 128 }, 0);

  beforeAll(async () => {
    data = tinyDataset();
    report = await evaluateClosedLoop(
      {
        model: MODEL,
        baseline: path.join(ROOT, DEFAULT_BASELINE),
        data,
        quick: true,
        // One 10 s window of each play: the plays run every check, briefly.
        sizes: { ...CLOSED_LOOP_QUICK, scriptTicks: 200, randomTicks: 200, randomLastFrames: 200 },
        onFrames: pictures.sink,
      },
      (line) => lines.push(line),
    );
  });
  afterAll(() => fs.rmSync(data, { recursive: true, force: true }));

  it('plays held-out seeds and scores every measure on every source', () => {
    expect(report.meta.protocol).toBe('closed-loop');
    expect(report.meta.seeds.scripted).toHaveLength(1);
    expect(report.meta.seeds.trainingSeedsChecked).toBeGreaterThanOrEqual(4);
    expect(report.figures.map((f) => f.id)).toEqual([
      'look-scripted',
      'look-random',
      'control-turn',
      'control-forward',
      'control-idle',
      'instruction-weather',
      'instruction-time',
      'instruction-event',
      'instruction-character',
      'instruction-biome',
      'character',
      'stability-range',
      'stability-static',
      'stability-banded',
    ]);
    for (const figure of report.figures) expect(Object.keys(figure.scores)).toEqual([...SOURCES]);
    // Measures compared with the engine's own frames pass them.
    const look = report.figures.find((f) => f.id === 'look-scripted')!;
    expect(look.scores.engine.value).toBe(1);
    expect(look.scores.blur.value).toBe(0);
    expect(report.teacherForced.rollout.psnrPerStep.model).toHaveLength(16);
  });

  it("prints the table with each measure's validation, and writes the side-by-side pictures", () => {
    const table = markdownClosedLoop(report);
    for (const text of [
      'Look: every 10 s window of the 60 s plays',
      'Control: held turn left/right',
      'Instructions: every character value visible within 1 s',
      'Character: drawn and the right one',
      'Stability: not banded',
      'Teacher-forced one-step PSNR (old protocol)',
      'valid: engine 100.0% pass',
      '0.1.0',
    ])
      expect(table).toContain(text);
    const prefix = path.join(data, 'side');
    const [gif, png] = pictures.write(prefix);
    expect(fs.readFileSync(gif).subarray(0, 6).toString()).toBe('GIF89a');
    expect(fs.readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect(lines.some((l) => l.startsWith('closed loop: steps'))).toBe(true);
  });
});

describe('npm run eval, teacher-forced quick path', () => {
  let data: string;
  let report: EvalReport;
  const lines: string[] = [];

  beforeAll(async () => {
    data = tinyDataset();
    // The quick sizes, trimmed further where they cost most, to keep the test short.
    report = await evaluate(
      {
        model: MODEL,
        data,
        quick: true,
        sizes: { ...QUICK, latencyTicks: 3, controlContexts: 1, stabilitySteps: 30 },
      },
      (line) => lines.push(line),
    );
  });
  afterAll(() => fs.rmSync(data, { recursive: true, force: true }));

  it('reports every figure as a number', () => {
    // A rate over no cases is NaN: only adherence rates may be, where no case was judged
    // (on this tiny dataset the detectors are weak and may read a context as the target).
    const unjudged = Object.entries(report.adherence.perSlot)
      .filter(([, s]) => s.judged === 0)
      .flatMap(([slot]) => ['engine', 'model'].map((k) => `report.adherence.perSlot.${slot}.${k}`));
    const all = numbers(report).filter(([at]) => !unjudged.includes(at));
    expect(all.filter(([, v]) => Number.isNaN(v)).map(([at]) => at)).toEqual([]);
    expect(report.adherence.overall.judged).toBeGreaterThan(0);
    expect(report.meta.mode).toBe('quick');
    expect(report.latency.batch1.medianMs).toBeGreaterThan(0);
    expect(report.latency.scaling.map((s) => s.batch)).toEqual(QUICK.scalingBatches);
    expect(report.quality.oneStep.contexts).toBeGreaterThan(0);
    expect(report.quality.rollout.psnrPerStep.model).toHaveLength(16);
    expect(Object.keys(report.controllability.perAction)).toEqual([
      'turn_left',
      'turn_right',
      'forward',
    ]);
    expect(Object.keys(report.adherence.perSlot)).toEqual(['weather', 'time', 'event']);
    expect(report.adherence.judgeTicks).toBe(40);
    expect(report.stability.steps).toBe(30);
    expect(report.stability.ranges).toHaveLength(7);
  });

  it('holds the engine references the figures are read against', () => {
    // Holding the last frame on one step is a strong baseline on engine data.
    expect(report.quality.oneStep.holdLastFrame.psnr).toBeGreaterThan(20);
    // The turn measure reads the engine's own turns right.
    expect(report.controllability.perAction.turn_left.measureAccuracy).toBe(1);
    expect(report.controllability.perAction.turn_right.measureAccuracy).toBe(1);
  });

  it('prints a Markdown table of every figure against its target, and logs progress', () => {
    const table = markdownReport(report);
    for (const figure of [
      'Step latency, batch 1',
      'One-step PSNR',
      'One-step SSIM',
      '16-step rollout PSNR, mean',
      '16-step rollout PSNR, last step',
      'Controllability: turn_left',
      'Controllability: forward',
      'Controllability: overall',
      'Instruction visible within 2 s: event',
      'Instruction visible within 2 s: overall',
      'Stability: 30-step rollout',
      '| 8 |',
    ]) {
      expect(table).toContain(figure);
    }
    expect(lines.some((l) => l.startsWith('latency:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('adherence:'))).toBe(true);
  });
});

describe('npm run eval, usage errors', () => {
  const fails = (args: string[]) => expect(main(args)).rejects.toThrow(UsageError);

  it('refuses unknown flags, missing options and folders without a manifest', async () => {
    await fails(['--model', MODEL, '--data', MODEL, '--fast']);
    await fails(['--model', MODEL]);
    await fails(['--model', MODEL, '--data', MODEL, '--protocol', 'open-loop']);
    await expect(
      main(['--model', MODEL, '--data', MODEL, '--protocol', 'teacher-forced', '--sheet', 'x']),
    ).rejects.toThrow(/belong to the closed-loop protocol/);
    await expect(
      main(['--model', MODEL, '--data', path.join(ROOT, 'no-such-dir')]),
    ).rejects.toThrow(/--data .*no-such-dir is not a directory/);
    await expect(main(['--model', ROOT, '--data', MODEL])).rejects.toThrow(
      /--model .* holds no manifest.json/,
    );
  });

  it('exits 2 with the message on stderr', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'model/eval/cli.ts'), '--model', MODEL, '--fast'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/error: .*--fast/);
  });
});
