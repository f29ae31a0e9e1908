/**
 * A single-stroke capital font drawn for the demo images, so their text renders identically on
 * any machine: an SVG <text> element depends on the fonts installed, and a fresh machine or CI
 * container may have none. Glyphs are polylines on a grid 10 units tall (y down, baseline at 10),
 * drawn with round caps and joins.
 */

type Point = readonly [number, number];
type Stroke = readonly Point[];

interface Glyph {
  advance: number;
  strokes: readonly Stroke[];
}

const CAP_HEIGHT = 10;
/** Blank space between glyphs, in glyph units. */
const TRACKING = 2;

/** Points along an ellipse from angle `from` to `to` (degrees; 0 = right, 90 = down), every ≤ 10°. */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number): Point[] {
  const steps = Math.max(2, Math.ceil(Math.abs(to - from) / 10));
  const points: Point[] = [];
  for (let i = 0; i <= steps; i++) {
    const angle = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    points.push([cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)]);
  }
  return points;
}

/** A dot: a segment short enough to render as a round blob with round caps. */
function dot(x: number, y: number): Stroke {
  return [
    [x, y - 0.05],
    [x, y + 0.05],
  ];
}

const GLYPHS: Record<string, Glyph> = {
  ' ': { advance: 3.5, strokes: [] },
  A: { advance: 6.4, strokes: [[[0, 10], [3.2, 0], [6.4, 10]], [[1.1, 6.6], [5.3, 6.6]]] },
  B: {
    advance: 6,
    strokes: [
      [[0, 5], [3.4, 5], ...arc(3.4, 2.5, 2.4, 2.5, 90, -90), [0, 0], [0, 10], [3.6, 10], ...arc(3.6, 7.5, 2.4, 2.5, 90, -90), [3.4, 5]],
    ],
  },
  C: { advance: 6.2, strokes: [arc(3.4, 5, 3.4, 5, -40, -320)] },
  D: { advance: 6.2, strokes: [[[0, 0], [0, 10], [2.6, 10], ...arc(2.6, 5, 3.6, 5, 90, -90), [0, 0]]] },
  E: { advance: 5.4, strokes: [[[5.4, 0], [0, 0], [0, 10], [5.4, 10]], [[0, 5], [4.4, 5]]] },
  F: { advance: 5.2, strokes: [[[5.2, 0], [0, 0], [0, 10]], [[0, 5], [4.2, 5]]] },
  G: { advance: 6.6, strokes: [[...arc(3.4, 5, 3.4, 5, -40, -360), [6.8, 10]], [[6.8, 5.6], [4, 5.6]]] },
  H: { advance: 6, strokes: [[[0, 0], [0, 10]], [[6, 0], [6, 10]], [[0, 5], [6, 5]]] },
  I: { advance: 3, strokes: [[[1.5, 0], [1.5, 10]], [[0, 0], [3, 0]], [[0, 10], [3, 10]]] },
  J: { advance: 5.2, strokes: [[[5.2, 0], [5.2, 7.4], ...arc(2.6, 7.4, 2.6, 2.6, 0, 180)]] },
  K: { advance: 6, strokes: [[[0, 0], [0, 10]], [[6, 0], [0, 6.6]], [[2.2, 4.2], [6, 10]]] },
  L: { advance: 5.2, strokes: [[[0, 0], [0, 10], [5.2, 10]]] },
  M: { advance: 7.2, strokes: [[[0, 10], [0, 0], [3.6, 7.2], [7.2, 0], [7.2, 10]]] },
  N: { advance: 6, strokes: [[[0, 10], [0, 0], [6, 10], [6, 0]]] },
  O: { advance: 7, strokes: [arc(3.5, 5, 3.5, 5, 0, 360)] },
  P: { advance: 5.8, strokes: [[[0, 10], [0, 0], [3.2, 0], ...arc(3.2, 2.7, 2.6, 2.7, -90, 90), [0, 5.4]]] },
  Q: { advance: 7, strokes: [arc(3.5, 5, 3.5, 5, 0, 360), [[4.2, 7], [7, 10.4]]] },
  R: { advance: 6, strokes: [[[0, 10], [0, 0], [3.2, 0], ...arc(3.2, 2.7, 2.6, 2.7, -90, 90), [0, 5.4]], [[3, 5.4], [6, 10]]] },
  S: { advance: 6, strokes: [[...arc(3, 2.55, 2.8, 2.55, -25, -270), ...arc(3, 7.45, 3, 2.55, -90, 155)]] },
  T: { advance: 6.4, strokes: [[[0, 0], [6.4, 0]], [[3.2, 0], [3.2, 10]]] },
  U: { advance: 6, strokes: [[[0, 0], [0, 7], ...arc(3, 7, 3, 3, 180, 0), [6, 0]]] },
  V: { advance: 6.4, strokes: [[[0, 0], [3.2, 10], [6.4, 0]]] },
  W: { advance: 8, strokes: [[[0, 0], [2, 10], [4, 2.6], [6, 10], [8, 0]]] },
  X: { advance: 6, strokes: [[[0, 0], [6, 10]], [[6, 0], [0, 10]]] },
  Y: { advance: 6.4, strokes: [[[0, 0], [3.2, 5.2], [6.4, 0]], [[3.2, 5.2], [3.2, 10]]] },
  Z: { advance: 6, strokes: [[[0, 0], [6, 0], [0, 10], [6, 10]]] },
  '0': { advance: 6, strokes: [arc(3, 5, 3, 5, 0, 360)] },
  '1': { advance: 5, strokes: [[[0.6, 2.2], [3, 0], [3, 10]], [[0.6, 10], [5.2, 10]]] },
  '2': { advance: 6, strokes: [[...arc(3, 3, 3, 3, -165, 25), [0, 10], [6, 10]]] },
  '3': { advance: 6, strokes: [[...arc(3, 2.6, 2.7, 2.6, -155, 90), ...arc(3, 7.55, 3, 2.45, -90, 150)]] },
  '4': { advance: 6.4, strokes: [[[4.6, 10], [4.6, 0], [0, 7], [6.4, 7]]] },
  '5': { advance: 6, strokes: [[[5.6, 0], [0.9, 0], [0.5, 4.6], ...arc(3, 7, 3, 3, -128, 150)]] },
  '6': { advance: 6, strokes: [[...arc(5.6, 7, 5.6, 7, -100, -180), ...arc(3, 7, 3, 3, 180, 540)]] },
  '7': { advance: 6, strokes: [[[0, 0], [6, 0], [2, 10]]] },
  '8': { advance: 6, strokes: [arc(3, 2.5, 2.6, 2.5, 90, 450), arc(3, 7.5, 3, 2.5, -90, 270)] },
  '9': { advance: 6, strokes: [[...arc(3, 3, 3, 3, 0, 360), ...arc(0.4, 3, 5.6, 7, 0, 80)]] },
  '.': { advance: 1, strokes: [dot(0.5, 9.9)] },
  ',': { advance: 1.4, strokes: [[[0.9, 9.6], [0.9, 10], [0.2, 11.6]]] },
  ':': { advance: 1, strokes: [dot(0.5, 4.2), dot(0.5, 9.9)] },
  '?': { advance: 5.6, strokes: [[...arc(2.8, 2.8, 2.8, 2.8, -165, 60), [2.8, 6.2], [2.8, 7.4]], dot(2.8, 9.9)] },
  '!': { advance: 1, strokes: [[[0.5, 0], [0.5, 7]], dot(0.5, 9.9)] },
  "'": { advance: 1, strokes: [[[0.5, 0], [0.5, 2.6]]] },
  '-': { advance: 4, strokes: [[[0.3, 5.6], [3.7, 5.6]]] },
  '(': { advance: 2.4, strokes: [arc(4, 5, 4, 6, -125, -235)] },
  ')': { advance: 2.4, strokes: [arc(-1.6, 5, 4, 6, -55, 55)] },
  '/': { advance: 4, strokes: [[[0, 10.6], [4, -0.6]]] },
};

function glyphFor(char: string): Glyph {
  const glyph = GLYPHS[char.toUpperCase()];
  if (!glyph) throw new Error(`The demo stroke font has no glyph for ${JSON.stringify(char)}`);
  return glyph;
}

/** Width in pixels of a line of text at a cap height of `size` pixels. */
export function measureText(text: string, size: number): number {
  const scale = size / CAP_HEIGHT;
  let width = 0;
  [...text].forEach((char, index) => {
    width += glyphFor(char).advance + (index > 0 ? TRACKING : 0);
  });
  return width * scale;
}

export interface TextOptions {
  /** Left edge, or the centre with align 'middle'. */
  x: number;
  /** The baseline. */
  y: number;
  /** Cap height in pixels. */
  size: number;
  align?: 'start' | 'middle';
}

/** The outline of a line of capitals as an SVG path `d`, to be stroked (not filled) with round caps. */
export function textPath(text: string, options: TextOptions): string {
  const scale = options.size / CAP_HEIGHT;
  let x = options.align === 'middle' ? options.x - measureText(text, options.size) / 2 : options.x;
  const top = options.y - options.size;
  const parts: string[] = [];
  for (const char of text) {
    const glyph = glyphFor(char);
    for (const stroke of glyph.strokes) {
      parts.push(
        stroke
          .map(([gx, gy], index) => `${index === 0 ? 'M' : 'L'}${round(x + gx * scale)} ${round(top + gy * scale)}`)
          .join(''),
      );
    }
    x += (glyph.advance + TRACKING) * scale;
  }
  return parts.join('');
}

/** A stroked text element: the usual stroke is a tenth of the cap height. */
export function strokeText(text: string, options: TextOptions & { colour: string; weight?: number }): string {
  const width = round(options.size * (options.weight ?? 0.11));
  return `<path d="${textPath(text, options)}" fill="none" stroke="${options.colour}" stroke-width="${width}" stroke-linecap="round" stroke-linejoin="round"/>`;
}

/** Two decimals keep the SVG short and its bytes independent of floating-point noise. */
function round(value: number): string {
  return (Math.round(value * 100) / 100).toString();
}
