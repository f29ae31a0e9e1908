import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  BENIGN_LEVEL_ALTERNATIVES,
  BENIGN_SCRIPT,
  DEFAULT_SCRIPT,
  planScript,
  type ScriptAlternative,
} from './tiny-model/scripted-model.ts';
import { DEFAULT_SEED, writeTinyModel, type WrittenModel } from './tiny-model/write-model-folder.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Writes the three test models: the random-weight one (--out); the scripted one (--scripted-out), whose greedy output
// is the text of --script-file (default: the app's sample rewrite, DEFAULT_SCRIPT) followed by EOS; and the benign one
// (--benign-out), whose greedy output is the pass-through BENIGN_SCRIPT, with every risk level weighed at the level.
const { values } = parseArgs({
  options: {
    out: { type: 'string', default: resolve(repoRoot, 'models/test/tiny-smolvlm') },
    'scripted-out': { type: 'string', default: resolve(repoRoot, 'models/test/tiny-smolvlm-scripted') },
    'script-file': { type: 'string' },
    'benign-out': { type: 'string', default: resolve(repoRoot, 'models/test/tiny-smolvlm-benign') },
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

async function writeScripted(name: string, outDir: string, script: string, alternatives?: readonly ScriptAlternative[]) {
  const plan = planScript(script, alternatives);
  const texts = plan.alternatives.reduce((sum, group) => sum + group.texts.length, 0);
  const details = `seed ${seed}, ${plan.chunks.length}-token script${texts > 0 ? `, ${texts} alternatives` : ''}`;
  report(name, details, outDir, await writeTinyModel({ outDir, seed, force: values.force, script, alternatives }));
}

await writeScripted('tiny-smolvlm-scripted', resolve(values['scripted-out']), script);
await writeScripted('tiny-smolvlm-benign', resolve(values['benign-out']), BENIGN_SCRIPT, BENIGN_LEVEL_ALTERNATIVES);
