/**
 * Opens a model's graphs in onnxruntime-node and checks each one's inputs and outputs
 * against the manifest (MANIFEST.md, validation rule 3), so a wrong or stale graph
 * fails at load with the graph and tensor named, never at the first tick.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  compareTensors,
  expectedGraphs,
  GraphName,
  LoadedManifest,
  Manifest,
  ManifestError,
  TensorSpec,
} from './manifest';

/** `auto`: CUDA where its provider library is installed, else the CPU. */
export type ProviderChoice = 'auto' | 'cpu' | 'cuda';

export interface GraphOptions {
  provider: ProviderChoice;
  /** Intra-op threads of each graph (the CPU provider's parallelism). */
  threads: number;
}

export interface ModelGraphs {
  step: ort.InferenceSession;
  /** Format 1 only: seeds a session's latent ring from its start frames. */
  encode?: ort.InferenceSession;
  /** Format 2, where the model has it: a first frame from instructions (text start). */
  start?: ort.InferenceSession;
  /** The execution provider that runs the graphs. */
  provider: 'cpu' | 'cuda';
  release(): Promise<void>;
}

/**
 * The graphs the server runs: `step`, format 1's `encode` (`decode` is for evaluation
 * tools) and format 2's optional `start`, where the manifest lists it.
 */
function servedGraphs(manifest: Manifest): GraphName[] {
  if (manifest.formatVersion === 1) return ['encode', 'step'];
  return manifest.graphs.start ? ['step', 'start'] : ['step'];
}

/** Loads the graphs the model's format needs to drive a session. */
export async function openGraphs(
  model: LoadedManifest,
  options: GraphOptions,
): Promise<ModelGraphs> {
  const provider =
    options.provider === 'auto' ? await pickProvider(model, options) : options.provider;
  const opened: Partial<Record<GraphName, ort.InferenceSession>> = {};
  const release = async () => {
    await Promise.all(Object.values(opened).map((session) => session.release()));
  };
  try {
    for (const name of servedGraphs(model.manifest))
      opened[name] = await openGraph(model, name, provider, options.threads);
  } catch (error) {
    await release();
    throw error;
  }
  return { step: opened.step!, encode: opened.encode, start: opened.start, provider, release };
}

export async function openGraph(
  model: LoadedManifest,
  name: GraphName,
  provider: 'cpu' | 'cuda',
  threads: number,
): Promise<ort.InferenceSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model.graphPath(name), {
      executionProviders: [provider],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new ManifestError(
      `graph "${name}" (${model.graphPath(name)}) did not load on the ${provider} provider: ${(error as Error).message}`,
    );
  }
  const expected = expectedGraphs(model.manifest)[name]!;
  try {
    compareTensors(
      `graph "${name}" inputs`,
      describe(session.inputNames, session.inputMetadata),
      expected.inputs,
    );
    compareTensors(
      `graph "${name}" outputs`,
      describe(session.outputNames, session.outputMetadata),
      expected.outputs,
    );
  } catch (error) {
    await session.release();
    throw error;
  }
  return session;
}

/** The graph's own view of its tensors; onnxruntime reports the symbolic batch under its name. */
function describe(
  names: readonly string[],
  metadata: readonly ort.InferenceSession.ValueMetadata[],
): TensorSpec[] {
  return names.map((name, i) => {
    const meta = metadata[i];
    if (!meta?.isTensor) return { name, dtype: 'float32', shape: ['(not a tensor)'] };
    return { name, dtype: meta.type as TensorSpec['dtype'], shape: [...meta.shape] };
  });
}

/**
 * CUDA only where its provider libraries sit beside onnxruntime's binding (the npm
 * package's postinstall fetches them on GPU hosts; offline installs have none), so a
 * CPU host never logs a failed provider load.
 */
async function pickProvider(model: LoadedManifest, options: GraphOptions): Promise<'cpu' | 'cuda'> {
  const binding = path.dirname(require.resolve('onnxruntime-node'));
  const libs = path.join(binding, '..', 'bin', 'napi-v6', process.platform, process.arch);
  if (!existsSync(path.join(libs, 'libonnxruntime_providers_cuda.so'))) return 'cpu';
  try {
    const probe = await openGraph(model, 'step', 'cuda', options.threads);
    await probe.release();
    return 'cuda';
  } catch {
    return 'cpu';
  }
}
