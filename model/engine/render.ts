/**
 * The renderer: a voxel-space terrain ray caster (one ray per column, front to back,
 * with a per-pixel depth buffer), a sky that follows time of day, distance fog, the
 * player sprite, event billboards (fire, tornado) and weather particles.
 * Each frame is a pure function of the scene, so the engine stays deterministic.
 */
import { hashUnit, sin, wrapAngle } from './det-math';
import { Blend, Environment } from './environment';
import { Character, INSTRUCTION_SLOTS, TimeOfDay } from './instructions';
import { EVENT_LOOK, Rgb, SKY_BODY, TIME_LOOK, WEATHER_LOOK } from './look';
import { forwardVector, PlayerState } from './player';
import { SPRITES } from './sprites';
import { surfaceHeight, World, WORLD_MASK, WORLD_SIZE } from './world';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { abs, ceil, floor, max, min, round } = Math;
const INFINITY = 1 / 0;

/** Camera sits this far behind the player and this high above the player's ground. */
export const CAMERA_BACK = 7;
export const CAMERA_UP = 3.6;
export const CHARACTER_HEIGHT = 2.1;
const FAR = 170;
const FIRE_FLAMES = 7;

export interface Scene {
  world: World;
  env: Environment;
  player: PlayerState;
  /** Player's ground (surface or water), without jump lift. */
  playerGround: number;
  cameraHeight: number;
  waterLevel: number;
  tick: number;
  /** Where the current event was started (fires and the tornado are placed from it). */
  eventOrigin: { x: number; y: number; yaw: number };
}

type Pixels = Uint8ClampedArray;

interface Frame {
  skyTop: number[];
  skyHorizon: number[];
  light: number[];
  fog: number[];
  fogEnd: number;
  snowCover: number;
}

export class Renderer {
  readonly focal: number;
  readonly horizon: number;
  private readonly depth: Float32Array;
  private readonly top: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.focal = width * 0.8;
    this.horizon = round(height * 0.36);
    this.depth = new Float32Array(width * height);
    this.top = new Float32Array(width);
  }

  /** Renders into `out` (RGB bytes); drawing goes through a clamped view so colors saturate. */
  render(scene: Scene, out: Uint8Array): Uint8Array {
    const pixels = new Uint8ClampedArray(out.buffer, out.byteOffset, out.length);
    this.paint(scene, pixels);
    return out;
  }

  private paint(scene: Scene, out: Pixels): void {
    const frame = this.frameLook(scene.env);
    this.drawTerrain(scene, frame, out);
    this.drawSky(scene, frame, out);
    this.drawEvents(scene, out);
    this.drawCharacter(scene, out);
    this.drawWeather(scene, out);
    this.fadeForTravel(scene.env.travelFade(), out);
  }

  /** Mixes palettes by the current transition weights. */
  private frameLook(env: Environment): Frame {
    const mixTime = (pick: (l: (typeof TIME_LOOK)[TimeOfDay]) => Rgb, c: number) =>
      env.time.mix((t) => pick(TIME_LOOK[t])[c]);
    const overcast = env.weather.mix((w) => WEATHER_LOOK[w].overcast);
    const overcastColor = [0, 1, 2].map((c) =>
      env.weather.mix((w) => WEATHER_LOOK[w].overcastColor[c]),
    );
    const tint = env.event.mix((e) => EVENT_LOOK[e].tint);
    const tintColor = [0, 1, 2].map((c) =>
      env.event.mix((e) => EVENT_LOOK[e].tintColor[c] * EVENT_LOOK[e].tint),
    );
    const light = [0, 1, 2].map((c) => mixTime((l) => l.light, c));
    const dim = env.weather.mix((w) => WEATHER_LOOK[w].dim);
    const brightness = (light[0] + light[1] + light[2]) / 3;
    const weatherSky = (base: number, c: number) => {
      const withWeather = base + (overcastColor[c] * brightness - base) * overcast;
      return tint > 0
        ? withWeather + (tintColor[c] / tint - withWeather) * tint * 0.8
        : withWeather;
    };
    const skyTop = [0, 1, 2].map((c) =>
      weatherSky(
        mixTime((l) => l.skyTop, c),
        c,
      ),
    );
    const skyHorizon = [0, 1, 2].map((c) =>
      weatherSky(
        mixTime((l) => l.skyHorizon, c),
        c,
      ),
    );
    return {
      skyTop,
      skyHorizon,
      light: light.map((l) => l * dim),
      fog: skyHorizon,
      fogEnd: env.weather.mix((w) => WEATHER_LOOK[w].fogEnd),
      snowCover: 0.6 * env.weather.weight('snow'),
    };
  }

  private drawTerrain(scene: Scene, frame: Frame, out: Pixels): void {
    const { width: W, height: H, focal, horizon, depth, top } = this;
    const { world, player, cameraHeight: camH, waterLevel, tick } = scene;
    const { fx, fy } = forwardVector(player.yaw);
    const rx = -fy;
    const ry = fx;
    const camX = player.x - fx * CAMERA_BACK;
    const camY = player.y - fy * CAMERA_BACK;
    const heights = world.height;
    const colors = world.color;
    const [lr, lg, lb] = frame.light;
    const [fogR, fogG, fogB] = frame.fog;
    const snow = frame.snowCover;
    const flood = scene.env.event.weight('flood');
    top.fill(H);
    depth.fill(INFINITY);

    let dz = 0.25;
    for (let z = 1; z < FAR; z += dz, dz *= 1.03) {
      const fogT = min(1, z / frame.fogEnd);
      const fogK = fogT * fogT;
      const keep = 1 - fogK;
      // The row of world points at depth z, from the left screen edge to the right.
      const u0 = (0.5 - W / 2) / focal;
      let px = camX + z * (fx + rx * u0);
      let py = camY + z * (fy + ry * u0);
      const stepX = (z * rx) / focal;
      const stepY = (z * ry) / focal;
      const scale = focal / z;
      for (let col = 0; col < W; col++, px += stepX, py += stepY) {
        const cx = floor(px) & WORLD_MASK;
        const cy = floor(py) & WORLD_MASK;
        const cell = cy * WORLD_SIZE + cx;
        let h = heights[cell];
        const water = h < waterLevel;
        if (water) h = waterLevel;
        const rowF = horizon + (camH - h) * scale;
        if (rowF >= top[col]) continue;
        let r: number, g: number, b: number;
        if (water) {
          const shimmer = 0.85 + 0.3 * hashUnit(cx >> 1, cy >> 1, tick >> 2);
          // Flood water is murkier than lake water.
          r = (40 + 30 * flood + 0.25 * fogR) * shimmer;
          g = (90 + 20 * flood + 0.25 * fogG) * shimmer;
          b = (170 - 20 * flood + 0.25 * fogB) * shimmer;
        } else {
          r = colors[cell * 3];
          g = colors[cell * 3 + 1];
          b = colors[cell * 3 + 2];
          if (snow > 0) {
            r += (245 - r) * snow;
            g += (248 - g) * snow;
            b += (255 - b) * snow;
          }
        }
        r = r * lr * keep + fogR * fogK;
        g = g * lg * keep + fogG * fogK;
        b = b * lb * keep + fogB * fogK;
        const from = rowF < 0 ? 0 : ceil(rowF);
        for (let row = from; row < top[col]; row++) {
          const p = row * W + col;
          depth[p] = z;
          out[p * 3] = r;
          out[p * 3 + 1] = g;
          out[p * 3 + 2] = b;
        }
        top[col] = from;
      }
    }
  }

  /** Fills every pixel the terrain left uncovered: gradient, stars, sun or moon. */
  private drawSky(scene: Scene, frame: Frame, out: Pixels): void {
    const { width: W, horizon, top, focal } = this;
    const env = scene.env;
    const yaw = scene.player.yaw;
    const stars =
      env.time.mix((t) => TIME_LOOK[t].stars) *
      (1 - env.weather.mix((w) => WEATHER_LOOK[w].overcast));
    for (let col = 0; col < W; col++) {
      // Azimuth of this column, so stars stay fixed in the world while the camera turns.
      const azimuth = wrapAngle(yaw - (col + 0.5 - W / 2) / focal);
      const starColumn = floor((azimuth + Math.PI) * 60);
      for (let row = 0; row < top[col]; row++) {
        const t = min(1, row / horizon);
        const p = (row * W + col) * 3;
        let r = frame.skyTop[0] + (frame.skyHorizon[0] - frame.skyTop[0]) * t;
        let g = frame.skyTop[1] + (frame.skyHorizon[1] - frame.skyTop[1]) * t;
        let b = frame.skyTop[2] + (frame.skyHorizon[2] - frame.skyTop[2]) * t;
        if (stars > 0 && hashUnit(starColumn, row, 31) < 0.012 * stars) {
          r = g = b = 230;
        }
        out[p] = r;
        out[p + 1] = g;
        out[p + 2] = b;
      }
    }
    this.drawSkyBodies(env.time, yaw, out);
  }

  private drawSkyBodies(time: Blend<TimeOfDay>, yaw: number, out: Pixels): void {
    const { width: W, horizon, top, focal } = this;
    for (const value of time.values) {
      const alpha = time.weight(value);
      if (alpha <= 0) continue;
      const body = SKY_BODY[value];
      const cx = W / 2 - wrapAngle(body.yaw - yaw) * focal;
      const cy = horizon * (1 - body.elevation);
      const radius = body.radius * W;
      for (let row = max(0, floor(cy - radius)); row <= cy + radius; row++) {
        for (let col = max(0, floor(cx - radius)); col <= min(W - 1, cx + radius); col++) {
          const dx = col + 0.5 - cx;
          const dy = row + 0.5 - cy;
          if (dx * dx + dy * dy > radius * radius || row >= top[col]) continue;
          blendPixel(out, row * W + col, body.color, alpha);
        }
      }
    }
  }

  /** Projects a world point to the screen; null when behind the camera. */
  private project(scene: Scene, x: number, y: number, h: number) {
    const { fx, fy } = forwardVector(scene.player.yaw);
    const camX = scene.player.x - fx * CAMERA_BACK;
    const camY = scene.player.y - fy * CAMERA_BACK;
    // Nearest wrapped copy of the point on the torus.
    let dx = x - camX;
    let dy = y - camY;
    dx -= WORLD_SIZE * floor(dx / WORLD_SIZE + 0.5);
    dy -= WORLD_SIZE * floor(dy / WORLD_SIZE + 0.5);
    const z = dx * fx + dy * fy;
    if (z < 1.5) return null;
    const side = dx * -fy + dy * fx;
    const scale = this.focal / z;
    return {
      col: this.width / 2 + side * scale,
      row: this.horizon + (scene.cameraHeight - h) * scale,
      z,
      scale,
    };
  }

  private drawEvents(scene: Scene, out: Pixels): void {
    const fire = scene.env.event.weight('fire');
    const tornado = scene.env.event.weight('tornado');
    const o = scene.eventOrigin;
    if (fire > 0) {
      for (let k = 0; k < FIRE_FLAMES; k++) {
        // Flames ring the spot where the fire started, mostly ahead of the player then.
        const angle = o.yaw + (k / FIRE_FLAMES - 0.5) * 2.4;
        const dist = 9 + 14 * hashUnit(k, 3, scene.world.seed);
        const { fx, fy } = forwardVector(angle);
        const x = o.x + fx * dist;
        const y = o.y + fy * dist;
        const flicker = 0.75 + 0.5 * hashUnit(k, scene.tick, 7);
        this.drawBillboard(scene, x, y, 3.2 * flicker * fire, 2.2, out, flamePixel);
      }
    }
    if (tornado > 0) {
      const { fx, fy } = forwardVector(o.yaw);
      const drift = (scene.tick - scene.env.eventStartTick) * 0.08;
      const x = o.x + fx * 40 + fy * drift;
      const y = o.y + fy * 40 - fx * drift;
      this.drawBillboard(scene, x, y, 34 * tornado, 13, out, (u, v, tick) =>
        tornadoPixel(u, v, tick),
      );
    }
  }

  /**
   * Draws a shape standing on the ground at (x, y), `tall` high and `wide` across at
   * its widest, depth-tested against the terrain. `shade(u, v)` gives the color at
   * u in [-1, 1] (across) and v in [0, 1] (up), or null for transparent.
   */
  private drawBillboard(
    scene: Scene,
    x: number,
    y: number,
    tall: number,
    wide: number,
    out: Pixels,
    shade: (u: number, v: number, tick: number) => Rgb | null,
  ): void {
    const base = surfaceHeight(scene.world, x, y);
    const foot = this.project(scene, x, y, max(base, scene.waterLevel));
    if (!foot) return;
    const { width: W, height: H } = this;
    const halfW = (wide / 2) * foot.scale;
    const heightPx = tall * foot.scale;
    const c0 = max(0, floor(foot.col - halfW));
    const c1 = min(W - 1, ceil(foot.col + halfW));
    const r0 = max(0, floor(foot.row - heightPx));
    const r1 = min(H - 1, ceil(foot.row));
    for (let row = r0; row <= r1; row++) {
      const v = (foot.row - row) / heightPx;
      for (let col = c0; col <= c1; col++) {
        const p = row * W + col;
        if (this.depth[p] < foot.z) continue;
        const rgb = shade((col + 0.5 - foot.col) / halfW, v, scene.tick);
        if (rgb) blendPixel(out, p, rgb, 1);
      }
    }
  }

  private drawCharacter(scene: Scene, out: Pixels): void {
    const { width: W, height: H, focal, horizon } = this;
    const p = scene.player;
    const scale = focal / CAMERA_BACK;
    const groundRow = horizon + (scene.cameraHeight - scene.playerGround) * scale;
    const feetRow = horizon + (scene.cameraHeight - scene.playerGround - p.lift) * scale;
    const spriteH = CHARACTER_HEIGHT * scale;
    const sample = SPRITES.cowboy[0];
    const spriteW = (spriteH * sample.width) / sample.height;
    const left = W / 2 - spriteW / 2;
    const topRow = feetRow - spriteH;
    // Shadow on the ground, smaller while airborne.
    const shadowW = spriteW * 0.45 * (1 - min(0.5, p.lift / 6));
    for (let row = floor(groundRow - 2); row <= groundRow + 1; row++) {
      for (let col = floor(W / 2 - shadowW); col <= W / 2 + shadowW; col++) {
        if (row < 0 || row >= H || col < 0 || col >= W) continue;
        const dx = (col + 0.5 - W / 2) / shadowW;
        const dy = (row + 0.5 - groundRow) / 2;
        if (dx * dx + dy * dy <= 1) blendPixel(out, row * W + col, [0, 0, 0], 0.35);
      }
    }
    const moving = p.vx * p.vx + p.vy * p.vy > 0.004;
    const pose = moving && p.lift <= 0 ? 1 + (floor(p.stride / 1.2) & 1) : 0;
    const [lr, lg, lb] = this.characterLight(scene.env);
    for (let row = max(0, floor(topRow)); row < min(H, feetRow); row++) {
      const sy = floor(((row + 0.5 - topRow) / spriteH) * sample.height);
      if (sy < 0 || sy >= sample.height) continue;
      for (let col = max(0, floor(left)); col < min(W, left + spriteW); col++) {
        const sx = floor(((col + 0.5 - left) / spriteW) * sample.width);
        if (sx < 0 || sx >= sample.width) continue;
        // During a character change, pixels switch over in a stable dither pattern.
        const sprite = SPRITES[pickCharacter(scene.env.character, hashUnit(sx, sy, 99))][pose];
        const s = (sy * sprite.width + sx) * 4;
        if (sprite.pixels[s + 3] === 0) continue;
        const o = (row * W + col) * 3;
        out[o] = sprite.pixels[s] * lr;
        out[o + 1] = sprite.pixels[s + 1] * lg;
        out[o + 2] = sprite.pixels[s + 2] * lb;
      }
    }
  }

  private characterLight(env: Environment): number[] {
    const dim = env.weather.mix((w) => WEATHER_LOOK[w].dim);
    return [0, 1, 2].map((c) => min(1, env.time.mix((t) => TIME_LOOK[t].light[c]) * dim + 0.1));
  }

  private drawWeather(scene: Scene, out: Pixels): void {
    const { width: W, height: H } = this;
    const rain = scene.env.weather.weight('rain');
    const snow = scene.env.weather.weight('snow');
    const tick = scene.tick;
    const unit = W / 128;
    for (let i = 0; i < round(90 * rain); i++) {
      const col0 = hashUnit(i, 1, 0) * W;
      const row0 = (hashUnit(i, 2, 0) * H + tick * 0.31 * H) % H;
      for (let k = 0; k < 5 * unit; k++) {
        const col = floor(col0 - k * 0.35);
        const row = floor(row0 + k);
        if (col >= 0 && col < W && row < H) blendPixel(out, row * W + col, [175, 185, 205], 0.55);
      }
    }
    for (let i = 0; i < round(110 * snow); i++) {
      const speed = 0.6 + hashUnit(i, 3, 0);
      const row = floor((hashUnit(i, 4, 0) * H + tick * speed * unit) % H);
      const col = floor(hashUnit(i, 5, 0) * W + 2 * unit * sin(tick * 0.15 + i));
      const size = hashUnit(i, 6, 0) < 0.3 ? 2 : 1;
      for (let dy = 0; dy < size * unit; dy++) {
        for (let dx = 0; dx < size * unit; dx++) {
          const c = col + dx;
          const r = row + dy;
          if (c >= 0 && c < W && r < H) blendPixel(out, r * W + c, [250, 250, 255], 0.9);
        }
      }
    }
  }

  private fadeForTravel(fade: number, out: Pixels): void {
    if (fade <= 0) return;
    for (let p = 0; p < this.width * this.height; p++) blendPixel(out, p, [255, 255, 255], fade);
  }
}

function blendPixel(out: Pixels, p: number, rgb: Rgb, alpha: number): void {
  const o = p * 3;
  out[o] += (rgb[0] - out[o]) * alpha;
  out[o + 1] += (rgb[1] - out[o + 1]) * alpha;
  out[o + 2] += (rgb[2] - out[o + 2]) * alpha;
}

function pickCharacter(blend: Blend<Character>, roll: number): Character {
  let acc = 0;
  for (const value of INSTRUCTION_SLOTS.character) {
    acc += blend.weight(value);
    if (roll < acc) return value;
  }
  return blend.target;
}

function flamePixel(u: number, v: number): Rgb | null {
  const halfWidth = (1 - v) * (0.55 + 0.45 * (1 - v));
  if (v < 0 || v > 1 || abs(u) > halfWidth) return null;
  const core = 1 - abs(u) / halfWidth;
  return [255, 90 + 160 * core * (1 - v), 20 + 60 * core * (1 - v)];
}

function tornadoPixel(u: number, v: number, tick: number): Rgb | null {
  const halfWidth = 0.12 + 0.88 * v * v;
  if (v < 0 || v > 1 || abs(u) > halfWidth) return null;
  const swirl = sin((u / halfWidth) * 3 + v * 18 - tick * 0.7);
  const shade = 70 + 30 * swirl + 30 * v;
  return [shade, shade, shade + 6];
}
