import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SCRIPT, planScript } from './tiny-model/scripted-model.ts';
import { DEFAULT_SEED, writeTinyModel, type WrittenModel } from './tiny-model/write-model-folder.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Writes both test models: the random-weight one (--out) and the scripted one (--scripted-out), whose greedy output is
// the text of --script-file (default: the app's sample rewrite, DEFAULT_SCRIPT) followed by EOS.
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: resolve(repoRoot, 'models/test/tiny-smolvlm') },
    'scripted-out': { type: 'string', default: resolve(repoRoot, 'models/test/tiny-smolvlm-scripted') },
    'script-file': { type: 'string' },
    seed: { type: 'string', default: String(DEFAULT_SEED) },
    force: { type: 'boolean', default: false },
  },
});

const seed = Number(values.seed);
if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
  console.error(`--seed must be an integer in [0, 2^32) (got ${values.seed})`);
  process.exit(2);
}
const scriptFile = values['script-file'];
const script = scriptFile === undefined ? DEFAULT_SCRIPT : await readFile(resolve(scriptFile), 'utf8');

function report(name: string, details: string, outDir: string, result: WrittenModel): void {
  const fromCwd = relative(process.cwd(), outDir);
  const where = fromCwd === '' ? '.' : fromCwd.startsWith('..') || isAbsolute(fromCwd) ? outDir : fromCwd;
  const kib = (result.bytes / 1024).toFixed(1);
  console.log(
    result.reused
      ? `${name} (${details}) already up to date in ${where}: ${result.files.length} files, ${kib} KiB`
      : `Wrote ${name} (${details}) to ${where}: ${result.files.length} files, ${kib} KiB`,
  );
}

const outDir = resolve(values.out);
report('tiny-smolvlm', `seed ${seed}`, outDir, await writeTinyModel({ outDir, seed, force: values.force }));

const scriptedOutDir = resolve(values['scripted-out']);
const steps = planScript(script).chunks.length;
report(
  'tiny-smolvlm-scripted',
  `seed ${seed}, ${steps}-token script`,
  scriptedOutDir,
  await writeTinyModel({ outDir: scriptedOutDir, seed, force: values.force, script }),
);
