/**
 * Reads and checks a model folder's `manifest.json` (contract: model/MANIFEST.md) before
 * any graph is loaded: the format, each graph file's SHA-256, the self-consistency of the
 * tensor shapes, and that the engine's action keys and instruction values all exist in
 * the model's vocabularies. Every failure is a ManifestError that names what was
 * expected and what was found.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ACTION_KEYS } from '../../model/engine/actions';
import { INSTRUCTION_SLOTS, SLOT_NAMES } from '../../model/engine/instructions';

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

const FORMAT_VERSIONS = [1];
export const GRAPH_NAMES = ['encode', 'step', 'decode'] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];

const positive = z.number().int().positive();
const TensorSpec = z.object({
  name: z.string().min(1),
  dtype: z.enum(['float32', 'int64', 'uint8']),
  shape: z.array(z.union([z.string(), positive])).min(1),
});
export type TensorSpec = z.infer<typeof TensorSpec>;

const GraphEntry = z.object({
  file: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256'),
  bytes: positive,
  inputs: z.array(TensorSpec).min(1),
  outputs: z.array(TensorSpec).min(1),
});
export type GraphEntry = z.infer<typeof GraphEntry>;

const ManifestSchema = z.object({
  format: z.literal('worldtick-model'),
  formatVersion: z.number().int(),
  name: z.string().min(1),
  version: z.string().min(1),
  fps: z.number().positive(),
  frame: z.object({
    width: positive,
    height: positive,
    channels: z.literal(3),
    layout: z.literal('NHWC'),
    dtype: z.literal('uint8'),
    color: z.literal('RGB'),
  }),
  latent: z.object({
    channels: positive,
    height: positive,
    width: positive,
    dtype: z.literal('float32'),
  }),
  context: z.object({
    length: positive,
    order: z.literal('oldest-first'),
    seed: z.literal('repeat-oldest'),
  }),
  actions: z.object({
    keys: z.array(z.string().min(1)).min(1),
    encoding: z.literal('multi-hot'),
    cameraAxes: z.array(z.unknown()).max(0, 'binned camera axes are not supported (format 1)'),
  }),
  instructions: z.object({
    slotOrder: z.array(z.string().min(1)).min(1),
    slots: z.record(z.string(), z.array(z.string().min(1))),
    holdTicks: positive,
  }),
  opset: positive,
  batchDim: z.string().min(1),
  graphs: z.object({ encode: GraphEntry, step: GraphEntry, decode: GraphEntry }),
  training: z.record(z.string(), z.unknown()).optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export interface LoadedManifest {
  manifest: Manifest;
  /** The model folder; graph files are relative to it. */
  dir: string;
  graphPath(name: GraphName): string;
}

/** Reads, validates and hashes a model folder. */
export async function loadManifest(dir: string): Promise<LoadedManifest> {
  const file = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ManifestError(`cannot read model manifest ${file}: ${(error as Error).message}`);
  }
  const manifest = parseManifest(raw, file);
  const graphPath = (name: GraphName) => path.join(dir, manifest.graphs[name].file);
  for (const name of GRAPH_NAMES)
    await checkGraphFile(name, manifest.graphs[name], graphPath(name));
  return { manifest, dir, graphPath };
}

/** Validates a parsed manifest (schema, consistency, vocabularies); `source` names it in errors. */
export function parseManifest(raw: unknown, source: string): Manifest {
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && !FORMAT_VERSIONS.includes(version)) {
    throw new ManifestError(
      `${source}: formatVersion ${version} is not supported; this server reads ${FORMAT_VERSIONS.join(', ')}`,
    );
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new ManifestError(
      `${source} is not a worldtick model manifest:\n  ${problems.join('\n  ')}`,
    );
  }
  checkConsistency(parsed.data, source);
  checkVocabularies(parsed.data, source);
  return parsed.data;
}

/** The graph I/O the runtime relies on, derived from the manifest's sizes (MANIFEST.md, rule 4). */
export function expectedGraphs(
  m: Manifest,
): Record<GraphName, { inputs: TensorSpec[]; outputs: TensorSpec[] }> {
  const b = m.batchDim;
  const frame: TensorSpec = {
    name: 'frame',
    dtype: 'uint8',
    shape: [b, m.frame.height, m.frame.width, 3],
  };
  const latentShape = [b, m.latent.channels, m.latent.height, m.latent.width];
  const latent: TensorSpec = { name: 'latent', dtype: 'float32', shape: latentShape };
  const slots = m.instructions.slotOrder.length;
  return {
    encode: { inputs: [frame], outputs: [latent] },
    step: {
      inputs: [
        {
          name: 'context',
          dtype: 'float32',
          shape: [b, m.context.length, ...latentShape.slice(1)],
        },
        { name: 'action', dtype: 'float32', shape: [b, m.actions.keys.length] },
        { name: 'instruction', dtype: 'int64', shape: [b, slots] },
        { name: 'instruction_age', dtype: 'float32', shape: [b, slots] },
      ],
      outputs: [latent, frame],
    },
    decode: { inputs: [latent], outputs: [frame] },
  };
}

/** Compares one tensor list against what is expected; `where` names graph and side. */
export function compareTensors(
  where: string,
  found: readonly TensorSpec[],
  expected: readonly TensorSpec[],
): void {
  const names = (list: readonly TensorSpec[]) => list.map((t) => t.name).join(', ');
  if (found.length !== expected.length || found.some((t, i) => t.name !== expected[i].name)) {
    throw new ManifestError(
      `${where}: tensors are [${names(found)}], expected [${names(expected)}]`,
    );
  }
  found.forEach((tensor, i) => {
    const want = expected[i];
    if (tensor.dtype !== want.dtype)
      throw new ManifestError(
        `${where} "${tensor.name}": dtype ${tensor.dtype}, expected ${want.dtype}`,
      );
    if (JSON.stringify(tensor.shape) !== JSON.stringify(want.shape)) {
      throw new ManifestError(
        `${where} "${tensor.name}": shape ${JSON.stringify(tensor.shape)}, expected ${JSON.stringify(want.shape)}`,
      );
    }
  });
}

function checkConsistency(m: Manifest, source: string): void {
  const expected = expectedGraphs(m);
  for (const name of GRAPH_NAMES) {
    compareTensors(`${source} graphs.${name}.inputs`, m.graphs[name].inputs, expected[name].inputs);
    compareTensors(
      `${source} graphs.${name}.outputs`,
      m.graphs[name].outputs,
      expected[name].outputs,
    );
  }
  for (const slot of m.instructions.slotOrder) {
    if (!m.instructions.slots[slot])
      throw new ManifestError(`${source}: instructions.slots has no values for slot "${slot}"`);
  }
}

/** The engine's vocabularies are append-only, so a model may lack only names newer than it (rule 5). */
function checkVocabularies(m: Manifest, source: string): void {
  const missingKeys = ACTION_KEYS.filter((key) => !m.actions.keys.includes(key));
  if (missingKeys.length > 0)
    throw new ManifestError(
      `${source}: actions.keys lacks the server's keys ${missingKeys.join(', ')}`,
    );
  for (const slot of SLOT_NAMES) {
    if (!m.instructions.slotOrder.includes(slot))
      throw new ManifestError(
        `${source}: instructions.slotOrder lacks the server's slot "${slot}"`,
      );
    const missing = INSTRUCTION_SLOTS[slot].filter((v) => !m.instructions.slots[slot].includes(v));
    if (missing.length > 0)
      throw new ManifestError(`${source}: instructions.slots.${slot} lacks ${missing.join(', ')}`);
  }
}

async function checkGraphFile(name: GraphName, entry: GraphEntry, file: string): Promise<void> {
  let bytes: number;
  try {
    bytes = (await stat(file)).size;
  } catch {
    throw new ManifestError(`graph "${name}": file ${file} does not exist`);
  }
  if (bytes !== entry.bytes)
    throw new ManifestError(
      `graph "${name}": ${file} has ${bytes} bytes, the manifest says ${entry.bytes}`,
    );
  const digest = await sha256(file);
  if (digest !== entry.sha256) {
    throw new ManifestError(
      `graph "${name}": ${file} has SHA-256 ${digest}, the manifest says ${entry.sha256} (wrong or modified file)`,
    );
  }
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
