import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LFM2_VL } from './tiny-model/families/lfm2-vl.ts';
import { QWEN3_5 } from './tiny-model/families/qwen3-5.ts';
import { SMOLVLM } from './tiny-model/families/smolvlm.ts';
import {
  BENIGN_LEVEL_ALTERNATIVES,
  BENIGN_SCRIPT,
  DEFAULT_SCRIPT,
  planScript,
  type ScriptAlternative,
} from './tiny-model/scripted-model.ts';
import type { TinyFamily } from './tiny-model/tiny-family.ts';
import { DEFAULT_SEED, writeTinyModel, type WrittenModel } from './tiny-model/write-model-folder.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const testModels = (name: string): string => resolve(repoRoot, 'models/test', name);

// Writes the test models under --models-dir (default models/test): per family (SmolVLM, LFM2-VL, Qwen3.5) a
// random-weight one, tiny-<family>, and a scripted one, tiny-<family>-scripted, whose greedy output is the text of
// --script-file (default: the app's sample rewrite, DEFAULT_SCRIPT) followed by the family's EOS; and for SmolVLM the
// benign one, whose greedy output is the pass-through BENIGN_SCRIPT, with every risk level weighed at the level.
const { values } = parseArgs({
  options: {
    'models-dir': { type: 'string', default: testModels('') },
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
const modelsDir = resolve(values['models-dir']);

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

async function writeScripted(family: TinyFamily, name: string, script: string, alternatives?: readonly ScriptAlternative[]) {
  const plan = planScript(family.tokenizer, script, alternatives);
  const texts = plan.alternatives.reduce((sum, group) => sum + group.texts.length, 0);
  const details = `seed ${seed}, ${plan.chunks.length}-token script${texts > 0 ? `, ${texts} alternatives` : ''}`;
  const outDir = resolve(modelsDir, name);
  report(name, details, outDir, await writeTinyModel({ outDir, family, seed, force: values.force, script, alternatives }));
}

for (const family of [SMOLVLM, LFM2_VL, QWEN3_5]) {
  const name = `tiny-${family.name}`;
  const outDir = resolve(modelsDir, name);
  report(name, `seed ${seed}`, outDir, await writeTinyModel({ outDir, family, seed, force: values.force }));
  await writeScripted(family, `${name}-scripted`, script);
}
await writeScripted(SMOLVLM, 'tiny-smolvlm-benign', BENIGN_SCRIPT, BENIGN_LEVEL_ALTERNATIVES);
