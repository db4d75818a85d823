/** The procedural engine as a frame source: ground truth, and the default until a model ships. */
import { ACTION_KEYS } from '../../model/engine/actions';
import { Engine } from '../../model/engine/engine';
import { INSTRUCTION_SLOTS, makeInstruction, SLOT_NAMES } from '../../model/engine/instructions';
import type { Vocabulary } from '../protocol/vocabulary';
import {
  FrameRequest,
  FrameSource,
  SessionStart,
  StartNotSupportedError,
  UnknownSessionError,
} from './frame-source';

/** The engine's own keys and slots: the only place the server reads the engine's constants. */
export const ENGINE_VOCABULARY: Vocabulary = {
  keys: [...ACTION_KEYS],
  slots: SLOT_NAMES.map((name) => ({ name, values: [...INSTRUCTION_SLOTS[name]] })),
};

export class EngineFrameSource implements FrameSource {
  readonly name = 'engine';
  readonly vocabulary = ENGINE_VOCABULARY;
  readonly startsFrom = { prompt: false, text: false };
  readonly deterministic = true;
  private readonly sessions = new Map<string, { engine: Engine; frame: Uint8Array }>();

  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  async open(sessionId: string, start: SessionStart): Promise<void> {
    if (start.prompt || start.text || start.resume) {
      const what = start.prompt ? 'a video prompt' : start.text ? 'text' : 'a snapshot';
      throw new StartNotSupportedError(
        `the "${this.name}" frame source cannot start from ${what}; the learned generator can`,
      );
    }
    const engine = new Engine({ seed: start.seed, width: this.width, height: this.height });
    this.sessions.set(sessionId, { engine, frame: engine.render() });
  }

  async step(requests: readonly FrameRequest[]): Promise<Uint8Array[]> {
    return requests.map(({ sessionId, action, instructions }) => {
      const session = this.get(sessionId);
      // Vocabulary instructions become the engine's typed ones (its bits are the vocabulary's).
      session.engine.step(
        action,
        instructions.map(({ slot, value }) => makeInstruction(slot, value)),
      );
      // A fresh buffer per frame: the encoder may still hold the previous one.
      session.frame = session.engine.render();
      return session.frame;
    });
  }

  current(sessionId: string): Uint8Array {
    return this.get(sessionId).frame;
  }

  /** None: the engine is deterministic, its action log resumes a session exactly. */
  snapshot(): null {
    return null;
  }

  close(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  async release(): Promise<void> {
    this.sessions.clear();
  }

  private get(sessionId: string) {
    const session = this.sessions.get(sessionId);
    if (!session) throw new UnknownSessionError(sessionId);
    return session;
  }
}
