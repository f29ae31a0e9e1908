import { RawImage } from '@huggingface/transformers';
import { checkImageBlob, type CheckedImage } from '../core/image-check.ts';
import { isPadded, padPixels, PAD_VALUE, planImageFit, type ImageFitPlan } from '../core/image-fit.ts';
import type { ImageSize } from '../core/rewriter-api.ts';

export interface PreparedImage {
  /** What the processor gets: scaled to the family's side, padded where a side is under the minimum. */
  image: RawImage;
  /** Upright, as uploaded. */
  original: ImageSize;
  processed: ImageSize;
}

/** An image the check refused; its message is the one the page shows for the same file. */
export class ImageRefusedError extends Error {
  override readonly name = 'ImageRefusedError';
}

/**
 * Checks the image (type by its bytes, size by its header: a decoding bomb is refused here, undecoded), then
 * decodes it once. In a browser or worker `createImageBitmap` decodes straight to the fitted size; in Node
 * transformers.js decodes with sharp (EXIF-rotated) and resizes the raw pixels.
 */
export async function prepareImage(blob: Blob, maxSide: number): Promise<PreparedImage> {
  const check = await checkImageBlob(blob);
  if (!check.ok) throw new ImageRefusedError(check.message);
  const web = webImageApis();
  return web ? decodeWithBitmap(blob, check.image, maxSide, web) : decodeWithSharp(blob, maxSide);
}

interface Bitmap {
  readonly width: number;
  readonly height: number;
  close(): void;
}

interface Canvas2d {
  fillStyle: unknown;
  fillRect(x: number, y: number, width: number, height: number): void;
  drawImage(image: Bitmap, x: number, y: number, width: number, height: number): void;
  getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray };
}

/** The two platform APIs the browser path needs (typed here: the engine also compiles for Node, without the DOM). */
interface WebImageApis {
  createImageBitmap(
    image: Blob,
    options?: { resizeWidth?: number; resizeHeight?: number; resizeQuality?: 'pixelated' | 'low' | 'medium' | 'high' },
  ): Promise<Bitmap>;
  OffscreenCanvas: new (width: number, height: number) => { getContext(kind: '2d'): Canvas2d | null };
}

function webImageApis(): WebImageApis | null {
  const scope = globalThis as unknown as Partial<WebImageApis>;
  return typeof scope.createImageBitmap === 'function' && typeof scope.OffscreenCanvas === 'function'
    ? { createImageBitmap: scope.createImageBitmap.bind(globalThis), OffscreenCanvas: scope.OffscreenCanvas }
    : null;
}

async function decodeWithBitmap(blob: Blob, checked: CheckedImage, maxSide: number, web: WebImageApis): Promise<PreparedImage> {
  let bitmap: Bitmap;
  let original: ImageSize;
  let plan: ImageFitPlan;
  if (checked.orientationKnown) {
    // The decoder scales as it decodes (its resize applies to the upright image), so the full-size pixels never
    // reach this worker's memory.
    original = checked.size;
    plan = planImageFit(original.width, original.height, maxSide);
    const { content } = plan;
    const resized = content.width !== original.width || content.height !== original.height;
    bitmap = await web.createImageBitmap(
      blob,
      resized ? { resizeWidth: content.width, resizeHeight: content.height, resizeQuality: 'high' } : undefined,
    );
  } else {
    // Only the decoder knows this PNG's orientation: decode it whole (the check has bounded its pixels), then scale.
    bitmap = await web.createImageBitmap(blob);
    original = { width: bitmap.width, height: bitmap.height };
    plan = planImageFit(original.width, original.height, maxSide);
  }
  const { canvas, content, offset } = plan;
  const context = new web.OffscreenCanvas(canvas.width, canvas.height).getContext('2d');
  if (!context) throw new Error('This browser has no 2D canvas for reading image pixels.');
  if (isPadded(plan)) {
    context.fillStyle = `rgb(${PAD_VALUE}, ${PAD_VALUE}, ${PAD_VALUE})`;
    context.fillRect(0, 0, canvas.width, canvas.height);
  }
  context.drawImage(bitmap, offset.x, offset.y, content.width, content.height);
  bitmap.close();
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  return { image: new RawImage(pixels, canvas.width, canvas.height, 4), original, processed: canvas };
}

async function decodeWithSharp(blob: Blob, maxSide: number): Promise<PreparedImage> {
  const decoded = await RawImage.fromBlob(blob);
  const original = { width: decoded.width, height: decoded.height };
  const plan = planImageFit(original.width, original.height, maxSide);
  const { content, canvas } = plan;
  const scaled =
    content.width === original.width && content.height === original.height ? decoded : await decoded.resize(content.width, content.height);
  const image = isPadded(plan)
    ? new RawImage(padPixels(scaled.data, scaled.channels, plan), canvas.width, canvas.height, scaled.channels)
    : scaled;
  return { image, original, processed: canvas };
}
