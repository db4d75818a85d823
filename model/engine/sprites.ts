/**
 * The player character, seen from behind, as pixel art. Each character has its own
 * silhouette and palette so an instruction `character=...` is unmistakable; the legs
 * alternate while walking.
 */
import { Character } from './instructions';

type Rgb = readonly [number, number, number];

export interface Sprite {
  readonly width: number;
  readonly height: number;
  /** RGBA; alpha 0 is transparent. */
  readonly pixels: Uint8Array;
}

/** Rows from the top; '.' is transparent; every other letter is a palette key. */
const ART: Record<Character, { rows: string[]; palette: Record<string, Rgb> }> = {
  cowboy: {
    rows: [
      '............',
      '....HHHH....',
      '....HHHH....',
      '.HHHHHHHHHH.',
      '...RRRRRR...',
      '...RRRRRR...',
      '....SSSS....',
      '..BBBBBBBB..',
      '.BBBBBBBBBB.',
      'SBBBBBBBBBBS',
      'SBBBBBBBBBBS',
      '.BBBBBBBBBB.',
      '..LLLLLLLL..',
      '..JJJ..JJJ..',
      '..JJJ..JJJ..',
      '..JJJ..JJJ..',
      '..KKK..KKK..',
      '..KKK..KKK..',
    ],
    palette: {
      H: [120, 72, 30],
      R: [90, 56, 30],
      S: [232, 180, 140],
      B: [200, 60, 50],
      L: [60, 40, 20],
      J: [50, 80, 160],
      K: [70, 40, 20],
    },
  },
  astronaut: {
    rows: [
      '...WWWWWW...',
      '..WWWWWWWW..',
      '.WWWGGGGWWW.',
      '.WWGGGGGGWW.',
      '.WWWGGGGWWW.',
      '..WWWWWWWW..',
      '...WWWWWW...',
      '.PPPPPPPPPP.',
      'WPPPPPPPPPPW',
      'WPPPOOOOPPPW',
      'WPPPPPPPPPPW',
      '.WWWWWWWWWW.',
      '..WWWWWWWW..',
      '..WWW..WWW..',
      '..WWW..WWW..',
      '..WWW..WWW..',
      '..DDD..DDD..',
      '..DDD..DDD..',
    ],
    palette: {
      W: [236, 236, 240],
      G: [40, 40, 60],
      P: [170, 170, 180],
      O: [240, 120, 20],
      D: [90, 90, 100],
    },
  },
  wizard: {
    rows: [
      '.....MM.....',
      '.....MM.....',
      '....MMMM....',
      '....MYMM....',
      '...MMMMMM...',
      '.MMMMMMMMMM.',
      '...XXXXXX...',
      '..VVVVVVVV..',
      '.VVVVVVVVVV.',
      'VVVVVVVVVVVV',
      'SVVVVYVVVVVS',
      '.VVVVVVVVVV.',
      '.VVVVVVVVVV.',
      '.VVVVVVVVVV.',
      'VVVVVVVVVVVV',
      'VVVVVVVVVVVV',
      '.VVV....VVV.',
      '..NN....NN..',
    ],
    palette: {
      M: [90, 40, 160],
      Y: [250, 220, 60],
      X: [230, 230, 230],
      V: [110, 50, 190],
      S: [232, 180, 140],
      N: [50, 30, 60],
    },
  },
  guard: {
    rows: [
      '.....RR....T',
      '....RRRR...T',
      '...AAAAAA..T',
      '...AAAAAA..T',
      '...AAAAAA..T',
      '....SSSS...T',
      '..CCCCCCCC.T',
      '.CCCCCCCCCCT',
      'ACCCCGGCCCCA',
      'ACCCCGGCCCCA',
      '.CCCCCCCCCCT',
      '..CCCCCCCC.T',
      '..QQQ..QQQ.T',
      '..QQQ..QQQ.T',
      '..QQQ..QQQ.T',
      '..QQQ..QQQ.T',
      '..KKK..KKK.T',
      '..KKK..KKK.T',
    ],
    palette: {
      R: [220, 30, 30],
      A: [180, 184, 196],
      S: [232, 180, 140],
      C: [170, 30, 40],
      G: [230, 200, 60],
      Q: [60, 60, 70],
      K: [30, 30, 30],
      T: [130, 100, 60],
    },
  },
};

const LEG_ROWS = 5;

function toSprite(rows: string[], palette: Record<string, Rgb>): Sprite {
  const height = rows.length;
  const width = rows[0].length;
  const pixels = new Uint8Array(width * height * 4);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) {
      const rgb = palette[row[x]];
      if (!rgb) continue;
      pixels.set([rgb[0], rgb[1], rgb[2], 255], (y * width + x) * 4);
    }
  });
  return { width, height, pixels };
}

/** Lifts one leg (the left or right half of the bottom rows) by one row. */
function liftLeg(rows: string[], side: 'left' | 'right'): string[] {
  const half = rows[0].length / 2;
  const inSide = (x: number) => (side === 'left' ? x < half : x >= half);
  return rows.map((row, y) => {
    if (y < rows.length - LEG_ROWS) return row;
    const below = rows[y + 1];
    return [...row].map((ch, x) => (inSide(x) ? (below ? below[x] : '.') : ch)).join('');
  });
}

/** Per character: [standing, left leg up, right leg up]. */
export const SPRITES: Record<Character, Sprite[]> = Object.fromEntries(
  Object.entries(ART).map(([name, { rows, palette }]) => [
    name,
    [rows, liftLeg(rows, 'left'), liftLeg(rows, 'right')].map((r) => toSprite(r, palette)),
  ]),
) as Record<Character, Sprite[]>;
