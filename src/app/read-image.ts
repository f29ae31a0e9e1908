import { checkImageFile, checkImageSize } from '../core/image-file-check.ts';
import type { ImageSize } from '../core/rewriter-api.ts';

export interface SelectedImage {
  file: File;
  size: ImageSize;
}

/** Checks and decodes a file once, so a bad image is reported now, not after a model download. */
export async function readSelectedImage(file: File): Promise<{ ok: true; image: SelectedImage } | { ok: false; message: string }> {
  const check = checkImageFile(file);
  if (!check.ok) return check;
  let size: ImageSize;
  try {
    const bitmap = await createImageBitmap(file);
    size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
  } catch {
    return { ok: false, message: `${file.name} could not be decoded as an image. It may be damaged or in a format this browser cannot read.` };
  }
  const sizeCheck = checkImageSize(file.name, size);
  return sizeCheck.ok ? { ok: true, image: { file, size } } : sizeCheck;
}
