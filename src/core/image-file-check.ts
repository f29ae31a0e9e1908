/** Decoders that every browser we support has; SVG is refused because it can carry scripts. */
export const ACCEPTED_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/bmp'] as const;

/** Far above any photo; beyond it decoding alone can exhaust a phone's memory. */
export const MAX_IMAGE_BYTES = 25 * 1024 * 1024;

export type ImageFileCheck = { ok: true } | { ok: false; message: string };

export function checkImageFile(file: { name: string; type: string; size: number }): ImageFileCheck {
  if (file.type === 'image/svg+xml') {
    return { ok: false, message: `${file.name} is an SVG. Vector images are not accepted; use PNG, JPEG, WebP, GIF or BMP.` };
  }
  if (!(ACCEPTED_IMAGE_TYPES as readonly string[]).includes(file.type)) {
    const kind = file.type || 'an unknown type';
    return { ok: false, message: `${file.name} is ${kind}, not an image this app can read. Use PNG, JPEG, WebP, GIF or BMP.` };
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
