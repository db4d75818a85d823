/**
 * Wire messages from clients, validated with zod. Each event also has a size limit,
 * checked before parsing, so an oversized payload is refused cheaply.
 */
import { z } from 'zod';
import { ACTION_KEYS } from '../../model/engine/actions';
import { CONTROL_MODES } from '../session/control/policy';
import { SessionIdSchema } from '../session/session-id';

const SessionId = SessionIdSchema;
const Name = z.string().min(1).max(40);

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
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  name: Name,
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
});

export const LocateMessage = z.object({ sessionId: SessionId });

export const InviteMessage = z.object({
  sessionId: SessionId,
  role: z.enum(['player', 'spectator']),
  name: Name,
});

export const ActionMessage = z.object({
  /** Rises with every message from this client; older or repeated ones are dropped. */
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  keys: z.array(z.enum(ACTION_KEYS)).max(ACTION_KEYS.length),
});

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

export const ConnectTransportMessage = z.object({ dtlsParameters: z.object({}).passthrough() });

export const ConsumeMessage = z.object({ rtpCapabilities: z.object({}).passthrough() });

export const EmptyMessage = z.object({}).strict().optional();

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
