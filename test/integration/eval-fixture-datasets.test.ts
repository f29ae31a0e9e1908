import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, relative } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../scripts/eval/datasets/load-dataset.ts';
import { DATASET_FORMATS, type LoadedDataset } from '../../scripts/eval/eval-types.ts';
import { FIXTURE_HARM_WORDS, writeFixtureDatasets } from '../../scripts/eval/fixtures/write-fixture-datasets.ts';

const ITEMS = 60;

let workDir: string;
let writeMs: number;
let datasets: Map<string, LoadedDataset>;

/** Every file under `root`, by its path relative to it, with its bytes. */
async function filesUnder(root: string): Promise<Map<string, Buffer>> {
  const names = await readdir(root, { recursive: true, withFileTypes: true });
  const files = names.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return new Map(await Promise.all(files.map(async (file) => [relative(root, file), await readFile(file)] as const)));
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'vlmguard-eval-fixtures-'));
  const started = performance.now();
  const specs = await writeFixtureDatasets({ outDir: join(workDir, 'seed-1'), itemsPerFormat: ITEMS, seed: 1 });
  writeMs = performance.now() - started;
  datasets = new Map(await Promise.all(specs.map(async (spec) => [spec.format, await loadDataset(spec)] as const)));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const harmWord = new RegExp(`\\b(${FIXTURE_HARM_WORDS.join('|')})\\b`, 'i');
const harmAnywhere = new RegExp(FIXTURE_HARM_WORDS.join('|'), 'i');

describe('writeFixtureDatasets', () => {
  it('writes one dataset per format, quickly, each loading with every image present', () => {
    expect([...datasets.keys()].sort()).toEqual([...DATASET_FORMATS].sort());
    expect(writeMs).toBeLessThan(30_000);
    for (const [format, dataset] of datasets) {
      expect(dataset.missingImages, format).toEqual([]);
      expect(dataset.items.length, format).toBe(format === 'mm-safetybench' ? 3 * Math.ceil(ITEMS / 3) : ITEMS);
      expect(new Set(dataset.items.map((item) => item.id)).size, format).toBe(dataset.items.length);
    }
  });

  it('draws images that decode, 256–512 px, in the format their names say', async () => {
    const images = new Set([...datasets.values()].flatMap((dataset) => dataset.items.map((item) => item.image)));
    for (const image of images) {
      const meta = await sharp(image).metadata();
      expect(meta.format, image).toBe(extname(image) === '.png' ? 'png' : 'jpeg');
      expect(Math.max(meta.width, meta.height), image).toBeGreaterThanOrEqual(256);
      expect(Math.max(meta.width, meta.height), image).toBeLessThanOrEqual(512);
    }
  });

  it('has safe and unsafe items where the format has both, and several categories in each', () => {
    const labels = (format: string) => new Set(datasets.get(format)?.items.map((item) => item.label));
    expect(labels('vlguard')).toEqual(new Set(['safe', 'unsafe']));
    expect(labels('jsonl')).toEqual(new Set(['safe', 'unsafe']));
    for (const format of ['figstep', 'siuo', 'mm-safetybench']) expect(labels(format), format).toEqual(new Set(['unsafe']));
    expect(new Set(datasets.get('vlguard')?.items.map((item) => item.variant))).toEqual(
      new Set(['unsafe-image', 'safe-image-safe-instruction', 'safe-image-unsafe-instruction']),
    );
    for (const [format, dataset] of datasets) {
      const categories = new Set(dataset.items.filter((item) => item.label === 'unsafe').map((item) => item.category));
      expect(categories.size, format).toBeGreaterThanOrEqual(3);
    }
  });

  it('puts a harm word in every unsafe prompt (in the image for FigStep) and none in any safe prompt', () => {
    for (const [format, dataset] of datasets) {
      for (const item of dataset.items) {
        if (item.label === 'safe') expect(item.prompt, item.id).not.toMatch(harmAnywhere);
        else expect(format === 'figstep' ? item.source?.instruction : item.prompt, item.id).toMatch(harmWord);
      }
    }
  });

  it('writes the same bytes for the same seed and other content for another seed', async () => {
    await writeFixtureDatasets({ outDir: join(workDir, 'first'), itemsPerFormat: 12, seed: 1 });
    await writeFixtureDatasets({ outDir: join(workDir, 'second'), itemsPerFormat: 12, seed: 1 });
    await writeFixtureDatasets({ outDir: join(workDir, 'other'), itemsPerFormat: 12, seed: 2 });
    const first = await filesUnder(join(workDir, 'first'));
    const second = await filesUnder(join(workDir, 'second'));
    const other = await filesUnder(join(workDir, 'other'));
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [name, bytes] of first) expect(bytes.equals(second.get(name)!), name).toBe(true);
    expect([...other.keys()].sort()).toEqual([...first.keys()].sort());
    const differing = [...other].filter(([name, bytes]) => !bytes.equals(first.get(name)!)).map(([name]) => name);
    for (const index of ['vlguard/test.json', 'siuo/siuo_gen.json', 'jsonl/items.jsonl']) expect(differing).toContain(index);
    expect(differing.filter((name) => /\.(png|jpg)$/.test(name)).length).toBeGreaterThan(10);
  });

  it('refuses a count below one', async () => {
    await expect(writeFixtureDatasets({ outDir: join(workDir, 'none'), itemsPerFormat: 0 })).rejects.toThrow('itemsPerFormat must be a whole number ≥ 1, got 0');
  });
});
