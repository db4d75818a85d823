/**
 * A session started from text, for people to look at: the model's start graph draws the
 * first frame from structured instructions alone (no engine frame, no prompt), then the
 * generator plays a short fixed walk on its own frames. Writes PREFIX.gif and PREFIX.png
 * (a tile every 2 s, the held keys under it).
 *
 *   npx tsx model/eval/text-start.ts --model model/shipped \
 *     --text "biome=desert time=dusk character=wizard" --out docs/media/text-start
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ActionBits, actionFromKeys } from '../engine/actions';
import { ENGINE_FPS } from '../engine/engine';
import { parseInstructionList, SLOT_NAMES } from '../engine/instructions';
import { StepRecord } from '../dataset/format';
import { animatedGif, contactSheet } from '../dataset/preview';
import { GeneratorRuntime } from '../../server/generator/generator-runtime';
import { CLIP_EVERY } from './closed-loop/side-by-side';

/** Seconds and keys of the walk: look around, walk, turn both ways, sprint. */
const WALK: [number, string[]][] = [
  [1, []],
  [4, ['forward']],
  [2, ['turn_left']],
  [3, ['forward']],
  [2, ['turn_right']],
  [2, []],
  [3, ['forward', 'sprint']],
  [3, []],
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, text: { type: 'string' }, out: { type: 'string' } },
  });
  if (!values.model || !values.text || !values.out)
    throw new Error('usage: text-start.ts --model DIR --text "slot=value ..." --out PREFIX');
  const runtime = await GeneratorRuntime.load(values.model, {
    provider: 'cpu',
    threads: 2,
    maxBatch: 1,
  });
  try {
    const text = parseInstructionList(values.text);
    const first = await runtime.firstFrame(text);
    await runtime.open('text', [first], text, text);
    const actions: ActionBits[] = WALK.flatMap(([seconds, keys]) =>
      new Array<ActionBits>(seconds * ENGINE_FPS).fill(actionFromKeys(keys)),
    );
    const kept: StepRecord[] = [record(0, 0, first)];
    for (const [i, action] of actions.entries()) {
      const [frame] = await runtime.step([{ sessionId: 'text', action, instructions: [] }]);
      if ((i + 1) % CLIP_EVERY === 0) kept.push(record(i + 1, action, frame));
    }
    const { width, height } = runtime.manifest.frame;
    const size = { width, height };
    fs.writeFileSync(
      `${values.out}.gif`,
      animatedGif(
        kept.map((r) => r.frame),
        size,
        ENGINE_FPS / CLIP_EVERY,
      ),
    );
    const every = (2 * ENGINE_FPS) / CLIP_EVERY;
    fs.writeFileSync(`${values.out}.png`, contactSheet(kept, size, { every, columns: 6 }));
    process.stderr.write(`wrote ${values.out}.gif, ${values.out}.png (${actions.length} ticks)\n`);
  } finally {
    await runtime.release();
  }
}

function record(step: number, action: ActionBits, frame: Uint8Array): StepRecord {
  return {
    episode: 0,
    step,
    motion: { forward: 0, right: 0, yaw: 0, up: 0 },
    action,
    changed: 0,
    instruction: new Uint8Array(SLOT_NAMES.length),
    environment: new Uint8Array(SLOT_NAMES.length),
    frame,
  };
}

main().catch((error: Error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
