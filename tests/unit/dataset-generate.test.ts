import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SLOT_NAMES, valueIndex } from '../../model/engine/instructions';
import { runEpisode } from '../../model/dataset/episode';
import { generateDataset } from '../../model/dataset/generate';
import { DatasetManifest, readManifest } from '../../model/dataset/manifest';
import { DatasetSpec, planEpisodes } from '../../model/dataset/plan';
import { ShardReader } from '../../model/dataset/shards';

const SPEC: DatasetSpec = {
  seed: 4,
  episodes: 2,
  steps: 12,
  width: 32,
  height: 24,
  heldout: 0.5,
  shardEpisodes: 8,
};

function generate(): { dir: string; manifest: DatasetManifest } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worldtick-dataset-'));
  return { dir, manifest: generateDataset(SPEC, dir) };
}

describe('dataset generation (small dataset on the real engine)', () => {
  let first: { dir: string; manifest: DatasetManifest };
  let second: { dir: string; manifest: DatasetManifest };
  beforeAll(() => {
    first = generate();
    second = generate();
  });

  it('writes byte-identical shards and manifest for the same spec (except timing)', () => {
    const files = fs.readdirSync(first.dir).sort();
    expect(files).toEqual(['heldout-000.bin', 'manifest.json', 'train-000.bin']);
    expect(fs.readdirSync(second.dir).sort()).toEqual(files);
    for (const file of files.filter((f) => f.endsWith('.bin'))) {
      expect(
        fs
          .readFileSync(path.join(second.dir, file))
          .equals(fs.readFileSync(path.join(first.dir, file))),
      ).toBe(true);
    }
    expect({ ...second.manifest, run: null }).toEqual({ ...first.manifest, run: null });
  });

  it('records each shard sha256 and size in the manifest, and the manifest reads back valid', () => {
    const manifest = readManifest(first.dir);
    for (const shard of manifest.shards) {
      const bytes = fs.readFileSync(path.join(first.dir, shard.file));
      expect(shard.bytes).toBe(bytes.length);
      expect(shard.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('keeps train and held-out episodes in disjoint shard files that match the manifest', () => {
    const { episodes, shards } = first.manifest;
    for (const shard of shards) {
      const reader = ShardReader.open(path.join(first.dir, shard.file));
      try {
        expect(reader.episodes.map((e) => e.episode)).toEqual(shard.episodes);
        for (const index of shard.episodes) expect(episodes[index].split).toBe(shard.split);
      } finally {
        reader.close();
      }
    }
    const held = episodes.filter((e) => e.split === 'heldout').map((e) => e.index);
    const train = episodes.filter((e) => e.split === 'train').map((e) => e.index);
    expect(held).toHaveLength(1);
    expect(train).toHaveLength(1);
    expect(held).not.toContain(train[0]);
  });

  it('follows the record convention: idle start frame, then each step with its planned instructions', () => {
    const plans = planEpisodes(SPEC.seed, SPEC.episodes, SPEC.steps);
    for (const entry of first.manifest.episodes) {
      const reader = ShardReader.open(path.join(first.dir, entry.shard));
      try {
        const records = [...reader.episode(entry.index)];
        expect(records).toHaveLength(SPEC.steps + 1);
        const [start, ...steps] = records;
        expect([start.action, start.changed, ...start.instruction]).toEqual(
          Array(2 + SLOT_NAMES.length).fill(0),
        );
        expect(start.motion).toEqual({ forward: 0, right: 0, yaw: 0, up: 0 });
        const planned = new Map(plans[entry.index].schedule.map((s) => [s.tick, s.instruction]));
        for (const record of steps) {
          const instruction = planned.get(record.step);
          const tokens = SLOT_NAMES.map((slot) =>
            instruction?.slot === slot ? valueIndex(instruction) + 1 : 0,
          );
          expect([...record.instruction]).toEqual(tokens);
          // A slot can only change at a step that carries an instruction for it.
          if (!instruction) expect(record.changed).toBe(0);
        }
      } finally {
        reader.close();
      }
    }
  });

  it('stores exactly what the episode runner produces (labels as float32), at the manifest offsets', () => {
    const entry = first.manifest.episodes[0];
    const plan = planEpisodes(SPEC.seed, 1, SPEC.steps)[0];
    const bytes = fs.readFileSync(path.join(first.dir, entry.shard));
    const stepOffset = first.manifest.record.fields.find((f) => f.name === 'step')?.offset ?? -1;
    const reader = ShardReader.open(path.join(first.dir, entry.shard));
    try {
      for (const { record } of runEpisode(plan, { width: SPEC.width, height: SPEC.height })) {
        expect(
          bytes.readUInt32LE(entry.offset + record.step * first.manifest.record.size + stepOffset),
        ).toBe(record.step);
        const stored = reader.read(entry.index, record.step);
        const motion = Object.fromEntries(
          Object.entries(record.motion).map(([k, v]) => [k, Math.fround(v)]),
        );
        expect(stored).toEqual({ ...record, motion });
      }
    } finally {
      reader.close();
    }
  });

  it('counts coverage over every frame and every scheduled instruction', () => {
    const { coverage, episodes } = first.manifest;
    expect(coverage.frames).toBe(SPEC.episodes * (SPEC.steps + 1));
    expect(coverage.steps).toBe(SPEC.episodes * SPEC.steps);
    const scheduled = episodes.reduce((n, e) => n + e.instructions.length, 0);
    expect(Object.values(coverage.instructions).reduce((a, b) => a + b, 0)).toBe(scheduled);
    expect(Object.values(coverage.behaviours).reduce((a, b) => a + b, 0)).toBe(coverage.steps);
    for (const slot of SLOT_NAMES) {
      const inSlot = Object.entries(coverage.environment).filter(([name]) =>
        name.startsWith(`${slot}=`),
      );
      expect(inSlot.reduce((n, [, c]) => n + c, 0)).toBe(coverage.frames);
    }
  });
});
