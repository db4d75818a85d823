/**
 * How each instruction value looks: sky palettes per time of day, weather and event
 * parameters. The renderer mixes these by the environment's transition weights.
 */
import { TimeOfDay, Weather, WorldEvent } from './instructions';

export type Rgb = readonly [number, number, number];

export interface TimeLook {
  skyTop: Rgb;
  skyHorizon: Rgb;
  /** Multiplier on lit ground colors. */
  light: Rgb;
  /** 0..1: how many stars show. */
  stars: number;
}

export const TIME_LOOK: Record<TimeOfDay, TimeLook> = {
  dawn: { skyTop: [80, 96, 160], skyHorizon: [250, 170, 120], light: [1.0, 0.84, 0.74], stars: 0 },
  noon: { skyTop: [50, 110, 215], skyHorizon: [170, 210, 240], light: [1, 1, 1], stars: 0 },
  dusk: {
    skyTop: [60, 44, 110],
    skyHorizon: [240, 112, 72],
    light: [0.92, 0.66, 0.58],
    stars: 0.2,
  },
  night: { skyTop: [4, 6, 22], skyHorizon: [24, 34, 70], light: [0.28, 0.33, 0.5], stars: 1 },
};

/** Where the sun (or moon, at night) stands: world azimuth (a yaw) and height above the horizon (0..1 of the sky). */
export const SKY_BODY: Record<
  TimeOfDay,
  { yaw: number; elevation: number; color: Rgb; radius: number }
> = {
  dawn: { yaw: -Math.PI / 2, elevation: 0.12, color: [255, 210, 140], radius: 0.07 },
  noon: { yaw: 0.6, elevation: 0.8, color: [255, 250, 225], radius: 0.06 },
  dusk: { yaw: Math.PI / 2, elevation: 0.12, color: [255, 140, 70], radius: 0.07 },
  night: { yaw: 2.4, elevation: 0.55, color: [225, 225, 240], radius: 0.05 },
};

export interface WeatherLook {
  /** Sky and fog pulled toward this overcast color, by `overcast`. */
  overcastColor: Rgb;
  overcast: number;
  /** Multiplier on light. */
  dim: number;
  /** Distance at which fog is complete, in cells. */
  fogEnd: number;
  rain: number;
  snow: number;
}

export const WEATHER_LOOK: Record<Weather, WeatherLook> = {
  clear: { overcastColor: [150, 150, 150], overcast: 0, dim: 1, fogEnd: 170, rain: 0, snow: 0 },
  rain: { overcastColor: [105, 110, 122], overcast: 0.7, dim: 0.72, fogEnd: 110, rain: 1, snow: 0 },
  snow: {
    overcastColor: [200, 204, 212],
    overcast: 0.65,
    dim: 0.95,
    fogEnd: 100,
    rain: 0,
    snow: 1,
  },
  fog: { overcastColor: [176, 180, 186], overcast: 0.9, dim: 0.88, fogEnd: 30, rain: 0, snow: 0 },
};

export interface EventLook {
  /** Sky tint toward this color, by `tint`. */
  tintColor: Rgb;
  tint: number;
  /** How far the water rises, in height units. */
  waterRise: number;
}

export const EVENT_LOOK: Record<WorldEvent, EventLook> = {
  none: { tintColor: [0, 0, 0], tint: 0, waterRise: 0 },
  fire: { tintColor: [220, 90, 30], tint: 0.45, waterRise: 0 },
  tornado: { tintColor: [70, 80, 70], tint: 0.55, waterRise: 0 },
  flood: { tintColor: [90, 100, 110], tint: 0.3, waterRise: 7 },
};
