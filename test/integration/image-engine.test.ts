import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { VlmEngine } from '../../src/engine/vlm-engine.ts';
import { gradientPng, pngHeaderBomb, SVG_BYTES } from '../support/image-fixtures.ts';
import { LOCAL_SOURCE, NODE_CAPABILITIES, TINY_MODEL } from '../support/tiny-model.ts';

let engine: VlmEngine;
beforeAll(async () => {
  engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES });
  await engine.load({ model: TINY_MODEL, source: LOCAL_SOURCE, preference: 'auto' }, () => undefined);
});
afterAll(() => engine.dispose());

function rewrite(image: Blob) {
  return engine.generate({ image, messages: buildRewriteMessages('What does this say?'), maxNewTokens: 6, outputFormat: null }, () => undefined);
}

describe('every image the check accepts rewrites (real engine, tiny model)', () => {
  it.each([
    [4000, 2],
    [2, 4000],
    [600, 1],
    [1, 1],
  ])('a %i×%i image gives a rewrite', async (width, height) => {
    const result = await rewrite(new File([new Uint8Array(await gradientPng(width, height))], 'strip.png', { type: 'image/png' }));
    expect(result.tokenCount).toBe(6);
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.image.original).toEqual({ width, height });
  });

  it('tells what the model saw: the strip padded to the minimum side', async () => {
    const result = await rewrite(new File([new Uint8Array(await gradientPng(4000, 2))], 'strip.png', { type: 'image/png' }));
    expect(result.image.processed).toEqual({ width: 512, height: 28 });
  });
});

describe('the worker refuses what the page refuses, with the same messages, before decoding', () => {
  it('refuses an SVG even when it claims to be a PNG', async () => {
    await expect(rewrite(new File([SVG_BYTES], 'logo.png', { type: 'image/png' }))).rejects.toThrow(
      'logo.png is an SVG. Vector images are not accepted; use PNG, JPEG, WebP, GIF or BMP.',
    );
  });

  it('refuses a decoding bomb from its header', async () => {
    await expect(rewrite(new File([pngHeaderBomb(100_000, 100_000)], 'bomb.png', { type: 'image/png' }))).rejects.toThrow(
      'bomb.png is 100000×100000 (10000 megapixels); the limit is 50 megapixels. Scale it down first.',
    );
  });

  it('refuses an image over the pixel limit that a decoder would happily read', async () => {
    // A real 56-megapixel PNG (one colour, so the file is small): sharp would decode all 168 MB of it.
    const big = await sharp({ create: { width: 8000, height: 7000, channels: 3, background: '#777777' } }).png().toBuffer();
    await expect(rewrite(new Blob([new Uint8Array(big)]))).rejects.toThrow(
      'The image is 8000×7000 (56 megapixels); the limit is 50 megapixels. Scale it down first.',
    );
  });
});
