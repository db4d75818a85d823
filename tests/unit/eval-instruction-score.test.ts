/**
 * The instruction figure: a case passes when the majority reading of its judged frames
 * is the instructed value, and the note names what every missed case was read as.
 */
import { InstructionCase, judgedFrames } from '../../model/eval/closed-loop/cases';
import { PlayRun } from '../../model/eval/closed-loop/play';
import { Track, TrackTools } from '../../model/eval/closed-loop/track';
import { instructionScore } from '../../model/eval/closed-loop/visibility';
import { INSTRUCTION_SLOTS, makeInstruction } from '../../model/engine/instructions';

const time = (value: string) => INSTRUCTION_SLOTS.time.indexOf(value as never);

/** A model track whose judged frames for each case read `reads[i]` (time slot only). */
function runReading(cases: InstructionCase[], reads: string[]): PlayRun {
  const track = new Track({ size: { width: 8, height: 8 } } as TrackTools);
  cases.forEach((c, i) => {
    for (const frame of judgedFrames(c.step))
      track.labels.set(frame, { weather: 0, time: time(reads[i]), event: 0, biome: 0 });
  });
  return { tracks: { model: track } } as unknown as PlayRun;
}

describe('instructionScore', () => {
  const cases: InstructionCase[] = [
    { instruction: makeInstruction('time', 'dusk'), step: 10 },
    { instruction: makeInstruction('time', 'dawn'), step: 100 },
    { instruction: makeInstruction('time', 'night'), step: 200 },
    { instruction: makeInstruction('time', 'dawn'), step: 300 },
  ];

  it('passes the cases read as instructed and names what the missed ones were read as', () => {
    const run = runReading(cases, ['dusk', 'noon', 'night', 'noon']);
    const s = instructionScore([run], [cases], 'time', 'model');
    expect([s.passed, s.cases]).toEqual([2, 4]);
    expect(s.note).toBe('missed: dawn as noon ×2');
  });

  it('leaves the note empty when every case is seen', () => {
    const run = runReading(cases, ['dusk', 'dawn', 'night', 'dawn']);
    expect(instructionScore([run], [cases], 'time', 'model').note).toBe('');
  });
});
