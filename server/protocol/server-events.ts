/**
 * Server-to-client events and the replies to client requests, as zod schemas: the
 * client reads its types from here, and tests parse what the server really emits with
 * them, so the two cannot drift apart.
 */
import { z } from 'zod';
import { WireErrorBody } from './errors';
import { CONTROL_MODES, INSTRUCTION_RULES, ROLES } from './roles';
import { Vocabulary } from './vocabulary';

const Mode = z.enum(CONTROL_MODES);
const Count = z.number().int().nonnegative();
const Tick = Count;
const MemberId = z.string();

// ---- one tick ------------------------------------------------------------------------

const VoteCount = z.object({ action: Count, keys: z.array(z.string()), votes: Count });

/** What the steering policy decided and why: one shape per control mode. */
export const SteeringState = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('solo'), pilot: MemberId.nullable() }),
  z.object({
    mode: z.literal('round-robin'),
    /** Whose turn it is, ticks the turn still lasts (this one included), who follows. */
    holder: MemberId.nullable(),
    ticksLeft: Count,
    queue: z.array(MemberId),
  }),
  z.object({
    mode: z.literal('democracy'),
    window: z.object({ start: Tick, end: Tick, ticksLeft: Count }),
    /** Votes per distinct key combination, winner first. */
    tally: z.array(VoteCount),
    cast: Count,
    eligible: Count,
    /** Votes a window needs to count (quorum). */
    needed: Count,
    closed: z.boolean(),
    /** The action applied now: the result of the last closed window. */
    applied: Count,
  }),
  z.object({
    mode: z.literal('anarchy'),
    contributors: Count,
    /** How many contributors held each key this tick. */
    pressed: z.record(z.string(), Count),
  }),
]);
export type SteeringState = z.infer<typeof SteeringState>;

/** Progress of the vote for another control mode. */
export const ModeTally = z.object({
  current: Mode,
  votes: z.record(Mode, Count),
  eligible: Count,
  /** Votes a mode other than `current` needs to take over. */
  needed: Count,
  threshold: z.number(),
});

export const PROPOSAL_STATES = ['pending', 'approved', 'applied', 'rejected', 'expired'] as const;

export const Proposal = z.object({
  id: Count,
  instruction: z.object({ slot: z.string(), value: z.string() }),
  /** `slot=value`, ready to show. */
  text: z.string(),
  proposer: MemberId,
  state: z.enum(PROPOSAL_STATES),
  proposedAt: Tick,
  /** First tick at which a still-pending proposal expires. */
  expiresAt: Tick,
  approvals: Count,
  rejections: Count,
  /** Approvals needed under the 'vote' rule; null under the 'host' rule. */
  needed: Count.nullable(),
  appliedAt: Tick.nullable(),
});
export type Proposal = z.infer<typeof Proposal>;

/** `tick`: sent to the session's room after every tick's frame went to the encoder. */
export const TickMessage = z.object({
  sessionId: z.string(),
  tick: Tick,
  /** The RTP timestamp the tick's frame carries (rtp-timestamp.ts). */
  rtpTimestamp: Count,
  mode: Mode,
  /** Set on the tick a new mode takes effect. */
  modeChange: z.object({ from: Mode, to: Mode, by: z.enum(['vote', 'host']) }).nullable(),
  /** The one action the world stepped with, as a bit mask and as its keys. */
  action: Count,
  keys: z.array(z.string()),
  /** Whose keys the action is (solo pilot, turn holder); null for crowds or nobody. */
  pilot: MemberId.nullable(),
  /** The pilot's input sequence number the action reflects. */
  appliedSeq: Count.nullable(),
  idle: z.boolean(),
  steering: SteeringState,
  modeVote: ModeTally,
  /** Instructions applied at this tick (`slot=value`). */
  instructions: z.array(z.string()),
  /** Open proposals, plus those that reached a final state since the last tick. */
  proposals: z.array(Proposal),
  stepMs: z.number(),
  encodeMs: z.number(),
});
export type TickMessage = z.infer<typeof TickMessage>;

// ---- who is here ---------------------------------------------------------------------

export const MemberSummary = z.object({
  id: MemberId,
  name: z.string(),
  role: z.enum(ROLES),
  /** False while the member's connection is down (the seat is kept for a while). */
  connected: z.boolean(),
});
export type MemberSummary = z.infer<typeof MemberSummary>;

/**
 * `session:members`: hosts and players by name, spectators as a count (a crowd of
 * thousands is not a list anyone reads). Sent at join and after any change, at most
 * once per tick.
 */
export const MembersMessage = z.object({
  sessionId: z.string(),
  members: z.array(MemberSummary),
  spectators: Count,
});
export type MembersMessage = z.infer<typeof MembersMessage>;

// ---- other events --------------------------------------------------------------------

/** `session:closed`: the session ended (host, idle, shutdown); members are out. */
export const ClosedMessage = z.object({ sessionId: z.string(), reason: z.string() });
export type ClosedMessage = z.infer<typeof ClosedMessage>;

/**
 * `session:draining`: the serving process is shutting down; the session ends within
 * `withinMs` unless everyone has left before. Create a new session meanwhile in the lobby:
 * it is placed on another process.
 */
export const DrainingMessage = z.object({ sessionId: z.string(), withinMs: Count });
export type DrainingMessage = z.infer<typeof DrainingMessage>;

/** `wt:error`: a request without an ack failed. */
export const ErrorMessage = WireErrorBody.extend({ event: z.string() });
export type ErrorMessage = z.infer<typeof ErrorMessage>;

export interface ServerToClientEvents {
  tick: (message: TickMessage) => void;
  'session:members': (message: MembersMessage) => void;
  'session:closed': (message: ClosedMessage) => void;
  'session:draining': (message: DrainingMessage) => void;
  /** The server's media worker was replaced: keep the seat, rebuild only the video path. */
  'media:reset': () => void;
  'wt:error': (message: ErrorMessage) => void;
}

// ---- replies -------------------------------------------------------------------------

/** A live session as the lobby lists it. */
export const SessionListing = z.object({
  id: z.string(),
  title: z.string(),
  /** What draws its frames: "engine" or "generator:<model>@<version>". */
  source: z.string(),
  mode: Mode,
  players: Count,
  spectators: Count,
  /** Nobody is connected, so its world stands still until someone joins. */
  paused: z.boolean(),
  /** Milliseconds since the session started. */
  uptimeMs: Count,
  /** Set when another server of the fleet serves it: that server's URL (links go there). */
  url: z.string().optional(),
});
export type SessionListing = z.infer<typeof SessionListing>;

/** What this server's sessions are made of, for the lobby's create form. */
export const ServerInfo = z.object({
  /** The frame source: "engine" or "generator:<model>@<version>". */
  source: z.string(),
  vocabulary: Vocabulary,
  frame: z.object({ width: Count, height: Count }),
  fps: z.number().positive(),
  /** Starts besides a world seed: a video prompt (up to `maxPromptFrames`), text instructions. */
  startsFrom: z.object({ prompt: z.boolean(), text: z.boolean() }),
  maxPromptFrames: Count,
  /** Whether anyone may ask for a player or spectator seat (else only hosts invite). */
  openInvites: z.boolean(),
});
export type ServerInfo = z.infer<typeof ServerInfo>;

/** Everything a member needs to play: its seat, the session's rules and vocabulary, the video. */
export const JoinReply = z.object({
  member: MemberSummary.omit({ connected: true }).extend({
    /** The secret that reclaims this seat after a dropped connection. */
    resumeToken: z.string(),
  }),
  session: z.object({
    id: z.string(),
    title: z.string(),
    tick: Tick,
    instructionRule: z.enum(INSTRUCTION_RULES),
    vocabulary: Vocabulary,
    /** Whether a plain session link admits anyone (else only the host's invites do). */
    openInvites: z.boolean(),
  }),
  members: MembersMessage,
  /**
   * Other servers of the fleet (their URLs). Should this one go away, ask them where the
   * session went (`session:locate`): it is resumed on one of them (docs/DEPLOY.md).
   */
  fleet: z.array(z.string()),
  video: z.object({
    width: Count,
    height: Count,
    fps: z.number().positive(),
    codec: z.string(),
    source: z.string(),
    clockRate: Count,
    rtpTimestampAtTickZero: Count,
    rtpTicksPerTick: z.number(),
    /** mediasoup's RtpCapabilities of the session's router (for mediasoup-client's Device). */
    rtpCapabilities: z.record(z.string(), z.unknown()),
  }),
});
export type JoinReply = z.infer<typeof JoinReply>;

/** What each request answers with when it succeeds (besides `ok: true`). */
export const REPLIES = {
  join: JoinReply,
  'session:create': z.object({
    session: z.object({ id: z.string(), seed: Count }),
    /** The host's join token. */
    token: z.string(),
    /** Set when this server was full and placed the session on another of the fleet: its URL. */
    placedAt: z.string().optional(),
  }),
  'session:list': z.object({ sessions: z.array(SessionListing), server: ServerInfo }),
  'session:locate': z.object({ sessionId: z.string(), url: z.string() }),
  'session:invite': z.object({ token: z.string() }),
  'session:close': z.object({}),
  leave: z.object({}),
  action: z.object({}),
  instruction: z.object({ proposalId: Count }),
  'instruction:review': z.object({}),
  'instruction:vote': z.object({}),
  'control:vote-mode': z.object({}),
  'control:set-mode': z.object({}),
  'control:hand-off': z.object({}),
  'media:createTransport': z.object({ transport: z.record(z.string(), z.unknown()) }),
  'media:connectTransport': z.object({}),
  'media:consume': z.object({ consumer: z.record(z.string(), z.unknown()) }),
} as const;

export type RequestEvent = keyof typeof REPLIES;
export type Reply<E extends RequestEvent> = z.infer<(typeof REPLIES)[E]>;

/** Every ack: the reply, or a typed error. */
export function ackSchema<E extends RequestEvent>(event: E) {
  return z.union([
    REPLIES[event].extend({ ok: z.literal(true) }),
    z.object({ ok: z.literal(false), error: WireErrorBody }),
  ]);
}
