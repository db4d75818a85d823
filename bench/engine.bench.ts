/**
 * Engine throughput: frames per second of step + render on one core, for a scripted
 * mix of actions and instructions. Run: npm run bench:engine [-- --size 128 --frames 3000]
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import { Engine } from '../model/engine/engine';
import { ACTION_KEYS } from '../model/engine/actions';
import { allInstructions } from '../model/engine/instructions';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '128' },
    frames: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '7' },
  },
});
const size = Number(values.size);
const frames = Number(values.frames);

const t0 = performance.now();
const engine = new Engine({ seed: Number(values.seed), width: size, height: size });
const worldMs = performance.now() - t0;
const out = new Uint8Array(size * size * 3);
const instructions = allInstructions();
// Warm up the JIT so the figure reflects steady state.
for (let i = 0; i < 200; i++) engine.render(out);

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
const result = {
  size: `${size}x${size}`,
  frames,
  worldGenerationMs: Math.round(worldMs),
  framesPerSecond: Math.round((frames * 1000) / wallMs),
  msPerFrame: +(wallMs / frames).toFixed(3),
  cpuSecondsPerWallSecond: +((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2),
  cpu: os.cpus()[0]?.model,
  node: process.version,
};
console.log(JSON.stringify(result, null, 2));
