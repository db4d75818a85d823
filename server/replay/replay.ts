/**
 * Replay: re-renders a session from its origin (seed, frame source, size) and its
 * action log. With the engine as frame source the frames are byte-identical to the
 * live ones (the engine is deterministic); a model reproduces them within tolerance on
 * the same execution provider. The log's actions and instructions are checked against
 * the replay source's vocabulary.
 */
import { FrameSource } from '../generator/frame-source';
import { VocabularyCodec } from '../protocol/vocabulary';
import type { ActionLogEntry, SessionOrigin } from '../store/state-store';

const REPLAY_SESSION = 'replay';

export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

/**
 * Yields the opening frame, then the frame of every logged tick in order (the frame
 * the live session presented at that tick).
 */
export async function* replayFrames(
  origin: SessionOrigin,
  entries: readonly ActionLogEntry[],
  source: FrameSource,
): AsyncGenerator<{ tick: number | null; frame: Uint8Array }> {
  if (source.name !== origin.frameSource) {
    throw new ReplayError(
      `the session was drawn by "${origin.frameSource}" but the replay source is "${source.name}"`,
    );
  }
  if (source.width !== origin.width || source.height !== origin.height) {
    throw new ReplayError(
      `the session was ${origin.width}x${origin.height}; the replay source draws ${source.width}x${source.height}`,
    );
  }
  const vocabulary = new VocabularyCodec(source.vocabulary);
  await source.open(REPLAY_SESSION, { seed: origin.seed });
  try {
    yield { tick: null, frame: source.current(REPLAY_SESSION) };
    let expected = entries[0]?.tick ?? 0;
    if (expected !== 0)
      throw new ReplayError(`the action log starts at tick ${expected}, not 0: it is incomplete`);
    for (const entry of entries) {
      if (entry.tick !== expected)
        throw new ReplayError(`the action log skips from tick ${expected - 1} to ${entry.tick}`);
      expected++;
      checkEntry(entry, vocabulary);
      const [frame] = await source.step([
        { sessionId: REPLAY_SESSION, action: entry.action, instructions: entry.instructions },
      ]);
      yield { tick: entry.tick, frame };
    }
  } finally {
    source.close(REPLAY_SESSION);
  }
}

/** An entry the source's vocabulary cannot read was drawn by something else: refuse it. */
function checkEntry(entry: ActionLogEntry, vocabulary: VocabularyCodec): void {
  try {
    vocabulary.assertAction(entry.action);
    for (const { slot, value } of entry.instructions) vocabulary.instruction(slot, value);
  } catch (error) {
    throw new ReplayError(`tick ${entry.tick}: ${(error as Error).message}`);
  }
}
