/**
 * Where the player's character can be on screen. The camera follows the player, so the
 * engine draws the character (model/engine/render.ts, `drawCharacter`) at a fixed size,
 * centred horizontally, its feet on a row that moves with the camera's height above the
 * player and with jumps. The character matcher (closed-loop/character.ts) searches
 * exactly this place; the motion measures (motion.ts, the view shift) leave it out as
 * the follow box: a character that stays put on screen while the view turns or walks
 * pulls an alignment of the whole picture towards no motion, and more so the sharper it
 * is drawn over a scene with little texture.
 */
import { CAMERA_BACK, CHARACTER_HEIGHT } from '../engine/render';
import { SPRITES } from '../engine/sprites';
import type { FrameSize } from './image-metrics';
/** Module-local aliases: global lookups are very slow inside jest's vm sandbox. */
const { ceil, floor, max, min, round } = Math;

/** The engine's horizon row and focal length, as fractions of the frame (model/engine/render.ts). */
export const HORIZON = 0.36;
const FOCAL = 0.8;
/** The highest feet row searched lies this far under the horizon (the highest jump). */
const HIGHEST_FEET_BELOW_HORIZON = 8;
/**
 * Pixels the follow box reaches beyond the engine's art on every side: a generator draws
 * the character softer or smeared (a blur of sigma 2 spreads it by 3 sigma, 6 px).
 */
export const FOLLOW_MARGIN = 6;

export interface CharacterPlace {
  /** The art's height on screen, px (every character and pose has the same). */
  spriteHeight: number;
  /** The widest art's columns on screen, [left, right) in px (fractional). */
  left: number;
  right: number;
  /** The feet rows the character can stand on, first (highest) to last (half below the frame). */
  highestFeet: number;
  lowestFeet: number;
}

export function characterPlace(size: FrameSize): CharacterPlace {
  const { width: W, height: H } = size;
  const spriteHeight = CHARACTER_HEIGHT * ((W * FOCAL) / CAMERA_BACK);
  const widest = max(
    ...Object.values(SPRITES).flatMap((poses) =>
      poses.map((s) => (spriteHeight * s.width) / s.height),
    ),
  );
  return {
    spriteHeight,
    left: W / 2 - widest / 2,
    right: W / 2 + widest / 2,
    highestFeet: round(H * HORIZON) + HIGHEST_FEET_BELOW_HORIZON,
    lowestFeet: H + spriteHeight / 2,
  };
}

/** A box of whole pixels: rows [top, bottom), columns [left, right). */
export interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Every pixel the character can cover (any character, pose, feet row), widened by `margin`. */
export function followBox(size: FrameSize, margin = FOLLOW_MARGIN): Box {
  const place = characterPlace(size);
  return {
    top: max(0, floor(place.highestFeet - place.spriteHeight - margin)),
    bottom: size.height,
    left: max(0, floor(place.left - margin)),
    right: min(size.width, ceil(place.right + margin)),
  };
}
