/**
 * Plays one planned episode on the engine and yields its records in the shard's
 * record convention: record 0 is the start frame (idle, no instruction, zero labels);
 * record t > 0 holds the action and instructions applied at step t, that step's
 * labels, the environment after it, and the frame rendered after it.
 */
import { IDLE_ACTION } from '../engine/actions';
import { Engine, EnvironmentState, StepLabels } from '../engine/engine';
import { TRANSITION_TICKS, TRAVEL_TICKS } from '../engine/environment';
import {
  INSTRUCTION_SLOTS,
  Instruction,
  makeInstruction,
  SLOT_NAMES,
  valueIndex,
} from '../engine/instructions';
import { Behaviour, BehaviourAgent } from './agents';
import { StepRecord } from './format';
import { EpisodePlan, StartState } from './plan';

export interface EpisodeStep {
  /** `record.frame` is a reused buffer: valid until the next step is taken. */
  record: StepRecord;
  /** The agent behaviour that chose the action (null for record 0). */
  behaviour: Behaviour | null;
}

const NO_MOTION = { forward: 0, right: 0, yaw: 0, up: 0 };

export function* runEpisode(
  plan: EpisodePlan,
  size: { width: number; height: number },
): Generator<EpisodeStep> {
  // Named fields, not a spread: a spec passed as `size` must not override the world seed.
  const engine = new Engine({ seed: plan.worldSeed, width: size.width, height: size.height });
  enterStartState(engine, plan.start);
  const agent = new BehaviourAgent(plan.agentSeed);
  const instructionAt = new Map(plan.schedule.map((s) => [s.tick, s.instruction]));
  const frame = new Uint8Array(size.width * size.height * 3);

  const record = (
    step: number,
    action: number,
    instruction: Instruction | undefined,
    labels: StepLabels | null,
  ): StepRecord => ({
    episode: plan.index,
    step,
    motion: labels?.motion ?? NO_MOTION,
    action,
    changed: labels ? changedMask(labels.changed) : 0,
    instruction: instructionTokens(instruction),
    environment: environmentTokens(engine.environment()),
    frame: engine.render(frame),
  });

  yield { record: record(0, IDLE_ACTION, undefined, null), behaviour: null };
  for (let step = 1; step <= plan.steps; step++) {
    const action = agent.act(engine.player());
    const instruction = instructionAt.get(step);
    const labels = engine.step(action, instruction ? [instruction] : []);
    yield { record: record(step, action, instruction, labels), behaviour: agent.behaviour };
  }
}

/**
 * Brings a fresh engine into the planned start state before recording, through
 * instructions (the engine has no start-biome option, and event visuals are placed
 * where the player stands when the event starts): first travel to the start biome,
 * then set the other slots there, waiting out each transition so record 0 is settled.
 */
function enterStartState(engine: Engine, start: StartState): void {
  settle(engine, [makeInstruction('biome', start.biome)], TRAVEL_TICKS);
  const others = SLOT_NAMES.filter((slot) => slot !== 'biome');
  settle(
    engine,
    others.map((slot) => makeInstruction(slot, start[slot])),
    TRANSITION_TICKS,
  );
}

/** Applies instructions while idle, then idles `ticks` more steps. */
function settle(engine: Engine, instructions: Instruction[], ticks: number): void {
  engine.step(IDLE_ACTION, instructions);
  for (let t = 0; t < ticks; t++) engine.step(IDLE_ACTION);
}

/** One byte per slot: 0 = none, else value index + 1. */
function instructionTokens(instruction: Instruction | undefined): Uint8Array {
  const tokens = new Uint8Array(SLOT_NAMES.length);
  if (instruction) tokens[SLOT_NAMES.indexOf(instruction.slot)] = valueIndex(instruction) + 1;
  return tokens;
}

/** One byte per slot: the index of its current value. */
function environmentTokens(state: EnvironmentState): Uint8Array {
  return Uint8Array.from(SLOT_NAMES, (slot) =>
    (INSTRUCTION_SLOTS[slot] as readonly string[]).indexOf(state[slot]),
  );
}

/** Bit i set when SLOT_NAMES[i] changed. */
function changedMask(changed: StepLabels['changed']): number {
  return SLOT_NAMES.reduce((mask, slot, i) => (changed[slot] ? mask | (1 << i) : mask), 0);
}
