/**
 * Where frames are made. A frame source steps a batch of sessions at once (one tick
 * each) so a model can run them as one batch; the procedural engine and the learned
 * generator are the two implementations. It knows sessions only by id.
 */
import { ActionBits } from '../../model/engine/actions';
import { Instruction } from '../../model/engine/instructions';

export interface FrameRequest {
  sessionId: string;
  action: ActionBits;
  instructions: readonly Instruction[];
}

export interface SessionStart {
  seed: number;
}

export interface FrameSource {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  /** Begins a session's world; its first frame is available from `current`. */
  open(sessionId: string, start: SessionStart): void;
  /** Advances every requested session by one tick; returns their new RGB frames in order. */
  step(requests: readonly FrameRequest[]): Promise<Uint8Array[]>;
  /** The session's latest frame (RGB, width * height * 3). */
  current(sessionId: string): Uint8Array;
  close(sessionId: string): void;
}

export class UnknownSessionError extends Error {
  override readonly name = 'UnknownSessionError';
  constructor(sessionId: string) {
    super(`frame source has no session "${sessionId}"`);
  }
}
