/**
 * Photo-like backgrounds as raw RGB pixels: gradients (sky, walls), soft blobs (bokeh, objects out of focus) and
 * smooth value noise (foliage, sand, fabric). Plain array work with a seeded random source: deterministic.
 */
import type { Random } from './random.ts';

export const BACKGROUND_KINDS = ['plain', 'gradient', 'blobs', 'texture', 'photo'] as const;
export type BackgroundKind = (typeof BACKGROUND_KINDS)[number];

export type Rgb = readonly [number, number, number];

export interface RawRgb {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export function randomColour(random: Random, min = 0, max = 255): Rgb {
  return [random.int(min, max), random.int(min, max), random.int(min, max)];
}

/** Relative luminance, 0–255 (Rec. 709 weights). */
export function luminance([r, g, b]: Rgb): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Draws a background of `kind`; `plainColour` is the plain kind's colour. */
export function drawBackground(kind: BackgroundKind, width: number, height: number, random: Random, plainColour: Rgb): RawRgb {
  const image = { width, height, data: new Uint8ClampedArray(width * height * 3) };
  if (kind === 'plain') {
    fill(image, () => plainColour);
    return image;
  }
  const gradient = gradientPainter(width, height, random);
  if (kind === 'gradient') {
    fill(image, gradient);
    return image;
  }
  const field = kind === 'blobs' ? null : valueNoise(width, height, random);
  const blobs = kind === 'texture' ? [] : randomBlobs(width, height, random);
  const [tint1, tint2] = [randomColour(random), randomColour(random)];
  fill(image, (x, y) => {
    let colour: [number, number, number] = [...gradient(x, y)];
    if (field) {
      const t = field(x, y);
      // Texture alone is a full-frame surface; in a "photo" it is a half-strength layer over the sky.
      const strength = kind === 'texture' ? 1 : 0.5;
      colour = mix(colour, mix(tint1, tint2, t), strength);
    }
    for (const blob of blobs) {
      const d2 = ((x - blob.x) ** 2 + (y - blob.y) ** 2) / blob.r ** 2;
      if (d2 < 4) colour = mix(colour, blob.colour, blob.alpha * Math.exp(-d2 * blob.sharpness));
    }
    return colour;
  });
  return image;
}

/** Blends the whole image toward `target` (white or black) by `amount`, so text of the other tone stays legible. */
export function toneToward(image: RawRgb, target: Rgb, amount: number): void {
  const { data } = image;
  for (let i = 0; i < data.length; i += 3) {
    for (let c = 0; c < 3; c++) data[i + c] = (data[i + c] as number) * (1 - amount) + (target[c] as number) * amount;
  }
}

/** Adds Gaussian noise of standard deviation `sigma` to every channel of every pixel. */
export function addNoise(data: Uint8ClampedArray | Uint8Array, sigma: number, random: Random, channels = 3): void {
  if (sigma <= 0) return;
  for (let i = 0; i < data.length; i++) {
    if (channels === 4 && i % 4 === 3) continue;
    data[i] = Math.max(0, Math.min(255, Math.round((data[i] as number) + sigma * random.gaussian())));
  }
}

function fill(image: RawRgb, colourAt: (x: number, y: number) => Rgb): void {
  const { width, height, data } = image;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colourAt(x, y);
      const at = (y * width + x) * 3;
      data[at] = r;
      data[at + 1] = g;
      data[at + 2] = b;
    }
  }
}

function mix(a: Rgb, b: Rgb, t: number): [number, number, number] {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

function gradientPainter(width: number, height: number, random: Random): (x: number, y: number) => Rgb {
  const from = randomColour(random);
  const to = randomColour(random);
  const angle = random.float(0, Math.PI * 2);
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const extent = Math.abs(dx) * width + Math.abs(dy) * height;
  const origin = (dx < 0 ? width : 0) * dx + (dy < 0 ? height : 0) * dy;
  return (x, y) => mix(from, to, (x * dx + y * dy - origin) / extent);
}

interface Blob {
  x: number;
  y: number;
  r: number;
  colour: Rgb;
  alpha: number;
  sharpness: number;
}

function randomBlobs(width: number, height: number, random: Random): Blob[] {
  const side = Math.min(width, height);
  return Array.from({ length: random.int(6, 14) }, () => ({
    x: random.float(0, width),
    y: random.float(0, height),
    r: random.float(0.08, 0.35) * side,
    colour: randomColour(random),
    alpha: random.float(0.4, 0.9),
    sharpness: random.float(0.8, 3),
  }));
}

/** Smooth value noise in [0, 1]: three octaves of bilinearly interpolated random grids. */
function valueNoise(width: number, height: number, random: Random): (x: number, y: number) => number {
  const octaves = [48, 16, 6].map((cell) => {
    const columns = Math.ceil(width / cell) + 2;
    const rows = Math.ceil(height / cell) + 2;
    return { cell, columns, grid: Float32Array.from({ length: columns * rows }, () => random.next()) };
  });
  const weights = [0.55, 0.3, 0.15];
  return (x, y) => {
    let value = 0;
    octaves.forEach(({ cell, columns, grid }, index) => {
      const gx = x / cell;
      const gy = y / cell;
      const [x0, y0] = [Math.floor(gx), Math.floor(gy)];
      const [fx, fy] = [smooth(gx - x0), smooth(gy - y0)];
      const at = (cx: number, cy: number) => grid[cy * columns + cx] as number;
      const top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * fx;
      const bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * fx;
      value += (weights[index] as number) * (top + (bottom - top) * fy);
    });
    return value;
  };
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}
