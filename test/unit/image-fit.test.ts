import { describe, expect, it } from 'vitest';
import { MIN_IMAGE_SIDE, planImageFit } from '../../src/core/image-fit.ts';
import { fitImageSize, MODEL_FAMILIES } from '../../src/core/model-families.ts';

describe('fitImageSize: what the model sees (the caption shows it)', () => {
  it('keeps ordinary images as they were: scaled to one tile, aspect ratio kept', () => {
    expect(fitImageSize(1024, 768, 512)).toEqual({ width: 512, height: 384 });
    expect(fitImageSize(300, 200, 512)).toEqual({ width: 300, height: 200 });
    expect(fitImageSize(600, 1200, 512)).toEqual({ width: 256, height: 512 });
    expect(fitImageSize(64, 64, 512)).toEqual({ width: 64, height: 64 });
  });

  it('never gives the processor a side thinner than the minimum: a 4000×2 strip is seen as 512×28, not 512×1', () => {
    expect(fitImageSize(4000, 2, 512)).toEqual({ width: 512, height: MIN_IMAGE_SIDE });
    expect(fitImageSize(2, 4000, 448)).toEqual({ width: MIN_IMAGE_SIDE, height: 448 });
    expect(fitImageSize(100, 1, 512)).toEqual({ width: 100, height: MIN_IMAGE_SIDE });
    // Smaller than the minimum both ways: padded to a square of its longer side, never enlarged beyond it.
    expect(fitImageSize(10, 1, 512)).toEqual({ width: 10, height: 10 });
    expect(fitImageSize(1, 1, 512)).toEqual({ width: 1, height: 1 });
  });

  it('keeps every family within an aspect ratio its processor can shrink to one tile without a zero side', () => {
    for (const { maxImageSide } of Object.values(MODEL_FAMILIES)) {
      for (const [width, height] of [[4000, 2], [2, 4000], [50_000, 1], [513, 1], [512, 27], [3, 1]] as const) {
        const seen = fitImageSize(width, height, maxImageSide);
        expect(Math.max(seen.width, seen.height)).toBeLessThanOrEqual(maxImageSide);
        expect(Math.max(seen.width, seen.height) / Math.min(seen.width, seen.height)).toBeLessThanOrEqual(maxImageSide / MIN_IMAGE_SIDE);
      }
    }
  });
});

describe('planImageFit', () => {
  it('scales the picture and centres it on a neutral canvas when a side is padded', () => {
    expect(planImageFit(4000, 2, 512)).toEqual({
      content: { width: 512, height: 1 },
      canvas: { width: 512, height: MIN_IMAGE_SIDE },
      offset: { x: 0, y: 13 },
    });
    expect(planImageFit(1024, 768, 512)).toEqual({
      content: { width: 512, height: 384 },
      canvas: { width: 512, height: 384 },
      offset: { x: 0, y: 0 },
    });
  });
});
