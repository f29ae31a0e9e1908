import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, writeTinyModel } from './tiny-model/write-model-folder.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: resolve(repoRoot, 'models/test/tiny-smolvlm') },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    force: { type: 'boolean', default: false },
  },
});

const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
  console.error(`--seed must be an integer in [0, 2^32) (got ${values.seed})`);
  process.exit(2);
}

const outDir = resolve(values.out);
const result = await writeTinyModel({ outDir, seed, force: values.force });
const fromCwd = relative(process.cwd(), outDir);
const where = fromCwd === '' ? '.' : fromCwd.startsWith('..') || isAbsolute(fromCwd) ? outDir : fromCwd;
const kib = (result.bytes / 1024).toFixed(1);
console.log(
  result.reused
    ? `tiny-smolvlm (seed ${seed}) already up to date in ${where}: ${result.files.length} files, ${kib} KiB`
    : `Wrote tiny-smolvlm (seed ${seed}) to ${where}: ${result.files.length} files, ${kib} KiB`,
);
