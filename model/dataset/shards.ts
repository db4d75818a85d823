/**
 * Shard files: a writer that streams records in the order its episode table promises
 * (and hashes what it writes), and a reader that finds any record by episode and step.
 */
import { createHash, Hash } from 'node:crypto';
import * as fs from 'node:fs';
import {
  decodeEpisodeTable,
  decodeRecord,
  decodeShardHeader,
  encodeRecord,
  encodeShardHead,
  EpisodeEntry,
  HEADER_BYTES,
  RecordLayout,
  recordLayout,
  ShardFormatError,
  ShardHeader,
  StepRecord,
} from './format';

export interface ShardSummary {
  bytes: number;
  sha256: string;
}

/** Episode table entries for whole episodes laid out back to back, in the given order. */
export function episodeEntries(
  episodes: readonly { episode: number; seed: number; records: number }[],
): EpisodeEntry[] {
  let firstRecord = 0;
  return episodes.map((e) => {
    const entry = { ...e, firstRecord };
    firstRecord += e.records;
    return entry;
  });
}

export class ShardWriter {
  private readonly hash: Hash = createHash('sha256');
  private readonly buffer: Buffer;
  private bytes = 0;
  /** Position of the next expected record: entry index and step within it. */
  private entry = 0;
  private step = 0;

  private constructor(
    private readonly fd: number,
    private readonly layout: RecordLayout,
    private readonly episodes: readonly EpisodeEntry[],
  ) {
    this.buffer = Buffer.alloc(layout.size);
    this.append(encodeShardHead(layout, episodes));
  }

  static create(
    path: string,
    layout: RecordLayout,
    episodes: readonly EpisodeEntry[],
  ): ShardWriter {
    return new ShardWriter(fs.openSync(path, 'w'), layout, episodes);
  }

  /** Appends the next record; it must be the one the episode table expects next. */
  write(record: StepRecord): void {
    const expected = this.episodes[this.entry];
    if (!expected || record.episode !== expected.episode || record.step !== this.step) {
      const want = expected ? `episode ${expected.episode} step ${this.step}` : 'no more records';
      throw new Error(
        `shard writer expected ${want}; got episode ${record.episode} step ${record.step}`,
      );
    }
    encodeRecord(this.layout, record, this.buffer);
    this.append(this.buffer);
    if (++this.step === expected.records) {
      this.entry++;
      this.step = 0;
    }
  }

  close(): ShardSummary {
    fs.closeSync(this.fd);
    if (this.entry !== this.episodes.length) {
      throw new Error(`shard closed after ${this.entry} of ${this.episodes.length} episodes`);
    }
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  private append(chunk: Buffer): void {
    fs.writeSync(this.fd, chunk);
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }
}

export class ShardReader {
  readonly layout: RecordLayout;

  private constructor(
    private readonly fd: number,
    readonly header: ShardHeader,
    readonly episodes: readonly EpisodeEntry[],
  ) {
    this.layout = recordLayout(header.width, header.height);
    if (this.layout.size !== header.recordSize) {
      throw new ShardFormatError(
        `record size in header is ${header.recordSize}, expected ${this.layout.size} for ${header.width}x${header.height}`,
      );
    }
  }

  static open(path: string): ShardReader {
    const fd = fs.openSync(path, 'r');
    try {
      const header = decodeShardHeader(readAt(fd, 0, HEADER_BYTES));
      const episodes = decodeEpisodeTable(readAt(fd, 0, header.dataOffset), header.episodeCount);
      return new ShardReader(fd, header, episodes);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /** The record at `step` of global episode `episode`. */
  read(episode: number, step: number): StepRecord {
    const entry = this.entryOf(episode);
    if (!Number.isInteger(step) || step < 0 || step >= entry.records) {
      throw new RangeError(`step ${step} is outside episode ${episode} (0..${entry.records - 1})`);
    }
    const at = this.header.dataOffset + (entry.firstRecord + step) * this.layout.size;
    return decodeRecord(this.layout, readAt(this.fd, at, this.layout.size));
  }

  /** Every record of an episode, in step order. */
  *episode(episode: number): Generator<StepRecord> {
    const { records } = this.entryOf(episode);
    for (let step = 0; step < records; step++) yield this.read(episode, step);
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private entryOf(episode: number): EpisodeEntry {
    const entry = this.episodes.find((e) => e.episode === episode);
    if (!entry) throw new RangeError(`episode ${episode} is not in this shard`);
    return entry;
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const out = Buffer.alloc(length);
  const read = fs.readSync(fd, out, 0, length, position);
  if (read !== length) {
    throw new ShardFormatError(
      `shard is truncated: wanted ${length} bytes at ${position}, got ${read}`,
    );
  }
  return out;
}
