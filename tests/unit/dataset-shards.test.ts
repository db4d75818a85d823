import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SLOT_NAMES } from '../../model/engine/instructions';
import {
  dataOffsetFor,
  encodeRecord,
  recordLayout,
  ShardFormatError,
  StepRecord,
} from '../../model/dataset/format';
import { episodeEntries, ShardReader, ShardWriter } from '../../model/dataset/shards';
import { Rng } from '../../model/dataset/prng';

const WIDTH = 20;
const HEIGHT = 12;
const layout = recordLayout(WIDTH, HEIGHT);

/** Records with every field filled with seeded noise, so any mix-up of fields shows. */
function syntheticEpisode(episode: number, records: number, rng: Rng): StepRecord[] {
  return Array.from({ length: records }, (_, step) => ({
    episode,
    step,
    motion: {
      forward: rng.range(-1, 1),
      right: rng.range(-1, 1),
      yaw: rng.range(-0.2, 0.2),
      up: rng.range(-1, 1),
    },
    action: rng.int(0, 255),
    changed: rng.int(0, 31),
    instruction: Uint8Array.from(SLOT_NAMES, () => rng.int(0, 4)),
    environment: Uint8Array.from(SLOT_NAMES, () => rng.int(0, 3)),
    frame: Uint8Array.from({ length: WIDTH * HEIGHT * 3 }, () => rng.int(0, 255)),
  }));
}

function tempFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'worldtick-shards-')), name);
}

function writeShard(file: string, episodes: StepRecord[][]): void {
  const entries = episodeEntries(
    episodes.map((records) => ({
      episode: records[0].episode,
      seed: 1000 + records[0].episode,
      records: records.length,
    })),
  );
  const writer = ShardWriter.create(file, layout, entries);
  for (const records of episodes) for (const record of records) writer.write(record);
  writer.close();
}

describe('record layout', () => {
  it('aligns every field to its dtype and the record size to 8 bytes', () => {
    const sizes = { uint8: 1, uint16: 2, uint32: 4, float32: 4 };
    for (const field of layout.fields) expect(field.offset % sizes[field.dtype]).toBe(0);
    expect(layout.size % 8).toBe(0);
    const frame = layout.fields.find((f) => f.name === 'frame');
    expect(frame?.shape).toEqual([HEIGHT, WIDTH, 3]);
    expect(layout.size).toBeGreaterThanOrEqual((frame?.offset ?? 0) + WIDTH * HEIGHT * 3);
  });

  it('puts fields at fixed offsets (the documented contract)', () => {
    const offsets = Object.fromEntries(layout.fields.map((f) => [f.name, f.offset]));
    expect(offsets).toEqual({
      motion: 0,
      episode: 16,
      step: 20,
      action: 24,
      changed: 26,
      instruction: 27,
      environment: 32,
      frame: 37,
    });
    expect(recordLayout(128, 128).size).toBe(49192);
  });
});

describe('shard write/read round trip', () => {
  const rng = new Rng(42);
  const episodes = [
    syntheticEpisode(3, 5, rng),
    syntheticEpisode(7, 1, rng),
    syntheticEpisode(9, 4, rng),
  ];

  it('reads back every record with identical fields (motion as float32)', () => {
    const file = tempFile('train-000.bin');
    writeShard(file, episodes);
    const reader = ShardReader.open(file);
    try {
      expect(reader.episodes.map((e) => [e.episode, e.seed, e.firstRecord, e.records])).toEqual([
        [3, 1003, 0, 5],
        [7, 1007, 5, 1],
        [9, 1009, 6, 4],
      ]);
      for (const records of episodes) {
        const read = [...reader.episode(records[0].episode)];
        expect(read).toHaveLength(records.length);
        read.forEach((got, i) => {
          const want = records[i];
          expect(got.motion).toEqual({
            forward: Math.fround(want.motion.forward),
            right: Math.fround(want.motion.right),
            yaw: Math.fround(want.motion.yaw),
            up: Math.fround(want.motion.up),
          });
          expect({ ...got, motion: null }).toEqual({ ...want, motion: null });
        });
      }
    } finally {
      reader.close();
    }
  });

  it('stores exactly header, table and the encoded records, byte for byte', () => {
    const file = tempFile('train-000.bin');
    writeShard(file, episodes);
    const bytes = fs.readFileSync(file);
    const all = episodes.flat();
    const dataOffset = dataOffsetFor(episodes.length);
    expect(bytes.length).toBe(dataOffset + all.length * layout.size);
    expect(bytes.toString('ascii', 0, 8)).toBe('WTSHARDS');
    expect([1, 2, 3, 4, 5, 6].map((i) => bytes.readUInt32LE(4 + 4 * i))).toEqual([
      1,
      WIDTH,
      HEIGHT,
      layout.size,
      episodes.length,
      dataOffset,
    ]);
    const expected = Buffer.alloc(layout.size);
    all.forEach((record, i) => {
      encodeRecord(layout, record, expected);
      const at = dataOffset + i * layout.size;
      expect(bytes.subarray(at, at + layout.size).equals(expected)).toBe(true);
    });
  });

  it('refuses records out of the order its episode table promises', () => {
    const file = tempFile('train-000.bin');
    const writer = ShardWriter.create(
      file,
      layout,
      episodeEntries([{ episode: 3, seed: 1, records: 2 }]),
    );
    writer.write(episodes[0][0]);
    expect(() => writer.write(episodes[0][2])).toThrow(
      'expected episode 3 step 1; got episode 3 step 2',
    );
    expect(() => writer.close()).toThrow('closed after 0 of 1 episodes');
  });

  it('rejects files that are not shards, and truncated shards', () => {
    const notShard = tempFile('x.bin');
    fs.writeFileSync(notShard, Buffer.alloc(64, 7));
    expect(() => ShardReader.open(notShard)).toThrow(ShardFormatError);

    const truncated = tempFile('train-000.bin');
    writeShard(truncated, episodes);
    const size = fs.statSync(truncated).size;
    fs.truncateSync(truncated, size - 10);
    const reader = ShardReader.open(truncated);
    try {
      expect(() => reader.read(9, 3)).toThrow('shard is truncated');
      expect(() => reader.read(9, 4)).toThrow('outside episode 9');
      expect(() => reader.read(8, 0)).toThrow('episode 8 is not in this shard');
    } finally {
      reader.close();
    }
  });
});
