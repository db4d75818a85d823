/**
 * Pictures of an episode for people: a contact sheet (every Nth frame in a grid, each
 * with a strip showing the keys held) and an animated GIF at the engine's frame rate.
 */
import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import { PNG } from 'pngjs';
import { ACTION_KEYS } from '../engine/actions';
import { StepRecord } from './format';

type Rgb = readonly [number, number, number];

const BACKGROUND: Rgb = [24, 24, 28];
const KEY_OFF: Rgb = [60, 60, 68];
const KEY_ON: Rgb = [235, 235, 240];
/** Frame border when an instruction was applied since the previous tile. */
const INSTRUCTION_BORDER: Rgb = [255, 160, 20];
const BORDER = 2;
const STRIP = 6;

export interface SheetOptions {
  /** Take every Nth record (record 0 and the last are always shown). */
  every: number;
  columns: number;
}

/** Indices of the records a contact sheet shows. */
function sheetIndices(count: number, every: number): number[] {
  const picked = [];
  for (let i = 0; i < count; i += every) picked.push(i);
  if (picked[picked.length - 1] !== count - 1) picked.push(count - 1);
  return picked;
}

/**
 * A PNG grid of frames. Under each frame a strip has one cell per action key
 * (ACTION_KEYS order, lit when held); an orange border marks an instruction.
 */
export function contactSheet(
  records: readonly StepRecord[],
  size: { width: number; height: number },
  options: SheetOptions,
): Buffer {
  const picked = sheetIndices(records.length, options.every);
  const tileW = size.width + 2 * BORDER;
  const tileH = size.height + 2 * BORDER + STRIP;
  const columns = Math.min(options.columns, picked.length);
  const rows = Math.ceil(picked.length / columns);
  const png = new PNG({ width: columns * tileW, height: rows * tileH });
  fillRect(png, 0, 0, png.width, png.height, BACKGROUND);

  picked.forEach((index, k) => {
    const x0 = (k % columns) * tileW;
    const y0 = Math.floor(k / columns) * tileH;
    const since = k === 0 ? 0 : picked[k - 1] + 1;
    const instructed = records
      .slice(since, index + 1)
      .some((r) => r.instruction.some((t) => t > 0));
    if (instructed) fillRect(png, x0, y0, tileW, size.height + 2 * BORDER, INSTRUCTION_BORDER);
    blitRgb(png, records[index].frame, size, x0 + BORDER, y0 + BORDER);
    drawKeyStrip(
      png,
      records[index].action,
      x0 + BORDER,
      y0 + 2 * BORDER + size.height,
      size.width,
    );
  });
  return PNG.sync.write(png);
}

function drawKeyStrip(png: PNG, action: number, x0: number, y0: number, width: number): void {
  const cell = width / ACTION_KEYS.length;
  ACTION_KEYS.forEach((_, i) => {
    const color = action & (1 << i) ? KEY_ON : KEY_OFF;
    const left = Math.round(x0 + i * cell);
    // One pixel gap between cells so adjacent lit keys stay distinguishable.
    fillRect(png, left, y0, Math.round(x0 + (i + 1) * cell) - left - 1, STRIP - 2, color);
  });
}

function fillRect(png: PNG, x0: number, y0: number, w: number, h: number, [r, g, b]: Rgb): void {
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const at = (y * png.width + x) * 4;
      png.data[at] = r;
      png.data[at + 1] = g;
      png.data[at + 2] = b;
      png.data[at + 3] = 255;
    }
  }
}

function blitRgb(
  png: PNG,
  rgb: Uint8Array,
  size: { width: number; height: number },
  x0: number,
  y0: number,
): void {
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const from = (y * size.width + x) * 3;
      const to = ((y0 + y) * png.width + x0 + x) * 4;
      png.data[to] = rgb[from];
      png.data[to + 1] = rgb[from + 1];
      png.data[to + 2] = rgb[from + 2];
      png.data[to + 3] = 255;
    }
  }
}

/** An animated GIF of every frame, looping, with a palette per frame (transitions change colours a lot). */
export function animatedGif(
  frames: readonly Uint8Array[],
  size: { width: number; height: number },
  fps: number,
): Uint8Array {
  const gif = GIFEncoder();
  const rgba = new Uint8Array(size.width * size.height * 4);
  for (const frame of frames) {
    for (let p = 0, q = 0; p < frame.length; p += 3, q += 4) {
      rgba[q] = frame[p];
      rgba[q + 1] = frame[p + 1];
      rgba[q + 2] = frame[p + 2];
      rgba[q + 3] = 255;
    }
    const palette = quantize(rgba, 256);
    gif.writeFrame(applyPalette(rgba, palette), size.width, size.height, {
      palette,
      delay: Math.round(1000 / fps),
    });
  }
  gif.finish();
  return gif.bytes();
}
