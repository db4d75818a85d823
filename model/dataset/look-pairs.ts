/**
 * Look pairs: the same scene rendered under every value of one environment slot.
 *   npx tsx model/dataset/look-pairs.ts --out model/data/look-pairs --scenes 240 --seed 1
 *
 * For each scene: a world seed, a start environment and a walk of the behaviour agent;
 * the player then stands while the slot (weather, time or event) takes each of its
 * values, and a frame is rendered under each, so the frames differ only by that value's
 * look (the engine's weather particles, fire flicker and water shimmer aside). The grade layer of the generator
 * (model/train/model.py's GradeLayer) fits its per-row colour maps between values from
 * these pairs: the engine shapes the training data, and is never a serving input.
 * Scenes where the player moved meanwhile (a flood lifting it) are skipped.
 *
 * Writes <slot>.u8 (scenes x values x H x W x 3 RGB bytes) and manifest.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DEFAULT_FRAME_SIZE, Engine } from '../engine/engine';
import { EnvironmentStart, TRANSITION_TICKS } from '../engine/environment';
import { IDLE_ACTION } from '../engine/actions';
import { INSTRUCTION_SLOTS, makeInstruction } from '../engine/instructions';
import { BehaviourAgent } from './agents';
import { numberOption, OptionSpecs, parseOptions, runMain, usageText } from './cli-args';
import { Rng } from './prng';

const GRADED_SLOTS = ['weather', 'time', 'event'] as const;
type GradedSlot = (typeof GRADED_SLOTS)[number];
/** World seeds of look pairs: a block of their own, apart from the eval's held-out block. */
const LOOK_SEED_BASE = 0x10c00000;
const MAX_WALK_TICKS = 120;
/** Ticks for the player to stop and for an instruction's blend to settle (the engine blends over 16). */
const SETTLE_TICKS = TRANSITION_TICKS + 8;
/** Idle ticks after the walk: the engine's momentum has died out by then. */
const STOP_TICKS = 40;
/** Cells (and radians) the player may drift while the values are shown: well under a pixel. */
const STILL = 0.02;

const OPTIONS: OptionSpecs = {
  out: { type: 'string', value: 'DIR', description: 'output directory' },
  scenes: { type: 'string', value: 'N', default: '240', description: 'scenes per slot' },
  seed: { type: 'string', value: 'N', default: '1', description: 'seed of the scene draws' },
};
const argsSchema = z.object({
  out: z.string().min(1, 'needs a directory'),
  scenes: numberOption(1, 10_000),
  seed: numberOption(0, 0xffffffff),
});
const USAGE = usageText(
  'npx tsx model/dataset/look-pairs.ts',
  'renders each scene under every weather, time and event value',
  OPTIONS,
);

function randomStart(rng: Rng): EnvironmentStart {
  return {
    weather: rng.pick(INSTRUCTION_SLOTS.weather),
    time: rng.pick(INSTRUCTION_SLOTS.time),
    event: rng.pick(INSTRUCTION_SLOTS.event),
    character: rng.pick(INSTRUCTION_SLOTS.character),
  };
}

/**
 * One scene under every value of `slot`, or null when the player moved meanwhile (a
 * flood lifts it): one engine walks, stands until its momentum is spent, then takes each
 * value by instruction and renders once the blend has settled.
 */
function renderScene(slot: GradedSlot, worldSeed: number, start: EnvironmentStart, walk: number) {
  const engine = new Engine({ seed: worldSeed, start });
  const agent = new BehaviourAgent(worldSeed ^ 0x5eed);
  for (let t = 0; t < walk; t++) engine.step(agent.act(engine.player()));
  for (let t = 0; t < STOP_TICKS; t++) engine.step(IDLE_ACTION);
  const pose = engine.player();
  const frames = INSTRUCTION_SLOTS[slot].map((value) => {
    engine.step(IDLE_ACTION, [makeInstruction(slot, value)]);
    for (let t = 1; t < SETTLE_TICKS; t++) engine.step(IDLE_ACTION);
    return engine.render();
  });
  const now = engine.player();
  const moved = Math.abs(now.x - pose.x) + Math.abs(now.y - pose.y) + Math.abs(now.yaw - pose.yaw);
  return moved > STILL ? null : frames;
}

function main(argv: string[]): void {
  const args = parseOptions(argv, OPTIONS, argsSchema);
  fs.mkdirSync(args.out, { recursive: true });
  const slots: Record<
    string,
    { file: string; values: readonly string[]; scenes: number; skipped: number }
  > = {};
  for (const [s, slot] of GRADED_SLOTS.entries()) {
    const rng = new Rng(args.seed * 7919 + s);
    const file = fs.openSync(path.join(args.out, `${slot}.u8`), 'w');
    let written = 0;
    let skipped = 0;
    for (let i = 0; written < args.scenes; i++) {
      const frames = renderScene(
        slot,
        LOOK_SEED_BASE + s * 100_000 + i,
        randomStart(rng),
        rng.int(0, MAX_WALK_TICKS),
      );
      if (!frames) {
        // A flood lifts the player now and then (none of 720 scenes did); a world where most
        // scenes move would otherwise loop here for ever.
        if (++skipped > args.scenes)
          throw new Error(
            `${slot}: ${skipped} scenes skipped (the player moved while the values were shown) ` +
              `for ${written} written; the engine's start or walk no longer settles`,
          );
        continue;
      }
      for (const frame of frames) fs.writeSync(file, frame);
      written++;
      if (written % 40 === 0)
        process.stderr.write(`look pairs: ${slot} ${written}/${args.scenes}\n`);
    }
    fs.closeSync(file);
    slots[slot] = {
      file: `${slot}.u8`,
      values: INSTRUCTION_SLOTS[slot],
      scenes: written,
      skipped,
    };
  }
  // Every engine here renders at the default size (no width or height is passed).
  const size = DEFAULT_FRAME_SIZE;
  const manifest = { format: 'worldtick-look-pairs', version: 1, slots, height: size, width: size };
  fs.writeFileSync(path.join(args.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  process.stderr.write(`look pairs: written to ${args.out}\n`);
}

runMain(USAGE, main);
