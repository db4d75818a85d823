/**
 * The learned generator as a frame source (the server's default). A session starts from
 * its video prompt, from text (the model's start graph draws the first frame), or else
 * from the engine's first frame of its world seed, so a named session opens on the same
 * scene with either source.
 */
import { Engine, environmentInstructions } from '../../model/engine/engine';
import {
  FrameRequest,
  FrameSource,
  SessionStart,
  StartNotSupportedError,
  UnknownSessionError,
} from './frame-source';
import { GeneratorRuntime } from './generator-runtime';
import type { Instruction, Vocabulary } from '../protocol/vocabulary';

export class GeneratorFrameSource implements FrameSource {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly vocabulary: Vocabulary;
  readonly startsFrom: { readonly prompt: boolean; readonly text: boolean };
  /** Floating point across machines and batch sizes: close, not byte-identical. */
  readonly deterministic = false;
  private readonly frames = new Map<string, Uint8Array>();

  constructor(private readonly runtime: GeneratorRuntime) {
    const { name, version, frame } = runtime.manifest;
    this.name = `generator:${name}@${version}`;
    this.width = frame.width;
    this.height = frame.height;
    this.vocabulary = runtime.vocabulary;
    this.startsFrom = { prompt: true, text: runtime.startsFromText };
  }

  async open(sessionId: string, start: SessionStart): Promise<void> {
    // A resumed session knows what its text start showed; a seed's start environment would
    // cost a world generation at failover, so those slots are read from the frame until
    // instructed (as before any past tick instructed them).
    if (start.resume) return this.restore(sessionId, start.resume, start.text ?? []);
    if (start.prompt) return this.openFrom(sessionId, start.prompt, [], []);
    if (start.text) {
      const frame = await this.textFrame(start.text);
      return this.openFrom(sessionId, [frame], start.text, start.text);
    }
    // The engine's first frame of the seed: its weather, time and event are known, and
    // each slot's first instruction replaces them.
    const engine = new Engine({ seed: start.seed, width: this.width, height: this.height });
    const showing = environmentInstructions(engine.environment());
    return this.openFrom(sessionId, [engine.render()], [], showing);
  }

  private async openFrom(
    sessionId: string,
    frames: readonly Uint8Array[],
    shown: readonly Instruction[],
    showing: readonly Instruction[],
  ): Promise<void> {
    await this.runtime.open(sessionId, frames, shown, showing);
    this.frames.set(sessionId, frames[frames.length - 1]);
  }

  /** The current frame, then the context ring's bytes (float32 rings as their raw bytes). */
  snapshot(sessionId: string): Uint8Array {
    const ring = this.runtime.snapshot(sessionId);
    const ringBytes = new Uint8Array(ring.buffer, ring.byteOffset, ring.byteLength);
    return Buffer.concat([this.current(sessionId), ringBytes]);
  }

  private restore(
    sessionId: string,
    resume: NonNullable<SessionStart['resume']>,
    showing: readonly Instruction[],
  ): void {
    const frameSize = this.width * this.height * 3;
    const frame = resume.snapshot.slice(0, frameSize);
    const ringBytes = resume.snapshot.slice(frameSize);
    const ring =
      this.runtime.contextDtype === 'float32' ? new Float32Array(ringBytes.buffer) : ringBytes;
    this.runtime.restore(sessionId, ring, resume.past, showing);
    this.frames.set(sessionId, frame);
  }

  private textFrame(text: readonly Instruction[]): Promise<Uint8Array> {
    if (!this.runtime.startsFromText)
      throw new StartNotSupportedError(`the model ${this.name} cannot start from text`);
    return this.runtime.firstFrame(text);
  }

  async step(requests: readonly FrameRequest[]): Promise<Uint8Array[]> {
    const frames = await this.runtime.step(requests);
    requests.forEach((r, i) => this.frames.set(r.sessionId, frames[i]));
    return frames;
  }

  current(sessionId: string): Uint8Array {
    const frame = this.frames.get(sessionId);
    if (!frame) throw new UnknownSessionError(sessionId);
    return frame;
  }

  close(sessionId: string): void {
    this.frames.delete(sessionId);
    this.runtime.close(sessionId);
  }

  release(): Promise<void> {
    return this.runtime.release();
  }
}
