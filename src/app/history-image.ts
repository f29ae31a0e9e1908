import { HISTORY_MODEL_IMAGE_MAX_SIDE } from '../core/history-record.ts';
import { createThumbnailDataUrl } from './history-store.ts';

/** The image as the model saw it (longest side ≤ 512 px), for HistoryImage.modelImageDataUrl. Main thread only. */
export function createModelImageDataUrl(image: Blob): Promise<string> {
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
