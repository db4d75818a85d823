/**
 * Engine contexts for the checks that need the engine beside the generator
 * (controllability, instruction adherence): a held-out episode's world seed and start
 * weather, time, event and character, a short warm-up played by the dataset's
 * behaviour agent (so views vary like the data's), then a few idle ticks so every
 * context starts at rest. The context is the last K frames. The engine cannot be
 * copied, so a fork is the same context built again: it is deterministic.
 */
import { IDLE_ACTION } from '../engine/actions';
import { Engine } from '../engine/engine';
import { EnvironmentStart } from '../engine/environment';
import { makeInstruction, SlotValue } from '../engine/instructions';
import { BehaviourAgent } from '../dataset/agents';
import { EpisodeInfo } from './data';

const WARMUP_TICKS = 20;
const SETTLE_TICKS = 6;

export interface ContextSpec {
  seed: number;
  agentSeed: number;
  start: EnvironmentStart;
}

export interface EngineContext {
  engine: Engine;
  /** The agent that played the warm-up; it can go on choosing actions. */
  agent: BehaviourAgent;
  /** The last K frames, oldest first. */
  frames: Uint8Array[];
}

/**
 * `count` context specs cycling over `episodes` (held-out ones); each further pass over
 * them varies the agent seed so the views differ. `accept` filters start states.
 */
export function contextSpecs(
  episodes: readonly EpisodeInfo[],
  count: number,
  accept: (start: EnvironmentStart) => boolean = () => true,
): ContextSpec[] {
  const usable = episodes
    .map((e) => ({ seed: e.seed, agentSeed: e.agentSeed, start: startOf(e.start) }))
    .filter((spec) => accept(spec.start));
  if (usable.length === 0) throw new Error('no held-out episode gives a usable engine context');
  return Array.from({ length: count }, (_, i) => {
    const spec = usable[i % usable.length];
    const pass = Math.floor(i / usable.length);
    return { ...spec, agentSeed: (spec.agentSeed + pass * 0x9e3779b1) >>> 0 };
  });
}

export function buildContext(
  spec: ContextSpec,
  size: { width: number; height: number },
  length: number,
): EngineContext {
  const engine = new Engine({ seed: spec.seed, ...size, start: spec.start });
  const agent = new BehaviourAgent(spec.agentSeed);
  const frames: Uint8Array[] = [];
  const total = WARMUP_TICKS + SETTLE_TICKS;
  for (let t = 0; t < total; t++) {
    engine.step(t < WARMUP_TICKS ? agent.act(engine.player()) : IDLE_ACTION);
    if (t >= total - length) frames.push(engine.render());
  }
  return { engine, agent, frames };
}

/** The engine's start options from a manifest start state (biome has no start option). */
function startOf(start: Record<string, string>): EnvironmentStart {
  const value = <S extends keyof EnvironmentStart>(slot: S) =>
    makeInstruction(slot, start[slot]).value as SlotValue<S>;
  return {
    weather: value('weather'),
    time: value('time'),
    event: value('event'),
    character: value('character'),
  };
}
