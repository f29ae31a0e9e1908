import { describe, expect, it } from 'vitest';
import { checkImageFile, checkImageSize, MAX_IMAGE_BYTES } from '../../src/core/image-file-check.ts';

describe('checkImageFile', () => {
  it('accepts common raster images', () => {
    for (const type of ['image/png', 'image/jpeg', 'image/webp']) {
      expect(checkImageFile({ name: 'photo', type, size: 1000 })).toEqual({ ok: true });
    }
  });

  it.each([
    [{ name: 'logo.svg', type: 'image/svg+xml', size: 100 }, /SVG/],
    [{ name: 'notes.pdf', type: 'application/pdf', size: 100 }, /not an image/],
    [{ name: 'blank.png', type: 'image/png', size: 0 }, /empty/],
    [{ name: 'huge.png', type: 'image/png', size: MAX_IMAGE_BYTES + 1 }, /limit/],
  ])('refuses %j with a message that says why', (file, message) => {
    const result = checkImageFile(file);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('checkImageSize', () => {
  it('accepts a 48-megapixel photo and refuses a 100-megapixel one', () => {
    expect(checkImageSize('photo.jpg', { width: 8000, height: 6000 })).toEqual({ ok: true });
    const refused = checkImageSize('scan.png', { width: 10000, height: 10000 });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.message).toMatch(/100 megapixels\); the limit is 50 megapixels/);
  });
});
