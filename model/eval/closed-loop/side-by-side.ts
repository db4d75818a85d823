/**
 * Pictures of a closed-loop play for people: the engine's frame and the generator's
 * side by side (engine left), kept every CLIP_EVERY-th frame, written as an animated
 * GIF at that reduced rate and as a contact sheet (model/dataset/preview.ts: a tile
 * every SHEET_SECONDS, the held keys under it, an orange border where an instruction
 * was given since the previous tile).
 */
import * as fs from 'node:fs';
import { ENGINE_FPS } from '../../engine/engine';
import { INSTRUCTION_SLOTS, SLOT_NAMES } from '../../engine/instructions';
import { StepRecord } from '../../dataset/format';
import { animatedGif, contactSheet } from '../../dataset/preview';
import type { FrameSize } from '../image-metrics';
import { TickInput } from '../rollouts';
import { FrameSink } from './play';

export const CLIP_EVERY = 4;
const SHEET_SECONDS = 2;
const SHEET_COLUMNS = 5;
/** A dark column between the two pictures. */
const GAP = 2;

export class SideBySide {
  /** StepRecord-shaped so the dataset preview's sheet can draw them. */
  private readonly records: StepRecord[] = [];
  private readonly pending = new Uint8Array(SLOT_NAMES.length);
  readonly size: FrameSize;

  constructor(
    private readonly frame: FrameSize,
    /** The play whose frames are kept. */
    private readonly play: number,
  ) {
    this.size = { width: 2 * frame.width + GAP, height: frame.height };
  }

  readonly sink: FrameSink = (play, frame, engine, model, input) => {
    if (play !== this.play) return;
    this.note(input);
    if (frame % CLIP_EVERY !== 0) return;
    this.records.push({
      episode: 0,
      step: frame,
      motion: { forward: 0, right: 0, yaw: 0, up: 0 },
      action: input.action,
      changed: 0,
      instruction: this.pending.slice(),
      environment: new Uint8Array(SLOT_NAMES.length),
      frame: this.join(engine, model),
    });
    this.pending.fill(0);
  };

  /** Writes PREFIX.gif and PREFIX.png; returns their paths. */
  write(prefix: string): string[] {
    const gif = `${prefix}.gif`;
    const png = `${prefix}.png`;
    fs.writeFileSync(
      gif,
      animatedGif(
        this.records.map((r) => r.frame),
        this.size,
        ENGINE_FPS / CLIP_EVERY,
      ),
    );
    const every = (SHEET_SECONDS * ENGINE_FPS) / CLIP_EVERY;
    fs.writeFileSync(png, contactSheet(this.records, this.size, { every, columns: SHEET_COLUMNS }));
    return [gif, png];
  }

  /** Instructions given since the last kept frame, as the dataset's per-slot tokens. */
  private note(input: TickInput): void {
    for (const i of input.instructions) {
      const values = INSTRUCTION_SLOTS[i.slot] as readonly string[];
      this.pending[SLOT_NAMES.indexOf(i.slot)] = values.indexOf(i.value) + 1;
    }
  }

  private join(engine: Uint8Array, model: Uint8Array): Uint8Array {
    const { width: W, height: H } = this.frame;
    const out = new Uint8Array(this.size.width * H * 3);
    for (let y = 0; y < H; y++) {
      out.set(engine.subarray(y * W * 3, (y + 1) * W * 3), y * this.size.width * 3);
      out.set(model.subarray(y * W * 3, (y + 1) * W * 3), (y * this.size.width + W + GAP) * 3);
    }
    return out;
  }
}
