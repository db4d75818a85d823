/**
 * What an edge and a session's origin say to each other over the fleet bus. The edge
 * asks; the origin answers with where to reach its end of the pipe and how the session
 * looks now (what an edge's spectators are told when they join).
 *
 *   pipe    open (or open again) a pipe to the edge's end; the edge's viewer count
 *   watch   the edge still watches, with its viewer count now (renews the pipe's lease)
 *   unpipe  the edge's last viewer left
 *
 * Peers are processes of one fleet (they share the store); bodies are checked all the
 * same, so a version skew fails with a message rather than somewhere inside mediasoup.
 */
import { z } from 'zod';
import type { PipeEnd, PipeOffer } from '../media/pipe';
import { INSTRUCTION_RULES } from '../protocol/roles';
import { MembersMessage } from '../protocol/server-events';

const Viewers = z.number().int().nonnegative();
const Ids = { sessionId: z.string().min(1), edgeId: z.string().min(1) };

const End = z.object({
  ip: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  srtpParameters: z.object({ cryptoSuite: z.string(), keyBase64: z.string() }),
});
/** mediasoup's own structures: mediasoup checks their insides. */
const MediasoupObject = z.record(z.string(), z.unknown());

export const EdgeRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pipe'), ...Ids, end: End, viewers: Viewers }),
  z.object({ type: z.literal('watch'), ...Ids, viewers: Viewers }),
  z.object({ type: z.literal('unpipe'), ...Ids }),
]);
export type EdgeRequest = z.infer<typeof EdgeRequest>;

/** How the session looks at the origin now. */
export const SessionView = z.object({
  title: z.string(),
  tick: z.number().int().nonnegative(),
  instructionRule: z.enum(INSTRUCTION_RULES),
  roster: MembersMessage,
});
export type SessionView = z.infer<typeof SessionView>;

export const PipeReply = z.object({
  offer: End.extend({
    producer: z.object({
      id: z.string(),
      kind: z.enum(['audio', 'video']),
      rtpParameters: MediasoupObject,
    }),
  }),
  view: SessionView,
});
export type PipeReply = { offer: PipeOffer; view: SessionView };

/** Error code of a `watch` whose pipe the origin no longer has (lapsed, or its worker died). */
export const NOT_PIPED = 'NOT_PIPED';

/** An origin's refusal, with the code the edge acts on. */
export class EdgeRefusal extends Error {
  override readonly name = 'EdgeRefusal';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request, typed, or an error saying what was wrong with it. */
export function parseEdgeRequest(body: unknown): EdgeRequest {
  const parsed = EdgeRequest.safeParse(body);
  if (!parsed.success) throw new Error(`bad edge request: ${parsed.error.message}`);
  return parsed.data;
}

export function parsePipeReply(body: unknown): PipeReply {
  return PipeReply.parse(body) as unknown as PipeReply;
}

export type { PipeEnd };
