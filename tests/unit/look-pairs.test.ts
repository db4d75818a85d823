/**
 * The look pairs the generator's grade layer is fitted on: the same scene under every
 * value of a slot, so frames of one scene differ only by the value's look.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const FRAME = 128 * 128 * 3;

function lookPairs(args: string[]) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'model/dataset/look-pairs.ts'), ...args],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } },
  );
}

/** Mean of one channel over the rows [top, bottom) of a frame. */
function channelMean(frame: Uint8Array, channel: number, top: number, bottom: number): number {
  let sum = 0;
  for (let i = top * 128; i < bottom * 128; i++) sum += frame[i * 3 + channel];
  return sum / ((bottom - top) * 128);
}

/**
 * Correlation of two frames' green channel in 4x4 block means over the ground rows 80..127
 * (block means, so that rain and snow particles, drawn anew in each frame, average out).
 */
function correlation(a: Uint8Array, b: Uint8Array): number {
  const blocks = (f: Uint8Array) => {
    const out: number[] = [];
    for (let by = 80; by < 128; by += 4)
      for (let bx = 0; bx < 128; bx += 4) {
        let sum = 0;
        for (let y = by; y < by + 4; y++)
          for (let x = bx; x < bx + 4; x++) sum += f[(y * 128 + x) * 3 + 1];
        out.push(sum / 16);
      }
    return out;
  };
  const [xs, ys] = [blocks(a), blocks(b)];
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [mx, my] = [mean(xs), mean(ys)];
  const cov = mean(xs.map((x, i) => (x - mx) * (ys[i] - my)));
  const sd = (v: number[], m: number) => Math.sqrt(mean(v.map((x) => (x - m) ** 2)));
  return cov / (sd(xs, mx) * sd(ys, my));
}

describe('look pairs', () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'worldtick-look-pairs-'));
    const result = lookPairs(['--out', out, '--scenes', '2', '--seed', '1']);
    expect(result.stderr).toContain('look pairs: written to');
    expect(result.status).toBe(0);
  }, 60_000);
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('writes every graded slot, every value of it, per scene', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'worldtick-look-pairs',
      version: 1,
      height: 128,
      width: 128,
    });
    expect(Object.keys(manifest.slots)).toEqual(['weather', 'time', 'event']);
    expect(manifest.slots.time.values).toEqual(['dawn', 'noon', 'dusk', 'night']);
    for (const slot of ['weather', 'time', 'event']) {
      const size = fs.statSync(path.join(out, `${slot}.u8`)).size;
      expect(size).toBe(manifest.slots[slot].scenes * 4 * FRAME);
    }
  });

  it('shows one scene under each value: night darker than noon, dawn the same ground as noon', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(out, 'time.u8')));
    const frame = (scene: number, value: number) =>
      bytes.subarray((scene * 4 + value) * FRAME, (scene * 4 + value + 1) * FRAME);
    const [DAWN, NOON, NIGHT] = [0, 1, 3];
    // The engine's night light is a third of noon's on the ground.
    expect(channelMean(frame(0, NIGHT), 1, 80, 128)).toBeLessThan(
      0.6 * channelMean(frame(0, NOON), 1, 80, 128),
    );
    // Same scene: dawn's ground follows noon's pixel for pixel, far closer than another scene's.
    const sameScene = correlation(frame(0, DAWN), frame(0, NOON));
    expect(sameScene).toBeGreaterThan(0.8);
    expect(sameScene).toBeGreaterThan(correlation(frame(1, NOON), frame(0, NOON)) + 0.3);
  });

  it('refuses a bad option with a usage error', () => {
    const result = lookPairs(['--out', out, '--scenes', '0']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--scenes must be at least 1');
  });
});
