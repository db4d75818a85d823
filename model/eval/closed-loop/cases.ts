/**
 * The cases a play is judged on, and what each frame must therefore be measured for.
 * Frame f is the picture after step f - 1 (frame 0 is the start frame both sides share).
 *
 * - Control: each held turn or forward segment of the scripted play; each idle segment
 *   of at least 2 s, measured after IDLE_SETTLE frames (the engine's turning and walking
 *   coast to a stop). Not where a biome travel falls into the segment (the view jumps),
 *   nor forward walks in a flood (the player swims, and the water carries no texture
 *   the forward measure could follow).
 * - Instructions: each instruction given; judged on the JUDGE_VOTES frames ending 1 s
 *   (JUDGE_FRAMES) after it.
 * - Character: every CHARACTER_EVERY-th frame, and the judged frames.
 */
import { ENGINE_FPS, EnvironmentState } from '../../engine/engine';
import { Instruction } from '../../engine/instructions';
import { TickInput } from '../rollouts';
import { Play, Segment } from './script';
import { FORWARD_SPAN, FrameNeeds } from './track';

export const JUDGE_FRAMES = ENGINE_FPS;
export const JUDGE_VOTES = 5;
export const IDLE_SETTLE = ENGINE_FPS;
const MIN_IDLE = 2 * ENGINE_FPS;
export const CHARACTER_EVERY = 4;

export type ControlKind = 'turn_left' | 'turn_right' | 'forward' | 'idle';

export interface ControlCase {
  kind: ControlKind;
  /** Frames from..to: the motion is summed over frames from + 1 .. to. */
  from: number;
  to: number;
}

export interface InstructionCase {
  instruction: Instruction;
  /** The step it was given at; judged on frames step + JUDGE_FRAMES - JUDGE_VOTES + 1 .. step + JUDGE_FRAMES. */
  step: number;
}

function kindOf(segment: Segment): ControlKind | null {
  const keys = [...segment.keys].filter((k) => k !== 'sprint').join('+');
  if (keys === '') return 'idle';
  return keys === 'turn_left' || keys === 'turn_right' || keys === 'forward' ? keys : null;
}

/**
 * The control cases of a played play (none for a random play): its inputs tell where
 * travels were, the engine's environment where a flood was.
 */
export function controlCases(
  play: Play,
  inputs: readonly TickInput[],
  environment: readonly EnvironmentState[],
): ControlCase[] {
  const travels = inputs.flatMap((input, step) =>
    input.instructions.some((i) => i.slot === 'biome') ? [step] : [],
  );
  return play.segments.flatMap((segment): ControlCase[] => {
    const kind = kindOf(segment);
    const from = segment.from;
    const to = segment.to;
    if (kind === null || travels.some((s) => s >= from - ENGINE_FPS && s <= to)) return [];
    if (kind === 'forward') {
      const flooded = environment
        .slice(Math.max(0, from - ENGINE_FPS), to + 1)
        .some((e) => e.event === 'flood');
      return flooded ? [] : [{ kind, from, to }];
    }
    if (kind !== 'idle') return [{ kind, from, to }];
    return to - from >= MIN_IDLE ? [{ kind, from: from + IDLE_SETTLE, to }] : [];
  });
}

export function instructionCases(inputs: readonly TickInput[]): InstructionCase[] {
  return inputs.flatMap((input, step) =>
    input.instructions.map((instruction) => ({ instruction, step })),
  );
}

/** The frames an instruction given at `step` is judged on. */
export function judgedFrames(step: number): number[] {
  return Array.from({ length: JUDGE_VOTES }, (_, k) => step + JUDGE_FRAMES - JUDGE_VOTES + 1 + k);
}

/** What frame `frame` of a play must be measured for, given the inputs so far. */
export function frameNeeds(play: Play, inputs: readonly TickInput[], frame: number): FrameNeeds {
  const segment = play.segments.find((s) => frame > s.from && frame <= s.to);
  const kind = segment ? kindOf(segment) : null;
  const judged =
    play.kind === 'scripted' &&
    inputs.some(
      (input, step) => input.instructions.length > 0 && judgedFrames(step).includes(frame),
    );
  return {
    shift: kind === 'turn_left' || kind === 'turn_right' || kind === 'idle',
    forwardFrom:
      kind === 'forward' && (frame - segment!.from) % FORWARD_SPAN === 0 ? FORWARD_SPAN : 0,
    labels: judged,
    character: judged || frame % CHARACTER_EVERY === 0,
  };
}
