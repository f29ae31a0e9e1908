import type { ImageSize } from './rewriter-api.ts';

/**
 * The shortest side the processor is given, by padding (unless the image is smaller than this both ways). Processors
 * scale the longest side to their own size and floor the other: at the tiny test model's 32-px tile 512×1 became
 * 32×0, and every rewrite failed. With at least 28 px the ratio stays ≤ 512:28 (about 18:1), so even a 32-px tile
 * keeps 1 px (1.75, floored); 28 px is also one Qwen vision patch merge (14 px × 2), and Qwen refuses ratios over
 * 200:1. Padding, not stretching, keeps the picture's own proportions.
 */
export const MIN_IMAGE_SIDE = 28;

/** The padding: mid-grey, which SmolVLM's and CLIP-style normalizations map to about zero (no signal). */
export const PAD_VALUE = 128;

export interface ImageFitPlan {
  /** The picture, scaled to fit the longest side, aspect ratio kept. */
  content: ImageSize;
  /** What the processor gets: `content`, padded with PAD_VALUE where a side is under the minimum. */
  canvas: ImageSize;
  /** Where `content` sits on `canvas` (centred). */
  offset: { x: number; y: number };
}

/** Scales down (never up) so the longest side is at most maxSide, keeping the aspect ratio. */
export function scaleToFit(size: ImageSize, maxSide: number): ImageSize {
  const longest = Math.max(size.width, size.height);
  if (longest <= maxSide) return { width: size.width, height: size.height };
  const scale = maxSide / longest;
  return { width: Math.max(1, Math.round(size.width * scale)), height: Math.max(1, Math.round(size.height * scale)) };
}

export function planImageFit(width: number, height: number, maxSide: number): ImageFitPlan {
  const content = scaleToFit({ width, height }, maxSide);
  const minSide = Math.min(MIN_IMAGE_SIDE, Math.max(content.width, content.height));
  const canvas = { width: Math.max(content.width, minSide), height: Math.max(content.height, minSide) };
  return {
    content,
    canvas,
    offset: { x: Math.floor((canvas.width - content.width) / 2), y: Math.floor((canvas.height - content.height) / 2) },
  };
}

export function isPadded(plan: ImageFitPlan): boolean {
  return plan.canvas.width !== plan.content.width || plan.canvas.height !== plan.content.height;
}

/**
 * Places `pixels` (row-major, `channels` per pixel) on a canvas filled with PAD_VALUE, alpha (the 2nd or 4th
 * channel) opaque. Plain array work, so Node and the browser pad the same way.
 */
export function padPixels(pixels: ArrayLike<number>, channels: number, plan: ImageFitPlan): Uint8ClampedArray {
  const { content, canvas, offset } = plan;
  const padded = new Uint8ClampedArray(canvas.width * canvas.height * channels).fill(PAD_VALUE);
  if (channels === 2 || channels === 4) {
    for (let alpha = channels - 1; alpha < padded.length; alpha += channels) padded[alpha] = 255;
  }
  const rowLength = content.width * channels;
  for (let row = 0; row < content.height; row++) {
    const from = row * rowLength;
    const to = ((row + offset.y) * canvas.width + offset.x) * channels;
    for (let index = 0; index < rowLength; index++) padded[to + index] = pixels[from + index] ?? PAD_VALUE;
  }
  return padded;
}
