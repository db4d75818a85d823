/**
 * How store records look inside Redis: flat string fields, readable with redis-cli.
 * Decoding validates, so data written by something else (or by an older schema)
 * fails loudly with StoreDataError instead of driving a replay wrongly.
 *
 * Action-log stream entry (one per tick), stream ID `<tick>-1`, so Redis itself keeps
 * the log append-only in tick order and a tick range is an ID range:
 *   action        decimal ActionBits (multi-hot over the frame source's keys, below 2^MAX_KEYS)
 *   instructions  applied instructions as `slot=value`, space-separated, in order ('' for none)
 * Which keys and instructions exist is the frame source's vocabulary: the codec checks
 * their form; the replay checks them against its source (replay.ts).
 *   pilot         member id whose input drove the tick; absent when none
 */
import { z } from 'zod';
import { formatInstruction, MAX_KEYS, readInstruction } from '../protocol/vocabulary';
import { StoreDataError } from './errors';
import { Fields } from './redis-expiring-records';
import {
  ActionLogEntry,
  PresenceMember,
  ProcessLoad,
  SeatRecord,
  SessionEntry,
  SessionOrigin,
  SessionSnapshot,
} from './state-store';

const whole = z
  .string()
  .regex(/^\d+$/, 'expected a whole number')
  .transform((text) => Number(text));

const ORIGIN_SHAPE = {
  seed: whole,
  frameSource: z.string().min(1),
  width: whole,
  height: whole,
  tickHz: whole,
  title: z.string().optional(),
  controlMode: z.string().optional(),
  instructionRule: z.string().optional(),
};
const OriginSchema = z.object(ORIGIN_SHAPE);
const SessionSchema = z.object({
  ...ORIGIN_SHAPE,
  sessionId: z.string().min(1),
  processId: z.string().min(1),
  url: z.string().min(1),
  players: whole.optional(),
  spectators: whole.optional(),
  paused: z
    .enum(['true', 'false'])
    .transform((flag) => flag === 'true')
    .optional(),
  startedAt: whole.optional(),
});
const ProcessSchema = z.object({
  processId: z.string().min(1),
  url: z.string().min(1),
  sessions: whole,
  capacity: whole,
  viewers: whole,
  viewerCapacity: whole,
  draining: z.enum(['true', 'false']).transform((flag) => flag === 'true'),
});
const SnapshotSchema = z.object({
  tick: whole,
  bytes: z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64')
    .transform((text) => new Uint8Array(Buffer.from(text, 'base64'))),
});
const MemberSchema = z.object({ memberId: z.string().min(1), role: z.string().min(1) });
const EntrySchema = z.object({
  action: whole.refine((bits) => bits < 2 ** MAX_KEYS, `an action has at most ${MAX_KEYS} keys`),
  instructions: z.string(),
  pilot: z.string().optional(),
});

/** Every field as a string (hashes hold strings); pass a picked record (see records.ts). */
export function toFields(
  record: SessionOrigin | SessionEntry | ProcessLoad | PresenceMember,
): Fields {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, String(value)]));
}

export function decodeOrigin(fields: Fields, where: string): SessionOrigin {
  return decoded(where, () => OriginSchema.parse(fields));
}

export function decodeSession(fields: Fields, where: string): SessionEntry {
  return decoded(where, () => SessionSchema.parse(fields));
}

export function decodeProcess(fields: Fields, where: string): ProcessLoad {
  return decoded(where, () => ProcessSchema.parse(fields));
}

export function decodeSnapshot(fields: Fields, where: string): SessionSnapshot {
  return decoded(where, () => SnapshotSchema.parse(fields));
}

const SeatSchema = z.object({
  memberId: z.string().min(1),
  name: z.string(),
  role: z.string().min(1),
  tokenId: z.string().min(1),
  resumeToken: z.string().min(1),
});

/** A seat record is one hash field (its JSON) of the session's seats hash. */
export function decodeSeat(json: string, where: string): SeatRecord {
  return decoded(where, () => SeatSchema.parse(JSON.parse(json)));
}

export function decodeMember(fields: Fields, where: string): PresenceMember {
  return decoded(where, () => MemberSchema.parse(fields));
}

export function entryId(tick: number): string {
  return `${tick}-1`;
}

export function encodeEntry(entry: ActionLogEntry): Fields {
  const fields: Fields = {
    action: String(entry.action),
    instructions: entry.instructions.map(formatInstruction).join(' '),
  };
  if (entry.pilot !== null) fields.pilot = entry.pilot;
  return fields;
}

export function decodeEntry(id: string, fields: Fields, where: string): ActionLogEntry {
  return decoded(`${where} entry ${id}`, () => {
    const tick = /^(\d+)-1$/.exec(id);
    if (!tick) throw new Error('stream ID is not <tick>-1');
    const { action, instructions, pilot } = EntrySchema.parse(fields);
    return {
      tick: Number(tick[1]),
      action,
      instructions: instructions.split(' ').filter(Boolean).map(readInstruction),
      pilot: pilot ?? null,
    };
  });
}

function decoded<T>(where: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    const reason = error instanceof z.ZodError ? z.prettifyError(error) : String(error);
    throw new StoreDataError(`${where} does not decode: ${reason}`, { cause: error });
  }
}
