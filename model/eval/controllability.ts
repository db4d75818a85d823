/**
 * Controllability: from the same engine context, turn-left, turn-right and forward are
 * each held for HOLD_TICKS ticks in the engine and in the generator, and the motion
 * measures of motion.ts classify both clips (the context's last frame first).
 *
 * A case is a reference when the engine's own motion labels confirm the movement (the
 * player really turned or walked, not blocked by a tree) and the measure reads the
 * engine's clip as the action's class; the share of confirmed cases that the measure
 * reads right is the measure's accuracy. A reference case agrees when the generated
 * clip has the same class. Contexts with a flood are skipped: the player swims and the
 * water surface carries no texture a forward measure could follow.
 */
import { actionFromKeys, ActionBits } from '../engine/actions';
import { GeneratorRuntime } from '../../server/generator/generator-runtime';
import { EpisodeInfo } from './data';
import { buildContext, contextSpecs, ContextSpec } from './engine-contexts';
import { forwardClass, forwardFlow, MotionClass, turnClass, turnMotion } from './motion';
import { progress } from './progress';
import { rollOut } from './rollouts';
import { mean, share } from './summary';

export const HOLD_TICKS = 8;
export const CONTROL_ACTIONS = ['turn_left', 'turn_right', 'forward'] as const;
type ControlAction = (typeof CONTROL_ACTIONS)[number];

const EXPECTED: Record<ControlAction, MotionClass> = {
  turn_left: 'left',
  turn_right: 'right',
  forward: 'forward',
};
/** Engine motion that counts as having moved, summed over the hold: radians, cells. */
const MIN_YAW = 0.2;
const MIN_FORWARD = 0.5;

export interface ActionControl {
  cases: number;
  /** Cases where the engine's motion labels show the movement. */
  engineMoved: number;
  /** Share of those the measure reads as the action's class on engine frames. */
  measureAccuracy: number;
  /** Reference cases (moved and read right), and the share the generator agrees on. */
  references: number;
  agreeing: number;
  agreement: number;
  /** Mean measured motion (pixels for turns, warp k for forward): engine and generated. */
  meanMotion: { engine: number; model: number };
}

export interface ControlFigures {
  contexts: number;
  holdTicks: number;
  perAction: Record<ControlAction, ActionControl>;
  overall: { references: number; agreement: number; measureAccuracy: number };
}

interface Case {
  action: ControlAction;
  moved: boolean;
  engineClass: MotionClass;
  engineMotion: number;
  context: Uint8Array[];
}

export async function evaluateControllability(
  runtime: GeneratorRuntime,
  heldout: readonly EpisodeInfo[],
  options: { contexts: number; batch: number },
  log: (line: string) => void,
): Promise<ControlFigures> {
  const { width, height } = runtime.manifest.frame;
  const size = { width, height };
  const K = runtime.contextLength;
  const specs = contextSpecs(heldout, options.contexts, (start) => start.event !== 'flood');
  const cases: Case[] = [];
  const built = progress(log, 'controllability: engine contexts', specs.length);
  specs.forEach((spec, i) => {
    for (const action of CONTROL_ACTIONS) cases.push(engineCase(spec, action, size, K));
    built(i + 1);
  });
  const generated = await rollOut(
    runtime,
    cases.map((c) => ({
      context: c.context,
      ticks: Array.from({ length: HOLD_TICKS }, () => ({
        action: actionFromKeys([c.action]),
        instructions: [],
      })),
    })),
    options.batch,
    progress(log, 'controllability: generated', cases.length),
  );
  const modelMotion = cases.map((c, i) =>
    measure(c.action, [c.context[c.context.length - 1], ...generated[i]], size),
  );

  const perAction = Object.fromEntries(
    CONTROL_ACTIONS.map((action) => {
      const index = cases.map((c, i) => i).filter((i) => cases[i].action === action);
      const moved = index.filter((i) => cases[i].moved);
      const references = moved.filter((i) => cases[i].engineClass === EXPECTED[action]);
      const agreeing = references.filter((i) => modelMotion[i].cls === cases[i].engineClass);
      const summary: ActionControl = {
        cases: index.length,
        engineMoved: moved.length,
        measureAccuracy: share(references.length, moved.length),
        references: references.length,
        agreeing: agreeing.length,
        agreement: share(agreeing.length, references.length),
        meanMotion: {
          engine: mean(index.map((i) => cases[i].engineMotion)),
          model: mean(index.map((i) => modelMotion[i].value)),
        },
      };
      return [action, summary];
    }),
  ) as Record<ControlAction, ActionControl>;
  const all = Object.values(perAction);
  const references = all.reduce((s, a) => s + a.references, 0);
  const moved = all.reduce((s, a) => s + a.engineMoved, 0);
  return {
    contexts: specs.length,
    holdTicks: HOLD_TICKS,
    perAction,
    overall: {
      references,
      agreement: share(
        all.reduce((s, a) => s + a.agreeing, 0),
        references,
      ),
      measureAccuracy: share(references, moved),
    },
  };
}

/** The engine's side of one case: a fresh fork of the context holding `action`. */
function engineCase(
  spec: ContextSpec,
  action: ControlAction,
  size: { width: number; height: number },
  K: number,
): Case {
  const { engine, frames } = buildContext(spec, size, K);
  const bits: ActionBits = actionFromKeys([action]);
  const clip = [frames[frames.length - 1]];
  let yaw = 0;
  let forward = 0;
  for (let t = 0; t < HOLD_TICKS; t++) {
    const { motion } = engine.step(bits);
    yaw += motion.yaw;
    forward += motion.forward;
    clip.push(engine.render());
  }
  const moved =
    action === 'forward'
      ? forward >= MIN_FORWARD
      : Math.abs(yaw) >= MIN_YAW && Math.sign(yaw) === (action === 'turn_left' ? 1 : -1);
  const { value, cls } = measure(action, clip, size);
  return { action, moved, engineClass: cls, engineMotion: value, context: frames };
}

function measure(
  action: ControlAction,
  clip: readonly Uint8Array[],
  size: { width: number; height: number },
): { value: number; cls: MotionClass } {
  if (action === 'forward') {
    const value = forwardFlow(clip[0], clip[clip.length - 1], size);
    return { value, cls: forwardClass(value) };
  }
  const value = turnMotion(clip, size);
  return { value, cls: turnClass(value) };
}
