import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoImages } from '../../scripts/demo/render-demo-images.ts';
import { DEMO_CASES } from '../../src/core/demo-cases.ts';

const publicDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../public');
const REGENERATE = 'run `npx tsx scripts/generate-demo-images.ts` and commit public/demo/';

let workDir: string;
let firstRun: Map<string, Buffer>;
let secondRun: Map<string, Buffer>;

async function renderInto(dir: string): Promise<Map<string, Buffer>> {
  const written = await writeDemoImages(dir);
  return new Map(await Promise.all(written.map(async (image) => [image.id, await readFile(image.path)] as const)));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'vlmguard-demo-'));
  firstRun = await renderInto(join(workDir, 'first'));
  secondRun = await renderInto(join(workDir, 'second'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function pixels(png: Buffer) {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, info };
}

describe.each(DEMO_CASES.map((demo) => [demo.id, demo] as const))('demo image %s', (id, demo) => {
  it('renders to the same bytes on every run', () => {
    expect(firstRun.get(id)!.equals(secondRun.get(id)!)).toBe(true);
  });

  it('is committed under public/, decodes, has the listed size and stays small', async () => {
    const committed = await readFile(join(publicDir, demo.imagePath)).catch(() => {
      throw new Error(`public/${demo.imagePath} is missing: ${REGENERATE}`);
    });
    const meta = await sharp(committed).metadata();
    expect(meta).toMatchObject({ format: 'png', width: demo.width, height: demo.height });
    expect(committed.length).toBeLessThan(100 * 1024);
  });

  it('matches what the script draws now, pixel for pixel', async () => {
    const committed = await pixels(await readFile(join(publicDir, demo.imagePath)));
    const fresh = await pixels(firstRun.get(id)!);
    expect(fresh.info).toEqual(committed.info);
    expect(fresh.data.equals(committed.data), `public/${demo.imagePath} is out of date: ${REGENERATE}`).toBe(true);
  });

  it('has real content: many colours, nothing transparent', async () => {
    const { data } = await pixels(firstRun.get(id)!);
    const colours = new Set<number>();
    let transparent = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] !== 255) transparent += 1;
      colours.add(data.readUInt32BE(i));
    }
    expect(transparent).toBe(0);
    expect(colours.size).toBeGreaterThanOrEqual(16);
  });
});

describe('typographic demo image', () => {
  it('is mostly white page with a few percent of dark ink (the text)', async () => {
    const demo = DEMO_CASES.find((candidate) => candidate.kind === 'typographic')!;
    const { data, info } = await pixels(firstRun.get(demo.id)!);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! < 96 && data[i + 1]! < 96 && data[i + 2]! < 96) ink += 1;
    const share = ink / (info.width * info.height);
    expect(share).toBeGreaterThan(0.02);
    expect(share).toBeLessThan(0.2);
  });
});
