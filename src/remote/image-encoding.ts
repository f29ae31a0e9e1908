import type { EncodedImage } from './chat-request.ts';

/** Enough detail for most VLMs (OpenAI's high-detail tiles fit 2048, then 768 on the short side). */
export const DEFAULT_MAX_IMAGE_SIDE = 1024;
export const MAX_IMAGE_SIDE_RANGE = { min: 64, max: 4096 } as const;
/** Visually lossless for photos at a third of the size of quality 1. */
export const JPEG_QUALITY = 0.9;

export interface Size {
  width: number;
  height: number;
}

/** Scales down (never up) so the longest side is at most maxSide, keeping the aspect ratio. */
export function fitWithinMaxSide(size: Size, maxSide: number): Size {
  const longest = Math.max(size.width, size.height);
  if (longest <= maxSide) return { width: size.width, height: size.height };
  const scale = maxSide / longest;
  return {
    width: Math.max(1, Math.min(maxSide, Math.round(size.width * scale))),
    height: Math.max(1, Math.min(maxSide, Math.round(size.height * scale))),
  };
}

export function clampMaxImageSide(value: number): number {
  if (!Number.isFinite(value)) return DEFAULT_MAX_IMAGE_SIDE;
  return Math.min(MAX_IMAGE_SIDE_RANGE.max, Math.max(MAX_IMAGE_SIDE_RANGE.min, Math.round(value)));
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // String.fromCharCode takes arguments; chunks keep them under engines' argument limits.
  const chunk = 0x8000;
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + chunk));
  }
  return btoa(binary);
}

export function toDataUrl(bytes: Uint8Array, mimeType: string): string {
  return `data:${mimeType};base64,${bytesToBase64(bytes)}`;
}

/** Decoded size of a base64 data URL's payload, without decoding it. */
export function dataUrlByteLength(dataUrl: string): number {
  const comma = dataUrl.indexOf(',');
  const base64 = comma < 0 ? '' : dataUrl.slice(comma + 1);
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

/**
 * Decodes the user's image (EXIF orientation applied), draws it scaled to maxSide and encodes a
 * new JPEG. Only pixels survive: no EXIF/GPS, no ICC quirks, nothing appended after the image.
 * Browser main thread (or a worker with OffscreenCanvas).
 */
export async function reencodeImage(image: Blob, maxSide: number, quality = JPEG_QUALITY): Promise<EncodedImage> {
  const bitmap = await createImageBitmap(image, { imageOrientation: 'from-image' });
  try {
    const original = { width: bitmap.width, height: bitmap.height };
    const target = fitWithinMaxSide(original, clampMaxImageSide(maxSide));
    const jpeg = await drawJpeg(bitmap, target, quality);
    const bytes = new Uint8Array(await jpeg.arrayBuffer());
    return {
      dataUrl: toDataUrl(bytes, 'image/jpeg'),
      mimeType: 'image/jpeg',
      width: target.width,
      height: target.height,
      bytes: bytes.length,
      original,
    };
  } finally {
    bitmap.close();
  }
}

async function drawJpeg(bitmap: ImageBitmap, size: Size, quality: number): Promise<Blob> {
  if (typeof OffscreenCanvas === 'function') {
    const canvas = new OffscreenCanvas(size.width, size.height);
    paint(canvas.getContext('2d'), bitmap, size);
    return canvas.convertToBlob({ type: 'image/jpeg', quality });
  }
  const canvas = document.createElement('canvas');
  canvas.width = size.width;
  canvas.height = size.height;
  paint(canvas.getContext('2d'), bitmap, size);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The browser could not encode the image as JPEG'))), 'image/jpeg', quality),
  );
}

function paint(context: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null, bitmap: ImageBitmap, size: Size): void {
  if (!context) throw new Error('The browser could not create a 2D canvas to re-encode the image');
  // JPEG has no alpha: transparent pixels would turn black without a background.
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, size.width, size.height);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, size.width, size.height);
}
