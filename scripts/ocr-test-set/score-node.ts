/**
 * npm run ocr:score [-- --seed N] [--quick] [-v]: renders the test set (as npm run ocr:test-set) and reads it with
 * the app's OCR in Node (onnxruntime-node), then prints word recall per group. -v lists each image's missing words
 * and what OCR read there. Tune the OCR options on seed 2; the benchmark reports seed 1.
 */
import { parseArgs } from 'node:util';
import { createNodeImageTextReader } from '../lib/node-ocr.ts';
import { TUNING_SEED } from './cases.ts';
import { describeScore, scoreReadings, type FoundLine } from './score.ts';
import { OCR_TEST_SET_ROOT, testSetFolder, writeTestSet } from './test-set.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(TUNING_SEED) },
    quick: { type: 'boolean', default: false },
    verbose: { type: 'boolean', short: 'v', default: false },
  },
});
const seed = Number.parseInt(values.seed, 10);
const dir = testSetFolder(OCR_TEST_SET_ROOT, seed, values.quick);
const manifest = await writeTestSet({ seed, quick: values.quick, outDir: dir });
const reader = await createNodeImageTextReader();
const readings = new Map<string, FoundLine[]>();
const times: number[] = [];
for (const image of manifest.images) {
  const reading = await reader.read(new Blob([new Uint8Array(await readFile(join(dir, image.file)))], { type: 'image/png' }));
  readings.set(image.id, reading.lines);
  times.push(reading.ms);
}
await reader.dispose();
const score = scoreReadings(manifest.images, readings);
console.log(`seed ${seed}, ${dir}`);
for (const line of describeScore(score)) console.log(line);
const sorted = [...times].sort((a, b) => a - b);
console.log(`time per image: median ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms (first ${Math.round(times[0] ?? 0)} ms)`);
if (values.verbose) {
  for (const image of score.images.filter((item) => item.recall.missing.length > 0)) {
    console.log(`${image.id}: missing ${image.recall.missing.join(' ')}; read ${JSON.stringify(image.kept)}`);
  }
}
