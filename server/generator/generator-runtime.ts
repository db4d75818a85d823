/**
 * The learned generator at serving time: tensors, manifests and batches, nothing about
 * members, sockets or media. Each session keeps a context ring (its last K latents or
 * frames, by manifest format: context-ring.ts), its recent actions and its held
 * instructions; a tick stacks every requested session into one batch for the step graph
 * (in chunks of `maxBatch`), then moves each ring on by what the step returned. Input
 * tensors are allocated once per batch size and refilled every tick.
 */
import * as ort from 'onnxruntime-node';
import { ActionBits, Instruction, VocabularyCodec, type Vocabulary } from '../protocol/vocabulary';
import { ActionHistory, HeldInstructions, locate } from './conditioning';
import { ContextRing, RingData, RingSource, ringSource } from './context-ring';
import { expectedGraphs, loadManifest, Manifest, TensorSpec, vocabularyOf } from './manifest';
import { GraphOptions, ModelGraphs, openGraphs } from './model-graphs';

export interface RuntimeOptions extends GraphOptions {
  /** Most sessions per step call; larger ticks run in several calls. */
  maxBatch: number;
}

/** One session's tick in the model's vocabulary: bit i of `action` is `manifest.actions.keys[i]`. */
export interface StepRequest {
  sessionId: string;
  action: ActionBits;
  instructions: readonly Instruction[];
}

export class GeneratorSessionError extends Error {
  override readonly name = 'GeneratorSessionError';
}

interface SessionState {
  ring: ContextRing;
  actions: ActionHistory;
  held: HeldInstructions;
}

/** One batch size's input buffers (the step's inputs in order) and the tensors that wrap them. */
interface BatchInputs {
  context: RingData;
  actions: Float32Array;
  instruction: BigInt64Array;
  age: Float32Array;
  /** Format 3: the value each held instruction replaced. */
  from?: BigInt64Array;
  feeds: Record<string, ort.Tensor>;
}

export class GeneratorRuntime {
  private readonly sessions = new Map<string, SessionState>();
  private readonly batches = new Map<number, BatchInputs>();
  /** The model's own keys and slots: action bits and instructions are in its order. */
  private readonly words: VocabularyCodec;
  private readonly rings: RingSource;
  /** The step's inputs, in graph order: context, actions, instruction, instruction_age (, instruction_from). */
  private readonly stepInputs: TensorSpec[];
  /** Actions the step sees per session: the rows of its actions input (format 1: one). */
  private readonly actionHistory: number;
  private readonly frameSize: number;
  /** Steps share the batch buffers, so they must not overlap (the tick loop never overlaps them). */
  private stepping = false;

  private constructor(
    readonly manifest: Manifest,
    private readonly graphs: ModelGraphs,
    private readonly maxBatch: number,
  ) {
    this.words = new VocabularyCodec(vocabularyOf(manifest));
    this.rings = ringSource(manifest, graphs);
    this.stepInputs = expectedGraphs(manifest).step.inputs;
    this.actionHistory = rowSize(this.stepInputs[1]) / this.words.keys.length;
    this.frameSize = manifest.frame.width * manifest.frame.height * 3;
  }

  /** Validates the model folder, opens its graphs and runs a warm-up step. */
  static async load(dir: string, options: RuntimeOptions): Promise<GeneratorRuntime> {
    const model = await loadManifest(dir);
    const graphs = await openGraphs(model, options);
    const runtime = new GeneratorRuntime(model.manifest, graphs, options.maxBatch);
    await runtime.warmUp();
    return runtime;
  }

  /** The keys and slots the model understands, in its order. */
  get vocabulary(): Vocabulary {
    return this.words.vocabulary;
  }

  get provider(): 'cpu' | 'cuda' {
    return this.graphs.provider;
  }

  get contextLength(): number {
    return this.manifest.context.length;
  }

  /**
   * Starts a session from 1..K frames (the video prompt, oldest first; more than K keep
   * the newest K). Fewer than K are padded by repeating the oldest, as in training. The
   * session's action history starts idle. `shown`: instructions the frames already show
   * (the text a first frame was drawn from), held as settled (`HeldInstructions.settle`).
   * `showing`: every value the frames are known to show (the engine's start of a seed),
   * what the first instruction of each slot replaces; unknown slots are read from frames.
   */
  async open(
    sessionId: string,
    frames: readonly Uint8Array[],
    shown: readonly Instruction[] = [],
    showing: readonly Instruction[] = [],
  ): Promise<void> {
    if (frames.length === 0)
      throw new GeneratorSessionError('a session needs at least one frame to start from');
    const { width, height } = this.manifest.frame;
    frames.forEach((frame, i) => {
      if (frame.length !== this.frameSize) {
        throw new GeneratorSessionError(
          `start frame ${i} has ${frame.length} bytes; expected ${width}x${height} RGB (${this.frameSize} bytes)`,
        );
      }
    });
    const used = frames.slice(-this.contextLength);
    const seeds = await this.rings.seeds(used);
    const held = new HeldInstructions(this.words, this.manifest.instructions.holdTicks);
    held.know(showing);
    held.settle(shown);
    this.sessions.set(sessionId, {
      ring: ContextRing.seeded(seeds, used.length, this.contextLength),
      actions: new ActionHistory(this.words.keys.length, this.actionHistory),
      held,
    });
  }

  /** What the context ring holds: frames (uint8) or latents (float32), by manifest format. */
  get contextDtype(): 'uint8' | 'float32' {
    return this.stepInputs[0].dtype === 'float32' ? 'float32' : 'uint8';
  }

  /** The session's ring now (a copy): with the ticks stepped so far, all `restore` needs. */
  snapshot(sessionId: string): RingData {
    return this.get(sessionId).ring.data.slice();
  }

  /**
   * A session as another process left it: its ring at some tick (from `snapshot`), and the
   * ticks stepped up to then, which rebuild its action history and held instructions
   * (from what its start showed, as `open` was told).
   */
  restore(
    sessionId: string,
    ring: RingData,
    past: readonly Omit<StepRequest, 'sessionId'>[],
    showing: readonly Instruction[] = [],
  ): void {
    const [context] = this.stepInputs;
    const dtype = ring instanceof Float32Array ? 'float32' : 'uint8';
    if (ring.length !== rowSize(context) || dtype !== context.dtype)
      throw new GeneratorSessionError(
        `a snapshot of ${ring.length} ${dtype} values does not fit this model's context (${rowSize(context)} ${context.dtype})`,
      );
    const state: SessionState = {
      ring: ContextRing.restored(ring, this.contextLength),
      actions: new ActionHistory(this.words.keys.length, this.actionHistory),
      held: new HeldInstructions(this.words, this.manifest.instructions.holdTicks),
    };
    state.held.know(showing);
    for (const tick of past) {
      state.actions.advance(tick.action);
      state.held.advance(tick.instructions);
    }
    this.sessions.set(sessionId, state);
  }

  /** Whether the model can draw a first frame from instructions alone (a `start` graph). */
  get startsFromText(): boolean {
    return this.graphs.start !== undefined;
  }

  /**
   * GameGen-O's text-to-video half: a first frame drawn from structured instructions
   * alone (slots not given are left to the model), to `open` a session from.
   */
  async firstFrame(instructions: readonly Instruction[]): Promise<Uint8Array> {
    if (!this.graphs.start) {
      const { name, version } = this.manifest;
      throw new GeneratorSessionError(
        `${name}@${version} has no start graph: it cannot start a session from text`,
      );
    }
    const tokens = new BigInt64Array(this.vocabulary.slots.length);
    for (const instruction of instructions) {
      const { column, token } = locate(this.words, instruction);
      tokens[column] = BigInt(token);
    }
    const out = await this.graphs.start.run({
      instruction: new ort.Tensor('int64', tokens, [1, tokens.length]),
    });
    return (out.frame.data as Uint8Array).slice();
  }

  /** Advances every requested session by one tick; returns their frames in order (fresh buffers). */
  async step(requests: readonly StepRequest[]): Promise<Uint8Array[]> {
    if (this.stepping)
      throw new GeneratorSessionError('step() called while another step is running');
    const states = requests.map((r) => this.get(r.sessionId));
    this.stepping = true;
    try {
      const frames: Uint8Array[] = [];
      for (let first = 0; first < requests.length; first += this.maxBatch) {
        const chunk = requests.slice(first, first + this.maxBatch);
        frames.push(...(await this.stepBatch(chunk, states.slice(first, first + this.maxBatch))));
      }
      return frames;
    } finally {
      this.stepping = false;
    }
  }

  close(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  async release(): Promise<void> {
    this.sessions.clear();
    await this.graphs.release();
  }

  private async stepBatch(
    requests: readonly StepRequest[],
    states: SessionState[],
  ): Promise<Uint8Array[]> {
    const inputs = this.batchInputs(requests.length);
    const ringSize = inputs.context.length / requests.length;
    const actionsSize = inputs.actions.length / requests.length;
    requests.forEach((request, b) => {
      const state = states[b];
      inputs.context.set(state.ring.data, b * ringSize);
      state.actions.advance(request.action);
      state.actions.write(inputs.actions.subarray(b * actionsSize, (b + 1) * actionsSize));
      state.held.advance(request.instructions);
      state.held.write(
        inputs.instruction,
        inputs.age,
        b * this.vocabulary.slots.length,
        inputs.from,
      );
    });
    const out = await this.graphs.step.run(inputs.feeds);
    const newest = out[this.rings.newest].data as RingData;
    const elementSize = newest.length / requests.length;
    const frame = out.frame.data as Uint8Array;
    return states.map((state, b) => {
      state.ring.advance(newest.subarray(b * elementSize, (b + 1) * elementSize));
      return frame.slice(b * this.frameSize, (b + 1) * this.frameSize);
    });
  }

  private batchInputs(batch: number): BatchInputs {
    let inputs = this.batches.get(batch);
    if (inputs) return inputs;
    const tensors = this.stepInputs.map((spec) => {
      const shape = [batch, ...(spec.shape.slice(1) as number[])];
      return new ort.Tensor(spec.dtype, allocate(spec.dtype, batch * rowSize(spec)), shape);
    });
    const [context, actions, instruction, age, from] = tensors.map((tensor) => tensor.data);
    inputs = {
      context: context as RingData,
      actions: actions as Float32Array,
      instruction: instruction as BigInt64Array,
      age: age as Float32Array,
      from: from as BigInt64Array | undefined,
      feeds: Object.fromEntries(this.stepInputs.map((spec, i) => [spec.name, tensors[i]])),
    };
    this.batches.set(batch, inputs);
    return inputs;
  }

  /** The first run of a graph allocates and plans; do it before the first tick is due. */
  private async warmUp(): Promise<void> {
    const id = '\0warm-up';
    await this.open(id, [new Uint8Array(this.frameSize)]);
    for (let i = 0; i < 3; i++) await this.step([{ sessionId: id, action: 0, instructions: [] }]);
    this.close(id);
  }

  private get(sessionId: string): SessionState {
    const state = this.sessions.get(sessionId);
    if (!state) throw new GeneratorSessionError(`the generator has no session "${sessionId}"`);
    return state;
  }
}

/** Elements of one batch row of a tensor (its shape without the batch dimension). */
function rowSize(spec: TensorSpec): number {
  return (spec.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
}

function allocate(dtype: TensorSpec['dtype'], size: number): RingData | BigInt64Array {
  if (dtype === 'int64') return new BigInt64Array(size);
  return dtype === 'uint8' ? new Uint8Array(size) : new Float32Array(size);
}
