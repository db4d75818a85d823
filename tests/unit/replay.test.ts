import { actionFromKeys } from '../../model/engine/actions';
import { parseInstruction } from '../../model/engine/instructions';
import { EngineFrameSource } from '../../server/generator/engine-source';
import { replayFrames, ReplayError } from '../../server/replay/replay';
import { openVideo } from '../../server/replay/video-writer';
import { probeVideo, tempVideoPath } from '../helpers/video';
import type { ActionLogEntry, SessionOrigin } from '../../server/store/state-store';

const origin: SessionOrigin = { seed: 9, frameSource: 'engine', width: 64, height: 64, tickHz: 20 };
const log: ActionLogEntry[] = Array.from({ length: 30 }, (_, tick) => ({
  tick,
  action: actionFromKeys(tick < 15 ? ['forward', 'turn_left'] : ['jump']),
  instructions: tick === 10 ? [parseInstruction('weather=rain')] : [],
  pilot: null,
}));

async function collect(entries: ActionLogEntry[]) {
  const frames: Uint8Array[] = [];
  for await (const { frame } of replayFrames(origin, entries, new EngineFrameSource(64, 64)))
    frames.push(frame);
  return frames;
}

describe('replay', () => {
  it('re-renders byte-identical frames to the live session’s', async () => {
    const live = new EngineFrameSource(64, 64);
    live.open('s', { seed: origin.seed });
    const liveFrames = [live.current('s')];
    for (const entry of log) liveFrames.push((await live.step([{ sessionId: 's', ...entry }]))[0]);
    const replayed = await collect(log);
    expect(replayed).toHaveLength(31);
    replayed.forEach((frame, i) => expect(Buffer.compare(frame, liveFrames[i])).toBe(0));
  });

  it('refuses a log with a gap or the wrong frame source', async () => {
    await expect(collect([log[0], log[2]])).rejects.toThrow(/skips from tick 0 to 2/);
    await expect(collect(log.slice(1))).rejects.toThrow(ReplayError);
    const other = replayFrames(
      { ...origin, frameSource: 'gen-v1' },
      log,
      new EngineFrameSource(64, 64),
    );
    await expect(other.next()).rejects.toThrow(/drawn by "gen-v1"/);
  });

  it('refuses an entry outside the replay source’s vocabulary', async () => {
    const hail = { ...log[1], instructions: [{ slot: 'weather', value: 'hail' }] };
    await expect(collect([log[0], hail])).rejects.toThrow(
      /tick 1: unknown value "hail" for slot "weather"/,
    );
    await expect(collect([{ ...log[0], action: 256 }])).rejects.toThrow(/tick 0: action must be/);
  });

  it('writes the frames to a video file', async () => {
    const file = tempVideoPath('replay.mkv');
    const video = openVideo(file, 64, 64, 20);
    for (const frame of await collect(log)) await video.write(frame);
    await video.finish();
    expect(probeVideo(file)).toEqual({ width: 64, frames: 31 });
  });
});
