/** Decoders that every browser we support has; SVG is refused because it can carry scripts. */
export const ACCEPTED_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/bmp'] as const;

/** Far above any photo; beyond it decoding alone can exhaust a phone's memory. */
export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

export type ImageFileCheck = { ok: true } | { ok: false; message: string };

/** Declared types that say nothing about the content: the bytes decide. */
const UNINFORMATIVE_TYPES = new Set(['', 'application/octet-stream']);

export const svgMessage = (name: string) => `${name} is an SVG. Vector images are not accepted; use PNG, JPEG, WebP, GIF or BMP.`;

/** `kind` is a MIME type, or 'an unknown type'. */
export const notAnImageMessage = (name: string, kind: string) =>
  `${name} is ${kind}, not an image this app can read. Use PNG, JPEG, WebP, GIF or BMP.`;

export const undecodableMessage = (name: string) =>
  `${name} could not be decoded as an image. It may be damaged or in a format this browser cannot read.`;

/**
 * What can be refused before a byte is read: a declared SVG or non-image type, an empty file, one over the byte
 * limit. Anything else goes on to the check of its bytes (`checkImage` in image-check.ts), which decides the type.
 */
export function checkImageFile(file: { name: string; type: string; size: number }): ImageFileCheck {
  if (file.type === 'image/svg+xml') return { ok: false, message: svgMessage(file.name) };
  if (!UNINFORMATIVE_TYPES.has(file.type) && !file.type.startsWith('image/')) {
    return { ok: false, message: notAnImageMessage(file.name, file.type) };
  }
  if (file.size === 0) return { ok: false, message: `${file.name} is empty.` };
  if (file.size > MAX_IMAGE_BYTES) {
    const mb = (file.size / 1024 / 1024).toFixed(1);
    return { ok: false, message: `${file.name} is ${mb} MB; the limit is ${MAX_IMAGE_BYTES / 1024 / 1024} MB.` };
  }
  return { ok: true };
}

/** Decoding alone takes width × height × 4 bytes; beyond this a phone's tab can run out of memory. */
export const MAX_IMAGE_PIXELS = 50_000_000;

export function checkImageSize(name: string, size: { width: number; height: number }): ImageFileCheck {
  if (size.width < 1 || size.height < 1) return { ok: false, message: `${name} has no pixels.` };
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    const megapixels = Math.round((size.width * size.height) / 1e6);
    return {
      ok: false,
      message: `${name} is ${size.width}×${size.height} (${megapixels} megapixels); the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels. Scale it down first.`,
    };
  }
  return { ok: true };
}
