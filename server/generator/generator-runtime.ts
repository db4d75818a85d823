/**
 * The learned generator at serving time: tensors, manifests and batches, nothing about
 * members, sockets or media. Each session keeps a ring of its last K latents and its
 * held instructions; a tick stacks every requested session into one batch for the step
 * graph (in chunks of `maxBatch`), then moves each ring on by the latent it got back.
 * Input tensors are allocated once per batch size and refilled every tick.
 */
import * as ort from 'onnxruntime-node';
import { ActionBits } from '../../model/engine/actions';
import { Instruction } from '../../model/engine/instructions';
import { HeldInstructions, Vocabulary } from './conditioning';
import { loadManifest, Manifest } from './manifest';
import { GraphOptions, ModelGraphs, openGraphs } from './model-graphs';

export interface RuntimeOptions extends GraphOptions {
  /** Most sessions per step call; larger ticks run in several calls. */
  maxBatch: number;
}

export interface StepRequest {
  sessionId: string;
  action: ActionBits;
  instructions: readonly Instruction[];
}

export class GeneratorSessionError extends Error {
  override readonly name = 'GeneratorSessionError';
}

interface SessionState {
  /** K latents, oldest first. */
  ring: Float32Array;
  held: HeldInstructions;
}

/** One batch size's input buffers and the tensors that wrap them. */
interface BatchInputs {
  context: Float32Array;
  action: Float32Array;
  instruction: BigInt64Array;
  age: Float32Array;
  feeds: Record<string, ort.Tensor>;
}

export class GeneratorRuntime {
  private readonly sessions = new Map<string, SessionState>();
  private readonly batches = new Map<number, BatchInputs>();
  private readonly vocabulary: Vocabulary;
  /** Elements in one latent, one frame. */
  private readonly latentSize: number;
  private readonly frameSize: number;
  /** Steps share the batch buffers, so they must not overlap (the tick loop never overlaps them). */
  private stepping = false;

  private constructor(
    readonly manifest: Manifest,
    private readonly graphs: ModelGraphs,
    private readonly maxBatch: number,
  ) {
    this.vocabulary = new Vocabulary(manifest);
    const { latent, frame } = manifest;
    this.latentSize = latent.channels * latent.height * latent.width;
    this.frameSize = frame.width * frame.height * 3;
  }

  /** Validates the model folder, opens its graphs and runs a warm-up step. */
  static async load(dir: string, options: RuntimeOptions): Promise<GeneratorRuntime> {
    const model = await loadManifest(dir);
    const graphs = await openGraphs(model, options);
    const runtime = new GeneratorRuntime(model.manifest, graphs, options.maxBatch);
    await runtime.warmUp();
    return runtime;
  }

  get provider(): 'cpu' | 'cuda' {
    return this.graphs.provider;
  }

  get contextLength(): number {
    return this.manifest.context.length;
  }

  /**
   * Starts a session from 1..K frames (the video prompt, oldest first; more than K keep
   * the newest K). Fewer than K are padded by repeating the oldest, as in training.
   */
  async open(sessionId: string, frames: readonly Uint8Array[]): Promise<void> {
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
    const K = this.contextLength;
    const used = frames.slice(-K);
    const latents = await this.encode(used);
    const ring = new Float32Array(K * this.latentSize);
    const padding = K - used.length;
    for (let slot = 0; slot < K; slot++) {
      const source = Math.max(0, slot - padding);
      ring.set(
        latents.subarray(source * this.latentSize, (source + 1) * this.latentSize),
        slot * this.latentSize,
      );
    }
    this.sessions.set(sessionId, { ring, held: new HeldInstructions(this.vocabulary) });
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
    const { actionWidth, slotCount } = this.vocabulary;
    const ringSize = this.contextLength * this.latentSize;
    requests.forEach((request, b) => {
      const state = states[b];
      inputs.context.set(state.ring, b * ringSize);
      this.vocabulary.writeAction(
        request.action,
        inputs.action.subarray(b * actionWidth, (b + 1) * actionWidth),
      );
      state.held.advance(request.instructions);
      state.held.write(inputs.instruction, inputs.age, b * slotCount);
    });
    const out = await this.graphs.step.run(inputs.feeds);
    const latent = out.latent.data as Float32Array;
    const frame = out.frame.data as Uint8Array;
    return states.map((state, b) => {
      // Drop the oldest latent, append the new one: the ring never re-encodes a frame.
      state.ring.copyWithin(0, this.latentSize);
      state.ring.set(
        latent.subarray(b * this.latentSize, (b + 1) * this.latentSize),
        ringSize - this.latentSize,
      );
      return frame.slice(b * this.frameSize, (b + 1) * this.frameSize);
    });
  }

  private batchInputs(batch: number): BatchInputs {
    let inputs = this.batches.get(batch);
    if (inputs) return inputs;
    const { latent, context } = this.manifest;
    const { actionWidth, slotCount } = this.vocabulary;
    const contextData = new Float32Array(batch * context.length * this.latentSize);
    const action = new Float32Array(batch * actionWidth);
    const instruction = new BigInt64Array(batch * slotCount);
    const age = new Float32Array(batch * slotCount);
    inputs = {
      context: contextData,
      action,
      instruction,
      age,
      feeds: {
        context: new ort.Tensor('float32', contextData, [
          batch,
          context.length,
          latent.channels,
          latent.height,
          latent.width,
        ]),
        action: new ort.Tensor('float32', action, [batch, actionWidth]),
        instruction: new ort.Tensor('int64', instruction, [batch, slotCount]),
        instruction_age: new ort.Tensor('float32', age, [batch, slotCount]),
      },
    };
    this.batches.set(batch, inputs);
    return inputs;
  }

  private async encode(frames: readonly Uint8Array[]): Promise<Float32Array> {
    const { width, height } = this.manifest.frame;
    const data = new Uint8Array(frames.length * this.frameSize);
    frames.forEach((frame, i) => data.set(frame, i * this.frameSize));
    const out = await this.graphs.encode.run({
      frame: new ort.Tensor('uint8', data, [frames.length, height, width, 3]),
    });
    return out.latent.data as Float32Array;
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
