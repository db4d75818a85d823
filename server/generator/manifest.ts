/**
 * Reads and checks a model folder's `manifest.json` (contract: model/MANIFEST.md) before
 * any graph is loaded: the format, each graph file's SHA-256, the self-consistency of the
 * tensor shapes, and that its vocabulary (action keys, instruction slots and values) is
 * well-formed: the server speaks the model's own words. Every failure is a ManifestError that names what was
 * expected and what was found.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { Vocabulary } from '../protocol/vocabulary';
import {
  FORMAT_VERSIONS,
  GraphEntry,
  GraphName,
  Manifest,
  ManifestSchema,
  ManifestV1,
  FrameManifest,
  TensorSpec,
} from './manifest-schema';

export type { GraphName, Manifest, TensorSpec } from './manifest-schema';

export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

export interface LoadedManifest {
  manifest: Manifest;
  /** The model folder; graph files are relative to it. */
  dir: string;
  /** The file of one of the format's graphs. */
  graphPath(name: GraphName): string;
}

export interface GraphIO {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}
/** Every format has a `step` graph; format 1 also `encode` and `decode`, format 2 may have `start`. */
export type ExpectedGraphs = { step: GraphIO } & Partial<Record<GraphName, GraphIO>>;

/** The manifest's graphs, each name with its entry: only those its format has. */
export function formatGraphs(m: Manifest): [GraphName, GraphEntry][] {
  const entries = Object.entries(m.graphs) as [GraphName, GraphEntry | undefined][];
  return entries.filter((entry): entry is [GraphName, GraphEntry] => entry[1] !== undefined);
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
  const graphs = formatGraphs(manifest);
  const graphPath = (name: GraphName) => {
    const entry = graphs.find(([graph]) => graph === name)?.[1];
    if (!entry)
      throw new ManifestError(
        `${file} lists no graph "${name}" (format ${manifest.formatVersion})`,
      );
    return path.join(dir, entry.file);
  };
  for (const [name, entry] of graphs) await checkGraphFile(name, entry, graphPath(name));
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
  checkVocabulary(parsed.data, source);
  return parsed.data;
}

/** The graph I/O the runtime relies on, derived from the manifest's sizes (MANIFEST.md, rule 4). */
export function expectedGraphs(m: Manifest): ExpectedGraphs {
  return m.formatVersion === 1 ? latentGraphs(m) : frameGraphs(m);
}

/** Format 1: a latent ring; `encode` seeds it, `step` returns the next latent and its frame. */
function latentGraphs(m: ManifestV1): ExpectedGraphs {
  const b = m.batchDim;
  const latentShape = [m.latent.channels, m.latent.height, m.latent.width];
  const latent: TensorSpec = { name: 'latent', dtype: 'float32', shape: [b, ...latentShape] };
  const context: TensorSpec = {
    name: 'context',
    dtype: 'float32',
    shape: [b, m.context.length, ...latentShape],
  };
  const action: TensorSpec = {
    name: 'action',
    dtype: 'float32',
    shape: [b, m.actions.keys.length],
  };
  return {
    encode: { inputs: [frameSpec(m)], outputs: [latent] },
    step: { inputs: [context, action, ...instructionSpecs(m)], outputs: [latent, frameSpec(m)] },
    decode: { inputs: [latent], outputs: [frameSpec(m)] },
  };
}

/**
 * Formats 2 and 3: a ring of the last frames and a history of actions in, the next frame
 * out; a first frame from instructions. Format 3's step also takes `instruction_from`.
 */
function frameGraphs(m: FrameManifest): ExpectedGraphs {
  const b = m.batchDim;
  const context: TensorSpec = {
    name: 'context',
    dtype: 'uint8',
    shape: [b, m.context.length, m.frame.height, m.frame.width, 3],
  };
  const actions: TensorSpec = {
    name: 'actions',
    dtype: 'float32',
    shape: [b, m.actions.history, m.actions.keys.length],
  };
  const [instruction, age] = instructionSpecs(m);
  const from: TensorSpec[] =
    m.formatVersion === 3 ? [{ ...instruction, name: 'instruction_from' }] : [];
  return {
    step: { inputs: [context, actions, instruction, age, ...from], outputs: [frameSpec(m)] },
    start: { inputs: [instruction], outputs: [frameSpec(m)] },
  };
}

function frameSpec(m: Manifest): TensorSpec {
  return { name: 'frame', dtype: 'uint8', shape: [m.batchDim, m.frame.height, m.frame.width, 3] };
}

/** The held instructions, the same in every format. */
function instructionSpecs(m: Manifest): TensorSpec[] {
  const shape = [m.batchDim, m.instructions.slotOrder.length];
  return [
    { name: 'instruction', dtype: 'int64', shape },
    { name: 'instruction_age', dtype: 'float32', shape },
  ];
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
  for (const [name, entry] of formatGraphs(m)) {
    const want = expected[name]!;
    compareTensors(`${source} graphs.${name}.inputs`, entry.inputs, want.inputs);
    compareTensors(`${source} graphs.${name}.outputs`, entry.outputs, want.outputs);
  }
  for (const slot of m.instructions.slotOrder) {
    if (!m.instructions.slots[slot])
      throw new ManifestError(`${source}: instructions.slots has no values for slot "${slot}"`);
  }
}

/** The model's keys and slots are what the wire, control and the log speak: they must be words the protocol can carry. */
function checkVocabulary(m: Manifest, source: string): void {
  const checked = Vocabulary.safeParse(vocabularyOf(m));
  if (!checked.success) {
    const problems = checked.error.issues.map((i) => `${vocabularyPath(m, i.path)}: ${i.message}`);
    throw new ManifestError(`${source} has a malformed vocabulary:\n  ${problems.join('\n  ')}`);
  }
}

/** Where a vocabulary problem sits in the manifest (keys.3 is actions.keys.3, slots.1.values.0 is instructions.slots.<name>.0). */
function vocabularyPath(m: Manifest, at: z.core.$ZodIssue['path']): string {
  const [list, index, field, value] = at;
  if (list === 'keys') return ['actions.keys', index].filter((p) => p !== undefined).join('.');
  if (index === undefined) return 'instructions.slotOrder';
  const slot = m.instructions.slotOrder[Number(index)];
  if (field === 'values')
    return [`instructions.slots.${slot}`, value].filter((p) => p !== undefined).join('.');
  return `instructions.slotOrder.${String(index)}`;
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

/** The keys and slots a model understands, as the wire and the client see them. */
export function vocabularyOf(m: Manifest): Vocabulary {
  return {
    keys: [...m.actions.keys],
    slots: m.instructions.slotOrder.map((name) => ({
      name,
      values: [...m.instructions.slots[name]],
    })),
  };
}
