/** Replays an action log on the engine and returns its last frame (to compare with the live one). */
import { EngineFrameSource } from '../../server/generator/engine-source';
import { replayFrames } from '../../server/replay/replay';
import { ActionLogEntry, SessionOrigin } from '../../server/store';

export async function lastReplayedFrame(
  origin: SessionOrigin,
  log: ActionLogEntry[],
): Promise<Uint8Array> {
  let last: Uint8Array | null = null;
  for await (const { frame } of replayFrames(
    origin,
    log,
    new EngineFrameSource(origin.width, origin.height),
  ))
    last = frame;
  if (!last) throw new Error('the replay made no frame');
  return last;
}
