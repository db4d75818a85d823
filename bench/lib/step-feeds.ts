/**
 * Inputs for a model's step graph at a given batch size, built from the manifest's
 * tensor specs alone (MANIFEST.md): random like model/train/export.py makes them (latents
 * ~ N(0, 1), random keys, held instructions and ages), or all zeros for comparing
 * two runtimes' outputs.
 */
import * as ort from 'onnxruntime-node';
import type { Manifest, TensorSpec } from '../../server/generator/manifest';

type Fill = 'random' | 'zeros';

export function stepFeeds(
  manifest: Manifest,
  batch: number,
  fill: Fill,
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const spec of manifest.graphs.step.inputs) {
    const shape = [batch, ...(spec.shape.slice(1) as number[])];
    feeds[spec.name] = new ort.Tensor(spec.dtype, tensorData(spec, shape, manifest, fill), shape);
  }
  return feeds;
}

function tensorData(spec: TensorSpec, shape: number[], manifest: Manifest, fill: Fill) {
  const size = shape.reduce((a, b) => a * b, 1);
  if (spec.dtype === 'int64') {
    const columns = manifest.instructions.slotOrder.map((s) => manifest.instructions.slots[s]);
    return BigInt64Array.from({ length: size }, (_, i) =>
      fill === 'zeros' ? 0n : BigInt(randomInt(columns[i % columns.length].length + 1)),
    );
  }
  if (spec.dtype === 'uint8')
    return Uint8Array.from({ length: size }, () => (fill === 'zeros' ? 0 : randomInt(256)));
  const value: Record<string, () => number> = {
    action: () => randomInt(2),
    instruction_age: () => randomInt(manifest.instructions.holdTicks),
  };
  const draw = value[spec.name] ?? gaussian;
  return Float32Array.from({ length: size }, () => (fill === 'zeros' ? 0 : draw()));
}

const randomInt = (n: number) => Math.floor(Math.random() * n);

/** Box-Muller: one standard normal sample. */
function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}
