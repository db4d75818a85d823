/**
 * The shard byte format (see model/DATA.md): a header, an episode table, then
 * fixed-size step records, all little-endian. Fixed-size records let Python map a
 * whole shard with one numpy structured dtype; the layout below is also written into
 * the manifest so readers need not hard-code offsets.
 */
import { ActionBits } from '../engine/actions';
import type { StepLabels } from '../engine/engine';
import { SLOT_NAMES } from '../engine/instructions';

export const SHARD_MAGIC = 'WTSHARDS';
export const FORMAT_VERSION = 1;
export const CHANNELS = 3;
/** magic (8) + version, width, height, recordSize, episodeCount, dataOffset (u32 each). */
export const HEADER_BYTES = 32;
/** episode, seed, firstRecord, records (u32 each). */
export const EPISODE_ENTRY_BYTES = 16;
/** Records start on this boundary so a memmap of the record area is aligned. */
const DATA_ALIGNMENT = 64;
/** Record size is a multiple of this, so float32 fields stay aligned in every record. */
const RECORD_ALIGNMENT = 8;

export const FIELD_DTYPES = ['uint8', 'uint16', 'uint32', 'float32'] as const;
export type FieldDtype = (typeof FIELD_DTYPES)[number];

const DTYPE_BYTES: Record<FieldDtype, number> = { uint8: 1, uint16: 2, uint32: 4, float32: 4 };

export interface FieldLayout {
  name: RecordFieldName;
  offset: number;
  dtype: FieldDtype;
  shape: number[];
}

export interface RecordLayout {
  width: number;
  height: number;
  size: number;
  fields: FieldLayout[];
}

/** Order of the motion label components in the `motion` field. */
export const MOTION_COMPONENTS = ['forward', 'right', 'yaw', 'up'] as const;

export type Motion = StepLabels['motion'];

/** One step of an episode as stored (see the record convention in model/DATA.md). */
export interface StepRecord {
  /** Global episode index in the dataset. */
  episode: number;
  /** Record index within the episode; 0 is the initial frame. */
  step: number;
  motion: Motion;
  action: ActionBits;
  /** Bit i set when slot SLOT_NAMES[i] was changed by an instruction at this step. */
  changed: number;
  /** Per slot (SLOT_NAMES order): 0 = no instruction, else value index + 1. */
  instruction: Uint8Array;
  /** Per slot (SLOT_NAMES order): value index of the state after this step. */
  environment: Uint8Array;
  /** RGB bytes, height x width x 3, row-major. */
  frame: Uint8Array;
}

export type RecordFieldName = keyof StepRecord;

/** Field order and types; offsets follow, each aligned to its dtype. */
function fieldSpecs(width: number, height: number): Omit<FieldLayout, 'offset'>[] {
  return [
    { name: 'motion', dtype: 'float32', shape: [MOTION_COMPONENTS.length] },
    { name: 'episode', dtype: 'uint32', shape: [] },
    { name: 'step', dtype: 'uint32', shape: [] },
    { name: 'action', dtype: 'uint16', shape: [] },
    { name: 'changed', dtype: 'uint8', shape: [] },
    { name: 'instruction', dtype: 'uint8', shape: [SLOT_NAMES.length] },
    { name: 'environment', dtype: 'uint8', shape: [SLOT_NAMES.length] },
    { name: 'frame', dtype: 'uint8', shape: [height, width, CHANNELS] },
  ];
}

export function recordLayout(width: number, height: number): RecordLayout {
  let offset = 0;
  const fields = fieldSpecs(width, height).map((spec) => {
    offset = alignUp(offset, DTYPE_BYTES[spec.dtype]);
    const field = { ...spec, offset };
    offset += fieldBytes(field);
    return field;
  });
  return { width, height, size: alignUp(offset, RECORD_ALIGNMENT), fields };
}

function fieldBytes(field: Omit<FieldLayout, 'offset'>): number {
  return field.shape.reduce((n, d) => n * d, DTYPE_BYTES[field.dtype]);
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

function fieldOffset(layout: RecordLayout, name: RecordFieldName): number {
  const field = layout.fields.find((f) => f.name === name);
  if (!field) throw new Error(`record layout has no field "${name}"`);
  return field.offset;
}

/** Writes `record` into `out` at `at` (the record's padding bytes are zeroed). */
export function encodeRecord(layout: RecordLayout, record: StepRecord, out: Buffer, at = 0): void {
  const frameBytes = layout.width * layout.height * CHANNELS;
  if (record.frame.length !== frameBytes) {
    throw new Error(`frame must hold ${frameBytes} bytes; got ${record.frame.length}`);
  }
  out.fill(0, at, at + layout.size);
  const motionAt = at + fieldOffset(layout, 'motion');
  MOTION_COMPONENTS.forEach((c, i) => out.writeFloatLE(record.motion[c], motionAt + 4 * i));
  out.writeUInt32LE(record.episode, at + fieldOffset(layout, 'episode'));
  out.writeUInt32LE(record.step, at + fieldOffset(layout, 'step'));
  out.writeUInt16LE(record.action, at + fieldOffset(layout, 'action'));
  out.writeUInt8(record.changed, at + fieldOffset(layout, 'changed'));
  out.set(record.instruction, at + fieldOffset(layout, 'instruction'));
  out.set(record.environment, at + fieldOffset(layout, 'environment'));
  out.set(record.frame, at + fieldOffset(layout, 'frame'));
}

/** Reads the record stored in `bytes` at `at` (arrays are copies). */
export function decodeRecord(layout: RecordLayout, bytes: Buffer, at = 0): StepRecord {
  const slice = (name: RecordFieldName, length: number) => {
    const start = at + fieldOffset(layout, name);
    return new Uint8Array(bytes.subarray(start, start + length));
  };
  const motionAt = at + fieldOffset(layout, 'motion');
  const [forward, right, yaw, up] = MOTION_COMPONENTS.map((_, i) =>
    bytes.readFloatLE(motionAt + 4 * i),
  );
  return {
    episode: bytes.readUInt32LE(at + fieldOffset(layout, 'episode')),
    step: bytes.readUInt32LE(at + fieldOffset(layout, 'step')),
    motion: { forward, right, yaw, up },
    action: bytes.readUInt16LE(at + fieldOffset(layout, 'action')),
    changed: bytes.readUInt8(at + fieldOffset(layout, 'changed')),
    instruction: slice('instruction', SLOT_NAMES.length),
    environment: slice('environment', SLOT_NAMES.length),
    frame: slice('frame', layout.width * layout.height * CHANNELS),
  };
}

export interface ShardHeader {
  version: number;
  width: number;
  height: number;
  recordSize: number;
  episodeCount: number;
  /** Byte offset of the first record. */
  dataOffset: number;
}

export interface EpisodeEntry {
  /** Global episode index in the dataset. */
  episode: number;
  /** The episode's world seed. */
  seed: number;
  /** Index of the episode's first record among the shard's records. */
  firstRecord: number;
  records: number;
}

export function dataOffsetFor(episodeCount: number): number {
  return alignUp(HEADER_BYTES + episodeCount * EPISODE_ENTRY_BYTES, DATA_ALIGNMENT);
}

/** Header and episode table, zero-padded up to the first record. */
export function encodeShardHead(layout: RecordLayout, episodes: readonly EpisodeEntry[]): Buffer {
  const dataOffset = dataOffsetFor(episodes.length);
  const out = Buffer.alloc(dataOffset);
  out.write(SHARD_MAGIC, 0, 'ascii');
  [FORMAT_VERSION, layout.width, layout.height, layout.size, episodes.length, dataOffset].forEach(
    (value, i) => out.writeUInt32LE(value, 8 + 4 * i),
  );
  episodes.forEach((e, i) => {
    const at = HEADER_BYTES + i * EPISODE_ENTRY_BYTES;
    [e.episode, e.seed, e.firstRecord, e.records].forEach((value, j) =>
      out.writeUInt32LE(value, at + 4 * j),
    );
  });
  return out;
}

export class ShardFormatError extends Error {
  override readonly name = 'ShardFormatError';
}

/** Parses the fixed header; `bytes` must hold at least HEADER_BYTES. */
export function decodeShardHeader(bytes: Buffer): ShardHeader {
  const magic = bytes.toString('ascii', 0, 8);
  if (magic !== SHARD_MAGIC) {
    throw new ShardFormatError(
      `not a worldtick shard: magic is "${magic}", expected "${SHARD_MAGIC}"`,
    );
  }
  const [version, width, height, recordSize, episodeCount, dataOffset] = [0, 1, 2, 3, 4, 5].map(
    (i) => bytes.readUInt32LE(8 + 4 * i),
  );
  if (version !== FORMAT_VERSION) {
    throw new ShardFormatError(
      `shard format version ${version} is not supported (expected ${FORMAT_VERSION})`,
    );
  }
  return { version, width, height, recordSize, episodeCount, dataOffset };
}

/** Parses the episode table that follows the header. */
export function decodeEpisodeTable(bytes: Buffer, episodeCount: number): EpisodeEntry[] {
  return Array.from({ length: episodeCount }, (_, i) => {
    const at = HEADER_BYTES + i * EPISODE_ENTRY_BYTES;
    const [episode, seed, firstRecord, records] = [0, 1, 2, 3].map((j) =>
      bytes.readUInt32LE(at + 4 * j),
    );
    return { episode, seed, firstRecord, records };
  });
}
