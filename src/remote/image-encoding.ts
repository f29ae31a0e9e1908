import { scaleToFit } from '../core/image-fit.ts';
import type { ImageSize } from '../core/rewriter-api.ts';
import type { EncodedImage } from './chat-request.ts';

/** Enough detail for most VLMs (OpenAI's high-detail tiles fit 2048, then 768 on the short side). */
export const DEFAULT_MAX_IMAGE_SIDE = 1024;
export const MAX_IMAGE_SIDE_RANGE = { min: 64, max: 4096 } as const;
/** Visually lossless for photos at a third of the size of quality 1. */
const JPEG_QUALITY = 0.9;

export function clampMaxImageSide(value: number): number {
  if (!Number.isFinite(value)) return DEFAULT_MAX_IMAGE_SIDE;
  return Math.min(MAX_IMAGE_SIDE_RANGE.max, Math.max(MAX_IMAGE_SIDE_RANGE.min, Math.round(value)));
}

/**
 * Decodes the user's image (EXIF orientation applied), draws it scaled to maxSide and encodes a
 * new JPEG. Only pixels survive: no EXIF/GPS, no ICC quirks, nothing appended after the image.
 * Browser main thread (or a worker with OffscreenCanvas).
 */
export async function reencodeImage(image: Blob, maxSide: number): Promise<EncodedImage> {
  const bitmap = await createImageBitmap(image, { imageOrientation: 'from-image' });
  try {
    const original = { width: bitmap.width, height: bitmap.height };
    const target = scaleToFit(original, clampMaxImageSide(maxSide));
    const jpeg = await drawJpeg(bitmap, target);
    return {
      dataUrl: await readAsDataUrl(jpeg),
      mimeType: 'image/jpeg',
      width: target.width,
      height: target.height,
      bytes: jpeg.size,
      original,
    };
  } finally {
    bitmap.close();
  }
}

async function drawJpeg(bitmap: ImageBitmap, size: ImageSize): Promise<Blob> {
  if (typeof OffscreenCanvas === 'function') {
    const canvas = new OffscreenCanvas(size.width, size.height);
    paint(canvas.getContext('2d'), bitmap, size);
    return canvas.convertToBlob({ type: 'image/jpeg', quality: JPEG_QUALITY });
  }
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  paint(canvas.getContext('2d'), bitmap, size);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The browser could not encode the image as JPEG'))), 'image/jpeg', JPEG_QUALITY),
  );
}

function paint(context: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null, bitmap: ImageBitmap, size: ImageSize): void {
  if (!context) throw new Error('The browser could not create a 2D canvas to re-encode the image');
  // JPEG has no alpha: transparent pixels would turn black without a background.
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, size.width, size.height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, size.width, size.height);
}

/** The platform's own base64 encoder: a data URL straight from the Blob. */
function readAsDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('The browser could not read the re-encoded image'));
    reader.readAsDataURL(blob);
  });
}
