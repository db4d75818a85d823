/**
 * Where frames are made. A frame source steps a batch of sessions at once (one tick
 * each) so a model can run them as one batch; the procedural engine and the learned
 * generator are the two implementations. It knows sessions only by id.
 */
import type { ActionBits, Instruction, Vocabulary } from '../protocol/vocabulary';

/** One session's tick, in the source's own vocabulary (bit i of `action` is its keys[i]). */
export interface FrameRequest {
  sessionId: string;
  action: ActionBits;
  instructions: readonly Instruction[];
}

export interface SessionStart {
  /** The world seed (the engine's world; the generator's first frame when there is no prompt). */
  seed: number;
  /**
   * A video prompt: 1..K RGB frames (width * height * 3, oldest first) the session
   * continues from instead of its world's first frame. Only a learned generator can.
   */
  prompt?: readonly Uint8Array[];
  /**
   * Start from structured instructions alone (e.g. biome=desert time=dusk), with no
   * engine frame and no prompt: the generator draws the first frame. Not with a prompt.
   */
  text?: readonly Instruction[];
  /**
   * Resume a session another process ran: its state as `snapshot` took it, and the ticks
   * it had stepped up to then (in order). Only a source with snapshots can.
   */
  resume?: { snapshot: Uint8Array; past: readonly Omit<FrameRequest, 'sessionId'>[] };
}

export interface FrameSource {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** The action keys and instruction slots this source understands. */
  readonly vocabulary: Vocabulary;
  /**
   * Whether the same start and ticks always give the same frames, byte for byte (the
   * engine): a session can then be resumed elsewhere from its action log alone.
   */
  readonly deterministic: boolean;
  /** Which starts besides a world seed `open` accepts. */
  readonly startsFrom: { readonly prompt: boolean; readonly text: boolean };
  /** Begins a session's world; its first frame is then available from `current`. */
  open(sessionId: string, start: SessionStart): Promise<void>;
  /** Advances every requested session by one tick; returns their new RGB frames in order. */
  step(requests: readonly FrameRequest[]): Promise<Uint8Array[]>;
  /**
   * The session's state now as bytes, for another process to `open` it from (failover);
   * null where the action log alone resumes it (a deterministic source steps it again).
   */
  snapshot(sessionId: string): Uint8Array | null;
  /** The session's latest frame (RGB, width * height * 3). */
  current(sessionId: string): Uint8Array;
  close(sessionId: string): void;
  /** Frees what the source holds (model sessions); the source is unusable afterwards. */
  release(): Promise<void>;
}

export class UnknownSessionError extends Error {
  override readonly name = 'UnknownSessionError';
  constructor(sessionId: string) {
    super(`frame source has no session "${sessionId}"`);
  }
}

/** A session start the frame source cannot make (a prompt or text for the engine). */
export class StartNotSupportedError extends Error {
  override readonly name = 'StartNotSupportedError';
}
