/**
 * The open world: a toroidal height map with biomes, lakes and trees, generated once
 * from a seed. Everything the renderer and the physics need is precomputed here into
 * flat typed arrays indexed by `y * WORLD_SIZE + x`.
 */
import { Biome, INSTRUCTION_SLOTS } from './instructions';
import { hash3, hashUnit, Rng, smoothstep } from './det-math';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { abs, floor, max, min, round } = Math;
const INFINITY = 1 / 0;

export const WORLD_SIZE = 512;
export const WORLD_MASK = WORLD_SIZE - 1;
/** Height of the still water surface (lakes), in world units (1 unit = 1 cell). */
export const SEA_LEVEL = 11;

export const BIOMES = INSTRUCTION_SLOTS.biome;
const BIOME_SEEDS_PER_KIND = 4;

/** Per-biome shaping: relief amplitude, base elevation, and ground colors (low, high). */
const BIOME_LOOK: Record<Biome, { relief: number; base: number; low: Rgb; high: Rgb }> = {
  forest: { relief: 22, base: 6, low: [46, 102, 40], high: [70, 112, 52] },
  desert: { relief: 9, base: 8, low: [222, 190, 120], high: [200, 160, 98] },
  snowfield: { relief: 34, base: 8, low: [226, 232, 240], high: [250, 252, 255] },
  grassland: { relief: 14, base: 4, low: [104, 168, 64], high: [140, 180, 80] },
};
type Rgb = [number, number, number];

export interface World {
  readonly seed: number;
  /** Walkable surface height (terrain plus trees/cacti), per cell. */
  readonly height: Float32Array;
  /** Lit daylight color per cell, RGB. */
  readonly color: Uint8Array;
  /** Index into BIOMES per cell. */
  readonly biome: Uint8Array;
  /** Land cells of each biome, for travel instructions: a few candidates per biome. */
  readonly landmarks: Record<Biome, Array<{ x: number; y: number }>>;
}

export function generateWorld(seed: number): World {
  const rng = new Rng(hash3(seed, 0x5eed, 1));
  const biome = biomeMap(rng, seed);
  const relief = blurredBiomeField(biome, (b) => BIOME_LOOK[BIOMES[b]].relief);
  const base = blurredBiomeField(biome, (b) => BIOME_LOOK[BIOMES[b]].base);
  const height = new Float32Array(WORLD_SIZE * WORLD_SIZE);
  const ground = new Float32Array(WORLD_SIZE * WORLD_SIZE);
  for (let y = 0; y < WORLD_SIZE; y++) {
    for (let x = 0; x < WORLD_SIZE; x++) {
      const i = y * WORLD_SIZE + x;
      ground[i] = base[i] + relief[i] * fractalNoise(x, y, seed);
      height[i] = ground[i];
    }
  }
  placeProps(height, ground, biome, seed);
  return {
    seed,
    height,
    biome,
    color: shadeColors(height, ground, biome, seed),
    landmarks: findLandmarks(height, ground, biome),
  };
}

/** Voronoi biomes with jittered borders: every biome is guaranteed to exist. */
function biomeMap(rng: Rng, seed: number): Uint8Array {
  const points: Array<{ x: number; y: number; kind: number }> = [];
  for (let kind = 0; kind < BIOMES.length; kind++) {
    for (let n = 0; n < BIOME_SEEDS_PER_KIND; n++) {
      points.push({ x: rng.range(0, WORLD_SIZE), y: rng.range(0, WORLD_SIZE), kind });
    }
  }
  const map = new Uint8Array(WORLD_SIZE * WORLD_SIZE);
  for (let y = 0; y < WORLD_SIZE; y++) {
    for (let x = 0; x < WORLD_SIZE; x++) {
      // Warp the lookup point so borders wander instead of being straight lines.
      const wx =
        x +
        90 * (valueNoise(x, y, 128, seed + 11) - 0.5) +
        24 * (valueNoise(x, y, 32, seed + 13) - 0.5);
      const wy =
        y +
        90 * (valueNoise(x, y, 128, seed + 12) - 0.5) +
        24 * (valueNoise(x, y, 32, seed + 14) - 0.5);
      let best = INFINITY;
      let kind = 0;
      for (const p of points) {
        const d = torusDistanceSq(wx, wy, p.x, p.y);
        if (d < best) {
          best = d;
          kind = p.kind;
        }
      }
      map[y * WORLD_SIZE + x] = kind;
    }
  }
  return map;
}

/** A per-biome value, box-blurred so that heights blend smoothly across borders. */
function blurredBiomeField(biome: Uint8Array, value: (kind: number) => number): Float32Array {
  const field = new Float32Array(biome.length);
  for (let i = 0; i < biome.length; i++) field[i] = value(biome[i]);
  const radius = 12;
  const tmp = new Float32Array(field.length);
  for (let pass = 0; pass < 2; pass++) {
    boxBlurAxis(field, tmp, radius, 1, WORLD_SIZE);
    boxBlurAxis(tmp, field, radius, WORLD_SIZE, 1);
  }
  return field;
}

/** One blur pass along an axis: `step` walks the axis, `lane` walks across it. */
function boxBlurAxis(src: Float32Array, dst: Float32Array, r: number, step: number, lane: number) {
  const norm = 1 / (2 * r + 1);
  for (let l = 0; l < WORLD_SIZE; l++) {
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += src[l * lane + (k & WORLD_MASK) * step];
    for (let k = 0; k < WORLD_SIZE; k++) {
      dst[l * lane + k * step] = sum * norm;
      sum +=
        src[l * lane + ((k + r + 1) & WORLD_MASK) * step] -
        src[l * lane + ((k - r) & WORLD_MASK) * step];
    }
  }
}

/** Smooth value noise in [0, 1] that tiles with the world (period divides WORLD_SIZE). */
export function valueNoise(x: number, y: number, period: number, seed: number): number {
  const fx = x / period;
  const fy = y / period;
  const ix = floor(fx);
  const iy = floor(fy);
  const tx = smoothstep(fx - ix);
  const ty = smoothstep(fy - iy);
  const cells = WORLD_SIZE / period;
  const x0 = ((ix % cells) + cells) % cells;
  const y0 = ((iy % cells) + cells) % cells;
  const x1 = (x0 + 1) % cells;
  const y1 = (y0 + 1) % cells;
  const a = hashUnit(x0, y0, seed);
  const b = hashUnit(x1, y0, seed);
  const c = hashUnit(x0, y1, seed);
  const d = hashUnit(x1, y1, seed);
  const top = a + (b - a) * tx;
  const bottom = c + (d - c) * tx;
  return top + (bottom - top) * ty;
}

function fractalNoise(x: number, y: number, seed: number): number {
  let sum = 0;
  let amp = 1;
  let norm = 0;
  for (let period = 128; period >= 8; period /= 2) {
    sum += amp * valueNoise(x, y, period, seed + period);
    norm += amp;
    amp *= 0.5;
  }
  return sum / norm;
}

/** Trees in forests, cacti in deserts, boulders in snow: raise the walkable height. */
function placeProps(height: Float32Array, ground: Float32Array, biome: Uint8Array, seed: number) {
  const forest = BIOMES.indexOf('forest');
  const desert = BIOMES.indexOf('desert');
  const snow = BIOMES.indexOf('snowfield');
  for (let y = 0; y < WORLD_SIZE; y += 2) {
    for (let x = 0; x < WORLD_SIZE; x += 2) {
      const i = y * WORLD_SIZE + x;
      if (ground[i] <= SEA_LEVEL + 0.5) continue;
      const roll = hashUnit(x, y, seed + 77);
      const kind = biome[i];
      if (kind === forest && roll < 0.08)
        raiseBlock(height, x, y, 1, 2.5 + 2.5 * hashUnit(x, y, seed + 78));
      else if (kind === desert && roll < 0.012) raiseBlock(height, x, y, 1, 3);
      else if (kind === snow && roll < 0.01) raiseBlock(height, x, y, 3, 1);
    }
  }
}

function raiseBlock(height: Float32Array, x: number, y: number, size: number, amount: number) {
  for (let dy = 0; dy < size; dy++) {
    for (let dx = 0; dx < size; dx++) {
      height[((y + dy) & WORLD_MASK) * WORLD_SIZE + ((x + dx) & WORLD_MASK)] += amount;
    }
  }
}

/** Bakes biome color, props, speckle and slope lighting (sun from the north-west). */
function shadeColors(height: Float32Array, ground: Float32Array, biome: Uint8Array, seed: number) {
  const color = new Uint8Array(WORLD_SIZE * WORLD_SIZE * 3);
  for (let y = 0; y < WORLD_SIZE; y++) {
    for (let x = 0; x < WORLD_SIZE; x++) {
      const i = y * WORLD_SIZE + x;
      const kind = BIOMES[biome[i]];
      const look = BIOME_LOOK[kind];
      const prop = height[i] - ground[i];
      const t = min(1, max(0, (ground[i] - look.base) / (look.relief + 1)));
      let rgb: Rgb = [
        look.low[0] + (look.high[0] - look.low[0]) * t,
        look.low[1] + (look.high[1] - look.low[1]) * t,
        look.low[2] + (look.high[2] - look.low[2]) * t,
      ];
      if (prop > 0) rgb = propColor(kind, x, y, seed);
      else if (ground[i] < SEA_LEVEL + 0.6) rgb = [196, 184, 140]; // shore sand
      const west = height[y * WORLD_SIZE + ((x - 1) & WORLD_MASK)];
      const north = height[((y - 1) & WORLD_MASK) * WORLD_SIZE + x];
      const slope = height[i] - west + (height[i] - north);
      const light = min(1.3, max(0.5, 1 + 0.25 * slope)) * (0.92 + 0.16 * hashUnit(x, y, seed + 5));
      for (let c = 0; c < 3; c++) color[i * 3 + c] = min(255, max(0, round(rgb[c] * light)));
    }
  }
  return color;
}

function propColor(kind: Biome, x: number, y: number, seed: number): Rgb {
  const v = hashUnit(x >> 1, y >> 1, seed + 9);
  if (kind === 'forest') return [20 + 20 * v, 70 + 30 * v, 26];
  if (kind === 'desert') return [60, 130, 60];
  return [120 + 20 * v, 118 + 20 * v, 112];
}

/**
 * Dry cells of each biome spread over the world, for `biome=...` travel: a coarse grid
 * first, refined for any biome the coarse grid missed (every biome exists by design).
 */
function findLandmarks(
  height: Float32Array,
  ground: Float32Array,
  biome: Uint8Array,
): World['landmarks'] {
  const landmarks = { forest: [], desert: [], snowfield: [], grassland: [] } as World['landmarks'];
  for (const spacing of [32, 8, 1]) {
    for (let y = spacing >> 1; y < WORLD_SIZE; y += spacing) {
      for (let x = spacing >> 1; x < WORLD_SIZE; x += spacing) {
        const i = y * WORLD_SIZE + x;
        const list = landmarks[BIOMES[biome[i]]];
        const clear = height[i] === ground[i] && ground[i] > SEA_LEVEL + 1;
        if (clear && (spacing === 32 || list.length === 0)) list.push({ x: x + 0.5, y: y + 0.5 });
      }
    }
    if (Object.values(landmarks).every((list) => list.length > 0)) break;
  }
  return landmarks;
}

export function torusDistanceSq(ax: number, ay: number, bx: number, by: number): number {
  let dx = abs(ax - bx);
  let dy = abs(ay - by);
  if (dx > WORLD_SIZE / 2) dx = WORLD_SIZE - dx;
  if (dy > WORLD_SIZE / 2) dy = WORLD_SIZE - dy;
  return dx * dx + dy * dy;
}

/** Bilinear surface height at a continuous position (wraps around the torus). */
export function surfaceHeight(world: World, x: number, y: number): number {
  const ix = floor(x);
  const iy = floor(y);
  const tx = x - ix;
  const ty = y - iy;
  const x0 = ix & WORLD_MASK;
  const y0 = iy & WORLD_MASK;
  const x1 = (ix + 1) & WORLD_MASK;
  const y1 = (iy + 1) & WORLD_MASK;
  const h = world.height;
  const top = h[y0 * WORLD_SIZE + x0] + (h[y0 * WORLD_SIZE + x1] - h[y0 * WORLD_SIZE + x0]) * tx;
  const bottom = h[y1 * WORLD_SIZE + x0] + (h[y1 * WORLD_SIZE + x1] - h[y1 * WORLD_SIZE + x0]) * tx;
  return top + (bottom - top) * ty;
}

export function biomeAt(world: World, x: number, y: number): Biome {
  return BIOMES[world.biome[(floor(y) & WORLD_MASK) * WORLD_SIZE + (floor(x) & WORLD_MASK)]];
}
