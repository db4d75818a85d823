/**
 * Where the player's character can be on screen. The camera follows the player, so the
 * engine draws the character (model/engine/render.ts, `drawCharacter`) at a fixed size,
 * centred horizontally, its feet on a row that moves with the camera's height above the
 * player and with jumps. The character matcher (closed-loop/character.ts) searches
 * every place it can be; the motion measures (motion.ts, the view shift) leave out the
 * place where it stands, the follow box: a character that stays put on screen while the
 * view turns or walks pulls an alignment of the whole picture towards no motion, and
 * more so the sharper it is drawn over a scene with little texture.
 */
import { CAMERA_BACK, CAMERA_UP, CHARACTER_HEIGHT } from '../engine/render';
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
 * Pixels the follow box reaches beyond the engine's art on every side, for a generated
 * character's softer edges. Kept small: the far view just behind the player is what
 * the turn measure reads where near trees fill the sides (they sweep against the turn
 * as the camera orbits the player); on the engine's held-out turns a 3-6 px margin
 * misreads one more turn than 0-2 px (docs/MODEL.md).
 */
export const FOLLOW_MARGIN = 2;

export interface CharacterPlace {
  /** The art's height on screen, px (every character and pose has the same). */
  spriteHeight: number;
  /** The widest art's columns on screen, [left, right) in px (fractional). */
  left: number;
  right: number;
  /** The feet rows the character can stand on, first (highest) to last (half below the frame). */
  highestFeet: number;
  lowestFeet: number;
  /**
   * The feet row on the ground with the camera CAMERA_UP above it, the highest the
   * character stands but for a jump (the camera rises over hills behind the player,
   * which lowers the character on screen, never raises it).
   */
  standingFeet: number;
}

export function characterPlace(size: FrameSize): CharacterPlace {
  const { width: W, height: H } = size;
  const scale = (W * FOCAL) / CAMERA_BACK;
  const spriteHeight = CHARACTER_HEIGHT * scale;
  const horizon = round(H * HORIZON);
  const widest = max(
    ...Object.values(SPRITES).flatMap((poses) =>
      poses.map((s) => (spriteHeight * s.width) / s.height),
    ),
  );
  return {
    spriteHeight,
    left: W / 2 - widest / 2,
    right: W / 2 + widest / 2,
    highestFeet: horizon + HIGHEST_FEET_BELOW_HORIZON,
    lowestFeet: H + spriteHeight / 2,
    standingFeet: horizon + CAMERA_UP * scale,
  };
}

/** A box of whole pixels: rows [top, bottom), columns [left, right). */
export interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * The follow box: every pixel the character covers while it stands (any character and
 * pose, from the standing feet row down, as the camera rises), widened by `margin`.
 * A jump lifts the character above it for a moment; the box leaves that out, since
 * reaching up to the highest jump would hide most of the far view behind the player
 * that the turn measure reads (the character matcher still searches up there).
 */
export function followBox(size: FrameSize, margin = FOLLOW_MARGIN): Box {
  const place = characterPlace(size);
  return {
    top: max(0, floor(place.standingFeet - place.spriteHeight - margin)),
    bottom: size.height,
    left: max(0, floor(place.left - margin)),
    right: min(size.width, ceil(place.right + margin)),
  };
}
