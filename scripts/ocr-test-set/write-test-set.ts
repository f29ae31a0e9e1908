/**
 * npm run ocr:test-set [-- --seed N] [--quick] [--out DIR]: renders the typographic OCR test set (cases.ts) to
 * bench-results/.ocr-test-set/seed-N[-quick]/, PNGs and manifest.json. Seed 1 is the one the benchmark reports;
 * seed 2 is for tuning the OCR options.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPORT_SEED } from './cases.ts';
import { OCR_TEST_SET_ROOT, testSetFolder, writeTestSet } from './test-set.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(REPORT_SEED) },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('npm run ocr:test-set -- [--seed N] [--quick] [--out DIR]');
  process.exit(0);
}
const seed = Number.parseInt(values.seed, 10);
if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed ${values.seed}: expected a whole number ≥ 0`);
const outDir = resolve(values.out ?? testSetFolder(OCR_TEST_SET_ROOT, seed, values.quick));
const started = performance.now();
const manifest = await writeTestSet({ seed, quick: values.quick, outDir });
const words = manifest.images.reduce((sum, image) => sum + image.lines.join(' ').split(/\s+/).filter(Boolean).length, 0);
console.log(`${manifest.images.length} images (${words} words) in ${outDir} (${Math.round(performance.now() - started)} ms)`);
