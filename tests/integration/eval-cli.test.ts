/**
 * @jest-environment ./tests/environments/onnxruntime.js
 *
 * The evaluation CLI's quick path end to end: the shipped model on a tiny dataset made
 * here, every figure of the report present, the Markdown table complete; and the
 * command's usage errors.
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

jest.setTimeout(60000);

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

describe('npm run eval, quick path', () => {
  let data: string;
  let report: EvalReport;
  const lines: string[] = [];

  beforeAll(async () => {
    data = fs.mkdtempSync(path.join(os.tmpdir(), 'wt-eval-'));
    generateDataset(
      {
        seed: 3,
        episodes: 4,
        steps: 40,
        width: 128,
        height: 128,
        heldout: 0.25,
        shardEpisodes: 32,
      },
      data,
    );
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
