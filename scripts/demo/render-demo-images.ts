import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
import { DEMO_CASES, type DemoCase } from '../../src/core/demo-cases.ts';
import { DEMO_SCENES } from './scenes.ts';

/** The SVG source of a demo case's picture. */
export function demoSceneSvg(demo: DemoCase): string {
  const scene = DEMO_SCENES[demo.id];
  if (!scene) throw new Error(`No scene is drawn for demo case ${demo.id}`);
  return scene(demo);
}

/**
 * A demo picture as PNG: an indexed palette (flat drawings need few colours, which keeps each
 * file far under 100 KB) and maximum zlib compression, without metadata, so the bytes depend on
 * the SVG and sharp's version only.
 */
export async function renderDemoImage(demo: DemoCase): Promise<Buffer> {
  return sharp(Buffer.from(demoSceneSvg(demo)), { density: 72 })
    .resize(demo.width, demo.height, { fit: 'fill' })
    .png({ palette: true, colours: 64, dither: 0.5, compressionLevel: 9, effort: 10 })
    .toBuffer();
}

export interface WrittenDemoImage {
  id: string;
  path: string;
  bytes: number;
}

/** Writes every demo case's picture into outDir (public/demo in the app), under its file name. */
export async function writeDemoImages(outDir: string, cases: readonly DemoCase[] = DEMO_CASES): Promise<WrittenDemoImage[]> {
  await mkdir(outDir, { recursive: true });
  const written: WrittenDemoImage[] = [];
  for (const demo of cases) {
    const png = await renderDemoImage(demo);
    const path = join(outDir, basename(demo.imagePath));
    await writeFile(path, png);
    written.push({ id: demo.id, path, bytes: png.length });
  }
  return written;
}
