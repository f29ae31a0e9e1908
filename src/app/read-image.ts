import { checkImageBlob } from '../core/image-check.ts';
import { planImageFit } from '../core/image-fit.ts';
import { undecodableMessage } from '../core/image-file-check.ts';
import type { ImageSize } from '../core/rewriter-api.ts';

export interface SelectedImage {
  file: File;
  size: ImageSize;
}

/** The side a test decode scales to: enough to prove the data decodes, far too small to cost memory. */
const TEST_DECODE_SIDE = 64;

/**
 * Checks a file (type by its bytes, size by its header: the same check as the worker and the command line), then
 * decodes it once, so a damaged image is reported now, not after a model download. The header has already refused
 * anything over the pixel limit, and the decode scales down as it goes.
 */
export async function readSelectedImage(file: File): Promise<{ ok: true; image: SelectedImage } | { ok: false; message: string }> {
  const check = await checkImageBlob(file);
  if (!check.ok) return check;
  let size: ImageSize;
  try {
    if (check.image.orientationKnown) {
      size = check.image.size;
      const { content } = planImageFit(size.width, size.height, TEST_DECODE_SIDE);
      (await createImageBitmap(file, { resizeWidth: content.width, resizeHeight: content.height, resizeQuality: 'low' })).close();
    } else {
      // A PNG whose orientation only the decoder reads: its upright size comes from a full decode.
      const bitmap = await createImageBitmap(file);
      size = { width: bitmap.width, height: bitmap.height };
      bitmap.close();
    }
  } catch {
    return { ok: false, message: undecodableMessage(file.name) };
  }
  return { ok: true, image: { file, size } };
}
