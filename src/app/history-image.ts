import { HISTORY_MODEL_IMAGE_MAX_SIDE, HISTORY_THUMBNAIL_MAX_SIDE, type HistoryRecord } from '../core/history-record.ts';

/** What an entry keeps of its image; drawn while the model runs, and never failing (a missing copy is ''/undefined). */
export async function drawHistoryImages(image: Blob): Promise<{ thumbnailDataUrl: string; modelImageDataUrl: string | undefined }> {
  const [thumbnailDataUrl, modelImageDataUrl] = await Promise.all([
    createThumbnailDataUrl(image).catch(() => ''),
    createModelImageDataUrl(image).catch(() => undefined),
  ]);
  return { thumbnailDataUrl, modelImageDataUrl };
}

/** The stored copy of the image the model saw; the thumbnail for entries saved before it was kept. */
export function storedImageOf(record: HistoryRecord): File | null {
  return fileFromDataUrl(record.image.modelImageDataUrl ?? record.image.thumbnailDataUrl, record.image.name);
}

/** The image as the model saw it (longest side ≤ 512 px), for HistoryImage.modelImageDataUrl. Main thread only. */
function createModelImageDataUrl(image: Blob): Promise<string> {
  return createThumbnailDataUrl(image, HISTORY_MODEL_IMAGE_MAX_SIDE, 0.9);
}

/**
 * A stored base64 data URL back as a File, decoded by hand: the page's Content-Security-Policy
 * (connect-src) does not allow fetch() of data: URLs. Null for anything that is not one.
 */
export function fileFromDataUrl(dataUrl: string, name: string): File | null {
  const match = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/]*={0,2})$/.exec(dataUrl);
  if (!match) return null;
  const [, type, base64] = match as unknown as [string, string, string];
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new File([bytes], name, { type });
}

/**
 * A JPEG data URL of the image, longest side at most maxSide, on white (JPEG has no alpha), for
 * HistoryRecord.image.thumbnailDataUrl. Main thread only (it draws on a canvas).
 */
async function createThumbnailDataUrl(image: Blob, maxSide: number = HISTORY_THUMBNAIL_MAX_SIDE, quality = 0.8): Promise<string> {
  const probe = await createImageBitmap(image, { imageOrientation: 'from-image' });
  const scale = Math.min(1, maxSide / Math.max(probe.width, probe.height));
  const width = Math.max(1, Math.round(probe.width * scale));
  const height = Math.max(1, Math.round(probe.height * scale));
  probe.close();
  const bitmap = await createImageBitmap(image, { imageOrientation: 'from-image', resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
  try {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas context');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0);
    return canvas.toDataURL('image/jpeg', quality);
  } finally {
    bitmap.close();
  }
}
