/**
 * Instructions and the character. An instruction is visible when, on the JUDGE_VOTES
 * frames ending 1 s after it, the majority reading is the instructed value: the
 * detectors (model/eval/detector.ts, trained on the dataset's train split) for weather,
 * time, event and the biome a travel goes to; the character matcher (character.ts) for
 * the character, where an undrawn character reads as none. The character figure: on
 * every sampled frame the matcher sees a drawn character and it is the engine's,
 * leaving out the second after a character instruction (the engine's own cross-fade)
 * and biome travels (the fade to white).
 */
import { TRAVEL_TICKS } from '../../engine/environment';
import { INSTRUCTION_SLOTS, Slot } from '../../engine/instructions';
import { DetectableSlot } from '../detector';
import { InstructionCase, JUDGE_FRAMES, judgedFrames } from './cases';
import { PlayRun, Source } from './play';
import { Score, score } from './score';
import { Track } from './track';
import { majority } from '../summary';

export const VISIBLE_SLOTS = ['weather', 'time', 'event', 'character', 'biome'] as const;
export type VisibleSlot = (typeof VISIBLE_SLOTS)[number];

const valueIndex = (slot: Slot, value: string) =>
  (INSTRUCTION_SLOTS[slot] as readonly string[]).indexOf(value);

/** The value a frame shows for a slot: a detector's label, or the drawn character (-1: none). */
function reading(track: Track, slot: VisibleSlot, frame: number): number {
  if (slot === 'character') {
    const match = track.character.get(frame);
    return match?.visible ? valueIndex('character', match.character) : -1;
  }
  return track.labels.get(frame)?.[slot as DetectableSlot] ?? -1;
}

/** What a case's judged frames show by majority: a value's index, -1 for no character. */
function caseReading(track: Track, c: InstructionCase): number {
  const slot = c.instruction.slot as VisibleSlot;
  return majority(judgedFrames(c.step).map((f) => reading(track, slot, f)));
}

/**
 * The share of a slot's cases whose instruction is visible; the note says what each
 * missed one was read as, most frequent first ("dawn as noon ×4"), the first thing to
 * look at when a figure falls short.
 */
export function instructionScore(
  runs: readonly PlayRun[],
  cases: readonly InstructionCase[][],
  slot: VisibleSlot,
  source: Source,
): Score {
  const values = INSTRUCTION_SLOTS[slot] as readonly string[];
  const misses = new Map<string, number>();
  const results = runs.flatMap((run, r) =>
    cases[r]
      .filter((c) => c.instruction.slot === slot)
      .map((c) => {
        const read = caseReading(run.tracks[source], c);
        const visible = read === valueIndex(slot, c.instruction.value);
        if (!visible) {
          const miss = `${c.instruction.value} as ${values[read] ?? 'none drawn'}`;
          misses.set(miss, (misses.get(miss) ?? 0) + 1);
        }
        return visible;
      }),
  );
  const missed = [...misses].sort((a, b) => b[1] - a[1]).map(([miss, n]) => `${miss} ×${n}`);
  return score(results, missed.length ? `missed: ${missed.join(', ')}` : '');
}

/** Whether the engine's picture of frame f is in a cross-fade of the character or a travel. */
function fading(run: PlayRun, frame: number): boolean {
  return run.inputs.some((input, step) =>
    input.instructions.some(
      (i) =>
        (i.slot === 'character' && frame > step && frame <= step + JUDGE_FRAMES) ||
        (i.slot === 'biome' && frame > step && frame <= step + TRAVEL_TICKS + 1),
    ),
  );
}

export function characterScore(runs: readonly PlayRun[], source: Source): Score {
  const results = runs.flatMap((run) =>
    [...run.tracks[source].character.entries()]
      .filter(([frame]) => frame > 0 && !fading(run, frame))
      .map(
        ([frame, match]) => match.visible && match.character === run.environment[frame].character,
      ),
  );
  return score(results);
}
