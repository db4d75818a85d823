/**
 * The dataset as the evaluation uses it: episodes by split, records, the instructions a
 * record carries, and the choice of where held-out contexts start (MANIFEST.md's held
 * instructions) and of which frames carry settled labels.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TRANSITION_TICKS, TRAVEL_TICKS } from '../engine/environment';
import { Instruction, makeInstruction } from '../engine/instructions';
import { StepRecord } from '../dataset/format';
import { DatasetManifest, MANIFEST_FILE, readManifest } from '../dataset/manifest';
import { ShardReader } from '../dataset/shards';

export type EpisodeInfo = DatasetManifest['episodes'][number];
export type Split = EpisodeInfo['split'];

export class EvalDataset {
  private readonly readers = new Map<string, ShardReader>();

  private constructor(
    readonly dir: string,
    readonly manifest: DatasetManifest,
  ) {}

  static open(dir: string): EvalDataset {
    if (!fs.existsSync(path.join(dir, MANIFEST_FILE)))
      throw new Error(`${dir} holds no dataset (${MANIFEST_FILE} is missing)`);
    return new EvalDataset(dir, readManifest(dir));
  }

  get size(): { width: number; height: number } {
    return { width: this.manifest.width, height: this.manifest.height };
  }

  episodes(split: Split): EpisodeInfo[] {
    return this.manifest.episodes.filter((e) => e.split === split);
  }

  record(episode: EpisodeInfo, step: number): StepRecord {
    return this.reader(episode.shard).read(episode.index, step);
  }

  records(episode: EpisodeInfo, from: number, count: number): StepRecord[] {
    return Array.from({ length: count }, (_, i) => this.record(episode, from + i));
  }

  /** The instructions applied at a record, decoded with the dataset's own vocabularies. */
  instructions(record: StepRecord): Instruction[] {
    const { slotOrder, instructionSlots } = this.manifest;
    const out: Instruction[] = [];
    slotOrder.forEach((slot, s) => {
      const token = record.instruction[s];
      if (token > 0) out.push(makeInstruction(slot, instructionSlots[slot][token - 1]));
    });
    return out;
  }

  close(): void {
    for (const reader of this.readers.values()) reader.close();
    this.readers.clear();
  }

  private reader(file: string): ShardReader {
    let reader = this.readers.get(file);
    if (!reader) {
      reader = ShardReader.open(path.join(this.dir, file));
      this.readers.set(file, reader);
    }
    return reader;
  }
}

/** `count` items spread evenly over `items` (all of them when there are fewer). */
export function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from(
    { length: count },
    (_, i) => items[Math.floor(((i + 0.5) * items.length) / count)],
  );
}

export interface ContextStart {
  /** The first predicted record; the context is the `context` records before it. */
  step: number;
  /**
   * True when no instruction was applied in the holdTicks - 1 records before `step`:
   * then the runtime, which only knows the instructions it is given from `step` on,
   * holds exactly what training conditioned on. Otherwise it misses an instruction
   * still held at `step` (an approximation, counted in the report).
   */
  exact: boolean;
}

export interface StartOptions {
  /** Context length K: the first predicted record is at least K. */
  context: number;
  /** Records predicted from each start. */
  span: number;
  holdTicks: number;
  count: number;
}

/** Where an episode's contexts start: exact ones first, spread over the episode. */
export function selectStarts(episode: EpisodeInfo, options: StartOptions): ContextStart[] {
  const applied = episode.instructions.map((i) => i.step);
  const candidates: ContextStart[] = [];
  for (let step = options.context; step + options.span <= episode.records; step++) {
    const exact = !applied.some((s) => s < step && s > step - options.holdTicks);
    candidates.push({ step, exact });
  }
  const exact = spread(
    candidates.filter((c) => c.exact),
    options.count,
  );
  const rest = spread(
    candidates.filter((c) => !c.exact),
    options.count - exact.length,
  );
  return [...exact, ...rest].sort((a, b) => a.step - b.step);
}

/**
 * Whether a record's frame shows its labelled value of `slot` fully: no instruction for
 * the slot in the last TRANSITION_TICKS records (the engine blends changes in) and no
 * biome journey fading the frame.
 */
export function isSettled(episode: EpisodeInfo, step: number, slot: string): boolean {
  return (
    !episode.instructions.some(
      (i) => i.step <= step && i.step > step - TRANSITION_TICKS && i.slot === slot,
    ) && !inJourney(episode, step)
  );
}

/** Whether a biome journey's fade covers the record's frame. */
export function inJourney(episode: EpisodeInfo, step: number): boolean {
  return episode.instructions.some(
    (i) => i.slot === 'biome' && i.step <= step && i.step >= step - TRAVEL_TICKS,
  );
}

export interface SampleOptions {
  /** Episodes used, spread over the split (0 = all). */
  episodes: number;
  /** Every stride-th record of each episode (from record 1, so each has a predecessor). */
  stride: number;
}

/** Visits sampled records of a split with the record before each. */
export function sampleRecords(
  dataset: EvalDataset,
  split: Split,
  options: SampleOptions,
  visit: (episode: EpisodeInfo, record: StepRecord, previous: StepRecord) => void,
): void {
  const all = dataset.episodes(split);
  const episodes = options.episodes > 0 ? spread(all, options.episodes) : all;
  for (const episode of episodes) {
    for (let step = 1; step < episode.records; step += options.stride) {
      const [previous, record] = dataset.records(episode, step - 1, 2);
      visit(episode, record, previous);
    }
  }
}
