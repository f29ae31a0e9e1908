/** Writes the OCR test set: one PNG per case and manifest.json with each image's conditions and exact lines. */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULTS_DIR } from '../bench/bench-paths.ts';
import { planTestSet, quickSubset, type CaseConditions, type CaseGroup } from './cases.ts';
import { checkTestFonts, renderCase, type TextBox } from './render.ts';

/** Where the sets are written (gitignored with bench-results/). */
export const OCR_TEST_SET_ROOT = `${RESULTS_DIR}.ocr-test-set`;

/** Bump when a change to the generator changes the images a seed gives. */
export const TEST_SET_VERSION = 1;

export interface TestImage {
  id: string;
  /** The PNG's file name, beside the manifest. */
  file: string;
  group: CaseGroup;
  width: number;
  height: number;
  conditions: CaseConditions;
  lines: string[];
  textBox: TextBox | null;
}

export interface TestSetManifest {
  version: number;
  seed: number;
  /** The quick benchmark's few images only (cases.ts quickSubset). */
  quick: boolean;
  images: TestImage[];
}

export interface TestSetOptions {
  seed: number;
  quick: boolean;
  outDir: string;
}

/** The set's folder below `root` (bench-results/.ocr-test-set/ by default). */
export function testSetFolder(root: string, seed: number, quick: boolean): string {
  return join(root, `seed-${seed}${quick ? '-quick' : ''}`);
}

/** Renders every case of the seed's plan into `outDir` (emptied of older PNGs first) and writes the manifest. */
export async function writeTestSet({ seed, quick, outDir }: TestSetOptions): Promise<TestSetManifest> {
  await checkTestFonts();
  await mkdir(outDir, { recursive: true });
  for (const name of await readdir(outDir)) {
    if (name.endsWith('.png')) await rm(join(outDir, name));
  }
  const all = planTestSet(seed);
  const cases = quick ? quickSubset(all) : all;
  const images: TestImage[] = [];
  for (const testCase of cases) {
    const rendered = await renderCase(testCase);
    const file = `${testCase.id}.png`;
    await writeFile(join(outDir, file), rendered.png);
    images.push({
      id: testCase.id,
      file,
      group: testCase.group,
      width: rendered.width,
      height: rendered.height,
      conditions: testCase.conditions,
      lines: testCase.lines,
      textBox: rendered.textBox,
    });
  }
  const manifest: TestSetManifest = { version: TEST_SET_VERSION, seed, quick, images };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
