/**
 * Writes the random-weight SmolVLM-256M-sized model the benchmark runs on (fp32 and q4), skipping the work when the
 * folder is up to date:  npm run models:realistic [-- --out DIR] [--force]
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REALISTIC_MODEL_DIR } from './bench-paths.ts';
import { writeRealisticModel } from './realistic-model.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: REALISTIC_MODEL_DIR },
    force: { type: 'boolean', default: false },
  },
});

const outDir = resolve(values.out);
const started = performance.now();
const model = await writeRealisticModel({ outDir, force: values.force });
const where = relative(process.cwd(), outDir) || '.';
const size =
  `${model.files.length} files, ${(model.bytes / 2 ** 30).toFixed(2)} GiB, ${model.merges} BPE merges, ` +
  `${model.wordFillers} word-piece filler entries`;
const seconds = ((performance.now() - started) / 1000).toFixed(model.tokenizerOnly ? 1 : 0);
console.log(
  model.reused
    ? `smolvlm-256m-random already up to date in ${where}: ${size}`
    : `Wrote ${model.tokenizerOnly ? 'the tokenizer of ' : ''}smolvlm-256m-random to ${where} in ${seconds} s: ${size}`,
);
