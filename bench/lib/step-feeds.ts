/**
 * Inputs for a model's step graph at a given batch size, built from the manifest's
 * tensor specs alone (MANIFEST.md), for either format: random like model/train/export.py
 * makes them (frames, latents ~ N(0, 1), random keys, held instructions and ages), or the
 * fixed check input two runtimes' outputs are compared on: a ramp in the context
 * (element i is i mod 251) and zeros elsewhere. All zeros would not do: a format 2 model
 * turns black frames into black frames whatever its weights.
 */
import * as ort from 'onnxruntime-node';
import type { Manifest, TensorSpec } from '../../server/generator/manifest';

type Fill = 'random' | 'check';
/** The check input's context ramp period (bench/generator_torch.py, CHECK_RAMP). */
const CHECK_RAMP = 251;

export function stepFeeds(
  manifest: Manifest,
  batch: number,
  fill: Fill,
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const spec of manifest.graphs.step.inputs) {
    const shape = [batch, ...(spec.shape.slice(1) as number[])];
    const size = shape.reduce((a, b) => a * b, 1);
    const data = fill === 'check' ? checkData(spec, size) : randomData(spec, size, manifest);
    feeds[spec.name] = new ort.Tensor(spec.dtype, data, shape);
  }
  return feeds;
}

function checkData(spec: TensorSpec, size: number) {
  const value = (i: number) => (spec.name === 'context' ? i % CHECK_RAMP : 0);
  if (spec.dtype === 'int64') return new BigInt64Array(size);
  if (spec.dtype === 'uint8') return Uint8Array.from({ length: size }, (_, i) => value(i));
  return Float32Array.from({ length: size }, (_, i) => value(i));
}

function randomData(spec: TensorSpec, size: number, manifest: Manifest) {
  if (spec.dtype === 'int64') {
    const columns = manifest.instructions.slotOrder.map((s) => manifest.instructions.slots[s]);
    return BigInt64Array.from({ length: size }, (_, i) =>
      BigInt(randomInt(columns[i % columns.length].length + 1)),
    );
  }
  if (spec.dtype === 'uint8') return Uint8Array.from({ length: size }, () => randomInt(256));
  const value: Record<string, () => number> = {
    action: () => randomInt(2),
    actions: () => randomInt(2),
    instruction_age: () => randomInt(manifest.instructions.holdTicks),
  };
  return Float32Array.from({ length: size }, value[spec.name] ?? gaussian);
}

const randomInt = (n: number) => Math.floor(Math.random() * n);

/** Box-Muller: one standard normal sample. */
function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}
