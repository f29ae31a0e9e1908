import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { createSeededRandom } from '../tiny-model/seeded-random.ts';

export interface BenchImageSet {
  /** Distinct photos-like JPEGs, one per rewrite that must see a new image. */
  distinct: string[];
  /** The large photo of the official-configuration comparison. */
  large: string;
  size: { width: number; height: number };
  largeSize: { width: number; height: number };
}

/**
 * Writes the benchmark's images: smooth colour fields with a few shapes and some noise, so that JPEG sizes and
 * decode times resemble photos, each one different (seeded by its index). Deterministic.
 */
export async function writeBenchImages(
  dir: string,
  count: number,
  size = { width: 1024, height: 768 },
  largeSize = { width: 2048, height: 1536 },
): Promise<BenchImageSet> {
  await mkdir(dir, { recursive: true });
  const distinct: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `photo-${i}.jpg`);
    await writeFile(path, await photoLikeJpeg(size.width, size.height, i + 1));
    distinct.push(path);
  }
  const large = join(dir, 'large.jpg');
  await writeFile(large, await photoLikeJpeg(largeSize.width, largeSize.height, 9999));
  return { distinct, large, size, largeSize };
}

async function photoLikeJpeg(width: number, height: number, seed: number): Promise<Buffer> {
  const random = createSeededRandom(seed);
  const pixels = Buffer.alloc(width * height * 3);
  const base = [random.uniform(), random.uniform(), random.uniform()].map((value) => 60 + value * 140);
  const shapes = Array.from({ length: 6 }, () => ({
    x: random.uniform() * width,
    y: random.uniform() * height,
    r: (0.05 + random.uniform() * 0.2) * width,
    colour: [random.uniform() * 255, random.uniform() * 255, random.uniform() * 255],
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        let value = (base[c] ?? 0) + 50 * Math.sin((x / width) * 3 + c + seed) * Math.cos((y / height) * 2 + c);
        for (const shape of shapes) {
          if ((x - shape.x) ** 2 + (y - shape.y) ** 2 < shape.r ** 2) value = value * 0.3 + (shape.colour[c] ?? 0) * 0.7;
        }
        pixels[offset + c] = Math.max(0, Math.min(255, value + (random.uniform() - 0.5) * 24));
      }
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
}
