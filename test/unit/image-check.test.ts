import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkImage, checkImageBlob } from '../../src/core/image-check.ts';
import { MAX_IMAGE_BYTES } from '../../src/core/image-file-check.ts';
import { bmp, gradientPng, pngHeaderBomb, SVG_BYTES } from '../support/image-fixtures.ts';

const SVG_MESSAGE = (name: string) => `${name} is an SVG. Vector images are not accepted; use PNG, JPEG, WebP, GIF or BMP.`;

async function refusal(blob: Blob, name?: string): Promise<string> {
  const result = await checkImageBlob(blob, name);
  if (result.ok) throw new Error(`${name ?? 'the blob'} was accepted`);
  return result.message;
}

describe('checkImageBlob: one check for the page, the worker and the command line', () => {
  it('accepts PNG, JPEG, WebP, GIF and BMP by their bytes, whatever type the file claims', async () => {
    const png = await gradientPng(30, 20);
    const cases: Array<[string, Uint8Array<ArrayBuffer>]> = [
      ['png', png],
      ['jpeg', new Uint8Array(await sharp(png).jpeg().toBuffer())],
      ['webp', new Uint8Array(await sharp(png).webp().toBuffer())],
      ['gif', new Uint8Array(await sharp(png).gif().toBuffer())],
      ['bmp', bmp(30, 20)],
    ];
    for (const [format, bytes] of cases) {
      for (const type of [`image/${format}`, '', 'application/octet-stream', 'image/png']) {
        const result = await checkImageBlob(new File([bytes], `picture.${format}`, { type }));
        expect(result, `${format} declared as "${type}"`).toMatchObject({ ok: true, image: { format, size: { width: 30, height: 20 } } });
      }
    }
  });

  it('refuses an SVG by its content, even named and typed as a PNG, with the message the app shows', async () => {
    expect(await refusal(new File([SVG_BYTES], 'logo.png', { type: 'image/png' }))).toBe(SVG_MESSAGE('logo.png'));
    expect(await refusal(new Blob([SVG_BYTES]), 'drawing.svg')).toBe(SVG_MESSAGE('drawing.svg'));
    expect(await refusal(new File([SVG_BYTES], 'logo.svg', { type: 'image/svg+xml' }))).toBe(SVG_MESSAGE('logo.svg'));
  });

  it('refuses a decoding bomb from its header: a 2 kB file that claims 100000×100000 pixels', async () => {
    const bomb = pngHeaderBomb(100_000, 100_000);
    expect(bomb.length).toBeLessThan(2048);
    expect(await refusal(new File([bomb], 'bomb.png', { type: 'image/png' }))).toBe(
      'bomb.png is 100000×100000 (10000 megapixels); the limit is 50 megapixels. Scale it down first.',
    );
    expect(await refusal(new Blob([pngHeaderBomb(1, 60_000_000)]), 'tall.png')).toMatch(/tall\.png is 1×60000000 \(60 megapixels\); the limit is 50 megapixels/);
  });

  it('refuses a file over the byte limit from its size, without reading it', async () => {
    const huge = new File([new Uint8Array(MAX_IMAGE_BYTES + 1)], 'huge.png', { type: 'image/png' });
    huge.arrayBuffer = () => Promise.reject(new Error('read a file it should have refused from its size'));
    expect(await refusal(huge)).toBe('huge.png is 25.0 MB; the limit is 25 MB.');
  });

  it('tells damaged images, other files and other image formats apart', async () => {
    expect(await refusal(new File(['not really a png'], 'broken.png', { type: 'image/png' }))).toBe(
      'broken.png could not be decoded as an image. It may be damaged or in a format this browser cannot read.',
    );
    const truncated = (await gradientPng(300, 200)).subarray(0, 20);
    expect(await refusal(new Blob([new Uint8Array(truncated)]), 'cut.png')).toMatch(/^cut\.png could not be decoded as an image/);
    expect(await refusal(new File(['%PDF-1.4'], 'notes.pdf', { type: 'application/pdf' }))).toBe(
      'notes.pdf is application/pdf, not an image this app can read. Use PNG, JPEG, WebP, GIF or BMP.',
    );
    expect(await refusal(new Blob(['%PDF-1.4']), 'notes.pdf')).toMatch(/^notes\.pdf is application\/pdf, not an image this app can read/);
    const tiff = await sharp(await gradientPng(8, 8)).tiff().toBuffer();
    expect(await refusal(new File([new Uint8Array(tiff)], 'scan.tif', { type: '' }))).toBe(
      'scan.tif is image/tiff, not an image this app can read. Use PNG, JPEG, WebP, GIF or BMP.',
    );
    expect(await refusal(new File([], 'blank.png', { type: 'image/png' }))).toBe('blank.png is empty.');
  });

  it('reads the upright size of a photo taken sideways from its EXIF orientation', async () => {
    const sideways = await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#888888' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const result = await checkImageBlob(new File([new Uint8Array(sideways)], 'sideways.jpg', { type: 'image/jpeg' }));
    expect(result).toMatchObject({ ok: true, image: { size: { width: 600, height: 1200 }, orientationKnown: true } });
  });

  it('says when a PNG may carry an orientation the header reader cannot see', async () => {
    const rotatedPng = await sharp(await gradientPng(40, 20)).withMetadata({ orientation: 6 }).png().toBuffer();
    expect(checkImage({ name: 'rotated.png', type: 'image/png' }, rotatedPng)).toMatchObject({ ok: true, image: { orientationKnown: false } });
    expect(checkImage({ name: 'plain.png', type: 'image/png' }, await gradientPng(40, 20))).toMatchObject({
      ok: true,
      image: { orientationKnown: true, size: { width: 40, height: 20 } },
    });
  });
});
