/**
 * Instruction adherence. The detectors (detector.ts) are trained on the train split's
 * settled frames and validated twice on the engine: on held-out frames (accuracy per
 * slot) and on engine rollouts, where the rate at which they see an instruction's
 * effect is the ceiling the generator is held to. A case: from an engine context, a
 * weather, time or event instruction with a value other than the current one is given
 * on the first tick, and the behaviour agent plays on; the engine and the generator
 * (the same context and the engine's actions replayed) each run JUDGE_TICKS ticks. The
 * instruction counts as visible when the detector's majority label over the last
 * VOTE_FRAMES frames is the instructed value. A case whose context the detector already
 * reads as the target is not judged.
 */
import { INSTRUCTION_SLOTS, makeInstruction } from '../engine/instructions';
import { GeneratorRuntime } from '../../server/generator/generator-runtime';
import { EvalDataset, isSettled, sampleRecords, SampleOptions, Split } from './data';
import {
  DetectableSlot,
  DETECTED_SLOTS,
  DetectedSlot,
  frameFeatures,
  LabelledFrame,
  SlotDetectors,
} from './detector';
import { buildContext, contextSpecs } from './engine-contexts';
import { progress } from './progress';
import { rollOut, TickInput } from './rollouts';
import { majority, share } from './summary';

/** 2 s at the engine's 20 ticks per second. */
export const JUDGE_TICKS = 40;
export const VOTE_FRAMES = 5;

export interface DetectorFigures<S extends DetectableSlot = DetectedSlot> {
  trainFrames: number;
  /** Accuracy per slot on settled held-out engine frames. */
  heldout: Record<S, { frames: number; accuracy: number }>;
}

export interface SlotAdherence {
  cases: number;
  /**
   * Cases where the detector already reads the context's last frame as the target (a
   * detector error): they prove nothing either way and are not judged.
   */
  seenBefore: number;
  judged: number;
  /** Share of judged cases where the detector sees the instructed value: engine, generator. */
  engine: number;
  model: number;
}

export interface AdherenceFigures {
  detector: DetectorFigures;
  judgeTicks: number;
  perSlot: Record<DetectedSlot, SlotAdherence>;
  overall: SlotAdherence;
}

export interface AdherenceOptions {
  train: SampleOptions;
  validation: SampleOptions;
  casesPerSlot: number;
  batch: number;
}

/** Settled frames of a split with their labels (for `slots`) as engine value indices. */
export function labelledFrames<S extends DetectableSlot>(
  dataset: EvalDataset,
  split: Split,
  options: SampleOptions,
  slots: readonly S[],
): LabelledFrame<S>[] {
  const { slotOrder, instructionSlots } = dataset.manifest;
  const frames: LabelledFrame<S>[] = [];
  sampleRecords(dataset, split, options, (episode, record) => {
    const labels = Object.fromEntries(
      slots.map((slot) => {
        const stored = record.environment[slotOrder.indexOf(slot)];
        const name = instructionSlots[slot][stored];
        const settled = isSettled(episode, record.step, slot);
        return [slot, settled ? (INSTRUCTION_SLOTS[slot] as readonly string[]).indexOf(name) : -1];
      }),
    ) as Record<S, number>;
    frames.push({ features: frameFeatures(record.frame, dataset.size), labels });
  });
  return frames;
}

/** Detectors for `slots` trained on the train split, and their accuracy on held-out frames. */
export function trainDetectors<S extends DetectableSlot>(
  dataset: EvalDataset,
  options: { train: SampleOptions; validation: SampleOptions },
  slots: readonly S[],
): { detectors: SlotDetectors<S>; figures: DetectorFigures<S> } {
  const train = labelledFrames(dataset, 'train', options.train, slots);
  const detectors = SlotDetectors.train(slots, train, INSTRUCTION_SLOTS);
  const heldout = detectors.accuracy(labelledFrames(dataset, 'heldout', options.validation, slots));
  return { detectors, figures: { trainFrames: train.length, heldout } };
}

interface Case {
  slot: DetectedSlot;
  target: number;
  context: Uint8Array[];
  ticks: TickInput[];
  engineSeen: boolean;
  seenBefore: boolean;
}

export async function evaluateAdherence(
  runtime: GeneratorRuntime,
  dataset: EvalDataset,
  options: AdherenceOptions,
  log: (line: string) => void,
): Promise<AdherenceFigures> {
  const size = dataset.size;
  log('adherence: training detectors');
  const { detectors, figures } = trainDetectors(dataset, options, DETECTED_SLOTS);
  const judge = (frames: readonly Uint8Array[], slot: DetectedSlot, target: number) =>
    majority(
      frames.slice(-VOTE_FRAMES).map((f) => detectors.predict(frameFeatures(f, size))[slot]),
    ) === target;

  const count = options.casesPerSlot * DETECTED_SLOTS.length;
  const specs = contextSpecs(dataset.episodes('heldout'), count);
  const built = progress(log, 'adherence: engine cases', count);
  const cases: Case[] = specs.map((spec, i) => {
    const slot = DETECTED_SLOTS[i % DETECTED_SLOTS.length];
    const values = INSTRUCTION_SLOTS[slot] as readonly string[];
    const others = values.filter((v) => v !== spec.start[slot]);
    const value = others[Math.floor(i / DETECTED_SLOTS.length) % others.length];
    const instruction = makeInstruction(slot, value);
    const { engine, agent, frames } = buildContext(spec, size, runtime.contextLength);
    const ticks: TickInput[] = [];
    const seen: Uint8Array[] = [];
    for (let t = 0; t < JUDGE_TICKS; t++) {
      const tick = {
        action: agent.act(engine.player()),
        instructions: t === 0 ? [instruction] : [],
      };
      engine.step(tick.action, tick.instructions);
      ticks.push(tick);
      if (t >= JUDGE_TICKS - VOTE_FRAMES) seen.push(engine.render());
    }
    built(i + 1);
    const target = values.indexOf(value);
    return {
      slot,
      target,
      context: frames,
      ticks,
      engineSeen: judge(seen, slot, target),
      seenBefore: judge(frames.slice(-1), slot, target),
    };
  });
  const generated = await rollOut(
    runtime,
    cases,
    options.batch,
    progress(log, 'adherence: generated', count),
  );
  const modelSeen = cases.map((c, i) => judge(generated[i], c.slot, c.target));

  const summarize = (index: number[]): SlotAdherence => {
    const judged = index.filter((i) => !cases[i].seenBefore);
    return {
      cases: index.length,
      seenBefore: index.length - judged.length,
      judged: judged.length,
      engine: share(judged.filter((i) => cases[i].engineSeen).length, judged.length),
      model: share(judged.filter((i) => modelSeen[i]).length, judged.length),
    };
  };
  const all = cases.map((_, i) => i);
  const perSlot = Object.fromEntries(
    DETECTED_SLOTS.map((slot) => [slot, summarize(all.filter((i) => cases[i].slot === slot))]),
  ) as Record<DetectedSlot, SlotAdherence>;
  return { detector: figures, judgeTicks: JUDGE_TICKS, perSlot, overall: summarize(all) };
}
