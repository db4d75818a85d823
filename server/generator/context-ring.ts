/**
 * A session's context ring (MANIFEST.md, "Driving a session"): its last K elements,
 * oldest first, laid out as one row of the step graph's `context` input. What an element
 * is depends on the manifest format: format 1 keeps latents (start frames go through the
 * `encode` graph, each step appends its `latent` output); format 2 keeps the frames
 * themselves (start frames as they are, each step appends its `frame` output).
 */
import * as ort from 'onnxruntime-node';
import { Manifest } from './manifest';
import { ModelGraphs } from './model-graphs';

export type RingData = Float32Array | Uint8Array;

export class ContextRing {
  private constructor(
    /** K elements, oldest first. */
    readonly data: RingData,
    private readonly elementSize: number,
  ) {}

  /**
   * K elements from 1..K seeds (oldest first, one after another): fewer are padded by
   * repeating the oldest at the front, as the model was trained (`seed: "repeat-oldest"`).
   */
  static seeded(seeds: RingData, count: number, length: number): ContextRing {
    const elementSize = seeds.length / count;
    const data =
      seeds instanceof Float32Array
        ? new Float32Array(length * elementSize)
        : new Uint8Array(length * elementSize);
    const padding = length - count;
    for (let slot = 0; slot < length; slot++) {
      const source = Math.max(0, slot - padding);
      data.set(
        seeds.subarray(source * elementSize, (source + 1) * elementSize),
        slot * elementSize,
      );
    }
    return new ContextRing(data, elementSize);
  }

  /** A ring as `snapshot` left it: K elements, oldest first. */
  static restored(data: RingData, length: number): ContextRing {
    return new ContextRing(data, data.length / length);
  }

  /** Drops the oldest element and appends the newest: the ring never re-encodes a frame. */
  advance(newest: RingData): void {
    this.data.copyWithin(0, this.elementSize);
    this.data.set(newest, this.data.length - this.elementSize);
  }
}

/** How a model's format fills its rings. */
export interface RingSource {
  /** Ring elements of 1..K start frames (oldest first), one after another. */
  seeds(frames: readonly Uint8Array[]): Promise<RingData>;
  /** The step output that becomes each ring's newest element. */
  newest: 'latent' | 'frame';
}

export function ringSource(manifest: Manifest, graphs: ModelGraphs): RingSource {
  if (manifest.formatVersion !== 1)
    return { seeds: async (frames) => stack(frames), newest: 'frame' };
  const encode = graphs.encode!; // openGraphs opens it for format 1
  const { width, height } = manifest.frame;
  return {
    newest: 'latent',
    async seeds(frames) {
      const input = new ort.Tensor('uint8', stack(frames), [frames.length, height, width, 3]);
      const out = await encode.run({ frame: input });
      return out.latent.data as Float32Array;
    },
  };
}

function stack(frames: readonly Uint8Array[]): Uint8Array {
  const data = new Uint8Array(frames.reduce((sum, f) => sum + f.length, 0));
  let offset = 0;
  for (const frame of frames) {
    data.set(frame, offset);
    offset += frame.length;
  }
  return data;
}
