/**
 * Engine throughput: frames per second of step + render on one core, for a scripted
 * mix of actions and instructions.
 * Run: npm run bench:engine [-- --sizes 128,256 --frames 3000]
 */
import { parseArgs } from 'node:util';
import { Engine } from '../model/engine/engine';
import { ACTION_KEYS } from '../model/engine/actions';
import { allInstructions } from '../model/engine/instructions';
import { emitResult, progress, runMain } from './lib/result';
import type { DataOf, EngineResult, EngineRow } from './lib/results';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '128' },
    frames: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '7' },
    out: { type: 'string' },
  },
});
const WARMUP_FRAMES = 200; // the JIT, so the figure is steady state

function measure(size: number, frames: number): EngineRow {
  const t0 = performance.now();
  const engine = new Engine({ seed: Number(values.seed), width: size, height: size });
  const worldMs = performance.now() - t0;
  const out = new Uint8Array(size * size * 3);
  const instructions = allInstructions();
  for (let i = 0; i < WARMUP_FRAMES; i++) engine.render(out);

  const start = performance.now();
  const cpuStart = process.cpuUsage();
  for (let t = 0; t < frames; t++) {
    const action = (1 << (Math.floor(t / 15) % ACTION_KEYS.length)) | 1;
    const instruction = t % 100 === 50 ? [instructions[((t / 100) % instructions.length) | 0]] : [];
    engine.step(action, instruction);
    engine.render(out);
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  return {
    size: `${size}x${size}`,
    frames,
    worldGenerationMs: Math.round(worldMs),
    framesPerSecond: Math.round((frames * 1000) / wallMs),
    msPerFrame: +(wallMs / frames).toFixed(3),
    cpuSecondsPerWallSecond: +((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2),
  };
}

runMain(async () => {
  const rows = values.sizes!.split(',').map((size) => {
    const row = measure(Number(size), Number(values.frames));
    progress('engine', row);
    return row;
  });
  emitResult<DataOf<EngineResult>>('engine', values.out, { rows });
});
