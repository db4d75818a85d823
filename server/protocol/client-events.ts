/**
 * Client-to-server events: their payloads (zod schemas, unknown keys dropped) and the
 * largest accepted payload per event, checked before parsing so an oversized one is
 * refused cheaply. Every event is answered through its ack as `{ ok: true, ... }` or
 * `{ ok: false, error }` (server-events.ts has the replies).
 */
import { z } from 'zod';
import { CONTROL_MODES, INSTRUCTION_RULES, ROLES } from './roles';
import { SESSION_ID, SESSION_ID_RULE } from './session-id';
import { actionKeysSchema, Vocabulary } from './vocabulary';

export const SessionId = z.string().regex(SESSION_ID, SESSION_ID_RULE);

/** Characters a display name may not hold: controls, line breaks, bidirectional overrides. */
const UNSAFE_IN_NAME = /[\p{Cc}\p{Zl}\p{Zp}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/** With the u flag only an unpaired surrogate matches: text that is not valid Unicode. */
const LONE_SURROGATE = /[\ud800-\udfff]/u;
export const MAX_NAME_CHARS = 40;

/** A display name, signed into tokens and shown to others: NFC, trimmed, printable, bounded. */
export const Name = z
  .string()
  .max(4 * MAX_NAME_CHARS)
  .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode (no lone surrogates)')
  .transform((s) => s.normalize('NFC').trim())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .refine((s) => [...s].length <= MAX_NAME_CHARS, `at most ${MAX_NAME_CHARS} characters`)
      .refine(
        (s) => !UNSAFE_IN_NAME.test(s),
        'no control, line-break or bidirectional-override characters',
      ),
  );

export const JoinMessage = z.object({
  /** A signed join token naming the session and role (from an invite). */
  token: z.string().min(1).max(2048),
  /** The resume token of an earlier membership, to reclaim it after a dropped connection. */
  resume: z.string().uuid().optional(),
});

/** Most frames in a video prompt (a model keeps only its context length of them). */
export const MAX_PROMPT_FRAMES = 4;
/** Bytes of one base64 prompt frame: 128x128 RGB, with room to spare. */
const MAX_PROMPT_FRAME_CHARS = 70_000;

export const CreateSessionMessage = z.object({
  id: SessionId.optional(),
  /** The session's title in the lobby (defaults to its id). */
  title: Name.optional(),
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** The creator's display name (the host's). */
  name: Name,
  /** How the room steers and how instructions pass (the server's defaults when left out). */
  mode: z.enum(CONTROL_MODES).optional(),
  instructionRule: z.enum(INSTRUCTION_RULES).optional(),
  /** A video prompt: raw RGB frames (width x height x 3 bytes, oldest first), base64. */
  prompt: z
    .array(
      z
        .string()
        .max(MAX_PROMPT_FRAME_CHARS)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
    )
    .min(1)
    .max(MAX_PROMPT_FRAMES)
    .optional(),
  /** Start from text: `slot=value` pairs, e.g. "biome=desert time=dusk" (not with a prompt). */
  text: z.string().min(1).max(200).optional(),
});

export type CreateSessionMessage = z.infer<typeof CreateSessionMessage>;

export const LocateMessage = z.object({
  sessionId: SessionId,
  /** Who asks: players are sent to the session's own server, spectators to the fleet's best edge. */
  role: z.enum(['player', 'spectator']).default('player'),
});

export const InviteMessage = z.object({
  sessionId: SessionId,
  role: z.enum(ROLES).exclude(['host']),
  name: Name,
});

/**
 * Largest sequence number: 60 inputs a second for a year fit. Bounded so one message
 * cannot push a member's counter out of reach; it starts again on every new connection.
 */
export const MAX_SEQ = 2 ** 31 - 1;

/** Held keys, from the session's vocabulary. */
export function actionMessage(vocabulary: Vocabulary) {
  return z.object({
    /** Rises with every message from this client; older or repeated ones are dropped. */
    seq: z.number().int().nonnegative().max(MAX_SEQ),
    keys: actionKeysSchema(vocabulary),
  });
}
export type ActionMessage = z.infer<ReturnType<typeof actionMessage>>;

export const InstructionMessage = z.object({ text: z.string().min(1).max(64) });

const ProposalId = z.number().int().nonnegative();
export const ReviewMessage = z.object({ proposalId: ProposalId, approve: z.boolean() });
export const InstructionVoteMessage = z.object({
  proposalId: ProposalId,
  approve: z.boolean().nullable(),
});

const Mode = z.enum(CONTROL_MODES);
/** A vote for a control mode, or null to withdraw it. */
export const ModeVoteMessage = z.object({ mode: Mode.nullable() });
export const SetModeMessage = z.object({ mode: Mode });
export const HandOffMessage = z.object({ to: z.string().uuid() });

/** WebRTC's DTLS parameters (mediasoup's DtlsParameters), unknown keys dropped: mediasoup gets nothing else. */
const DtlsParameters = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(
      z.object({
        algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
        value: z.string().regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){15,63}$/, 'hex pairs'),
      }),
    )
    .min(1)
    .max(8),
});

const Token = z.string().min(1).max(64);
/** A browser's receive capabilities (mediasoup's RtpCapabilities), bounded; unknown keys dropped. */
const RtpCapabilities = z.object({
  codecs: z
    .array(
      z.object({
        kind: z.enum(['audio', 'video']),
        mimeType: z.string().regex(/^(audio|video)\/[A-Za-z0-9.+-]{1,32}$/, 'type/subtype'),
        preferredPayloadType: z.number().int().min(0).max(127).optional(),
        clockRate: z.number().int().min(1).max(1_000_000),
        channels: z.number().int().min(1).max(64).optional(),
        parameters: z.record(Token, z.union([z.string().max(256), z.number()])).optional(),
        rtcpFeedback: z
          .array(z.object({ type: Token, parameter: z.string().max(64).optional() }))
          .max(16)
          .optional(),
      }),
    )
    .max(128),
  headerExtensions: z
    .array(
      z.object({
        kind: z.enum(['audio', 'video']),
        uri: z.string().min(1).max(256),
        preferredId: z.number().int().min(1).max(255),
        preferredEncrypt: z.boolean().optional(),
        direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
      }),
    )
    .max(64)
    .optional(),
});

export const ConnectTransportMessage = z.object({ dtlsParameters: DtlsParameters });

export const ConsumeMessage = z.object({ rtpCapabilities: RtpCapabilities });

/** No payload: nothing, null (how `emit(event, undefined)` arrives), or `{}`. */
export const EmptyMessage = z.object({}).strict().nullish();

/** Largest accepted payload per event, in bytes of JSON. */
export const MAX_BYTES = {
  join: 4096,
  'session:create': 512 + MAX_PROMPT_FRAMES * MAX_PROMPT_FRAME_CHARS,
  'session:list': 64,
  'session:locate': 128,
  'session:invite': 256,
  'session:close': 64,
  action: 512,
  instruction: 256,
  'instruction:review': 128,
  'instruction:vote': 128,
  'control:vote-mode': 128,
  'control:set-mode': 128,
  'control:hand-off': 128,
  leave: 64,
  'media:createTransport': 64,
  'media:connectTransport': 8 * 1024,
  'media:consume': 64 * 1024,
} as const;

export type ClientEvent = keyof typeof MAX_BYTES;

/** Socket.IO's typing of what a client may emit: one payload, and an ack when an answer is wanted. */
export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: unknown, ack?: (reply: unknown) => void) => void;
};
