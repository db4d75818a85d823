/**
 * One session's video encoder: RGB frames in, one encoded frame out per frame, with
 * keyframes exactly when asked. Wraps @napi-rs/webcodecs (FFmpeg's libvpx and libx264
 * inside the addon, on its own thread), so no process hop and no buffering beyond the
 * frame being encoded: latencyMode 'realtime' means libvpx deadline=realtime and x264
 * superfast+zerolatency (no B-frames, no lookahead).
 */
import { VideoEncoder, VideoFrame, type EncodedVideoChunk } from '@napi-rs/webcodecs';
import { encoderCodecString, type VideoCodec } from './codecs';

export interface FrameEncoderOptions {
  codec: VideoCodec;
  width: number;
  height: number;
  fps: number;
  /** Target bits per second (default: see defaultBitrate). */
  bitrate?: number;
  /** How long a frame may take before the encoder counts as stalled (default 1000 ms). */
  timeoutMs?: number;
}

export interface EncodedFrame {
  /** VP8 frame, or H.264 access unit in Annex B (start codes between NAL units). */
  data: Uint8Array;
  keyFrame: boolean;
}

export class EncoderError extends Error {
  override readonly name = 'EncoderError';
}

/**
 * About 0.5 bit per pixel at 128x128 and 20 fps (~160 kbit/s); tiny frames need more
 * bits per pixel than camera video to stay sharp, and WebRTC's own ramp-up starts near
 * 300 kbit/s, so anything in this range reaches the viewer without waiting for BWE.
 */
export function defaultBitrate(width: number, height: number, fps: number): number {
  return Math.min(4_000_000, Math.max(150_000, Math.round(width * height * fps * 0.5)));
}

interface Pending {
  resolve(frame: EncodedFrame): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class FrameEncoder {
  private static open = 0;
  readonly codec: VideoCodec;
  readonly width: number;
  readonly height: number;
  readonly bitrate: number;
  private readonly encoder: VideoEncoder;
  private readonly rgbx: Uint8Array;
  private readonly timeoutMs: number;
  /** Keyed by the frame's timestamp (µs): an output is matched to its own frame, never to the next one. */
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;
  private closed = false;

  constructor(options: FrameEncoderOptions) {
    const { codec, width, height, fps } = options;
    if (!(width > 0 && height > 0 && width % 2 === 0 && height % 2 === 0)) {
      throw new EncoderError(
        `frame size must be positive and even (4:2:0), got ${width}x${height}`,
      );
    }
    this.codec = codec;
    this.width = width;
    this.height = height;
    this.bitrate = options.bitrate ?? defaultBitrate(width, height, fps);
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.rgbx = new Uint8Array(width * height * 4).fill(255);
    this.encoder = new VideoEncoder({
      output: (chunk) => this.onOutput(chunk),
      error: (error) => this.fail(new EncoderError(`${codec} encoder failed: ${error.message}`)),
    });
    this.encoder.configure({
      codec: encoderCodecString(codec),
      width,
      height,
      framerate: fps,
      bitrate: this.bitrate,
      bitrateMode: 'constant',
      latencyMode: 'realtime',
      ...(codec === 'h264' ? { avc: { format: 'annexb' as const } } : {}),
    });
    FrameEncoder.open++;
  }

  /** Encoders created and not yet closed in this process (leak checks, metrics). */
  static get openCount(): number {
    return FrameEncoder.open;
  }

  /**
   * Encodes one RGB frame (width * height * 3 bytes); resolves with its encoded form. An
   * encoder that reported an error or produced nothing within `timeoutMs` is done: it
   * rejects every later frame too (`failed`), and its owner replaces it.
   */
  async encode(rgb: Uint8Array, timestampUs: number, keyFrame: boolean): Promise<EncodedFrame> {
    if (this.closed) throw new EncoderError('encoder is closed');
    if (this.failure) throw this.failure;
    const expected = this.width * this.height * 3;
    if (rgb.length !== expected) {
      throw new EncoderError(
        `expected an RGB frame of ${this.width}x${this.height}x3 = ${expected} bytes, got ${rgb.length}`,
      );
    }
    if (this.pending.has(timestampUs)) {
      throw new EncoderError(`a frame with timestamp ${timestampUs} µs is already being encoded`);
    }
    rgbToRgbx(rgb, this.rgbx);
    const frame = new VideoFrame(this.rgbx, {
      format: 'RGBX',
      codedWidth: this.width,
      codedHeight: this.height,
      timestamp: timestampUs,
    });
    const output = this.outputOf(timestampUs);
    try {
      this.encoder.encode(frame, { keyFrame });
    } catch (error) {
      this.forget(timestampUs);
      throw error;
    } finally {
      frame.close();
    }
    return output;
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    FrameEncoder.open--;
    this.rejectAll(new EncoderError('encoder closed'));
    this.encoder.close();
  }

  private outputOf(timestampUs: number): Promise<EncodedFrame> {
    return new Promise<EncodedFrame>((resolve, reject) => {
      const stalled = `no encoded output for the frame at ${timestampUs} µs within ${this.timeoutMs} ms`;
      const timer = setTimeout(() => this.fail(new EncoderError(stalled)), this.timeoutMs);
      this.pending.set(timestampUs, { resolve, reject, timer });
    });
  }

  private forget(timestampUs: number): void {
    const pending = this.pending.get(timestampUs);
    if (pending) clearTimeout(pending.timer);
    this.pending.delete(timestampUs);
  }

  private onOutput(chunk: EncodedVideoChunk): void {
    const pending = this.pending.get(chunk.timestamp);
    if (!pending) return; // Timed out or closed: nobody waits for it any more.
    this.forget(chunk.timestamp);
    const data = new Uint8Array(chunk.byteLength);
    chunk.copyTo(data);
    pending.resolve({ data, keyFrame: chunk.type === 'key' });
  }

  private fail(error: Error): void {
    this.failure = error;
    this.rejectAll(error);
  }

  private rejectAll(error: Error): void {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(error);
    }
    this.pending.clear();
  }
}

/**
 * WebCodecs has no packed 24-bit format; RGBX is the cheapest one it converts to
 * I420 itself. `out` keeps X = 255 from its creation, so only three bytes per pixel
 * are written. (Plain indexing only: this loop runs per pixel per frame.)
 */
function rgbToRgbx(rgb: Uint8Array, out: Uint8Array): void {
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    out[j] = rgb[i];
    out[j + 1] = rgb[i + 1];
    out[j + 2] = rgb[i + 2];
  }
}
