import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RECIPES_BY_FAMILY } from '../../src/core/model-catalog.ts';
import { LLAMA_FACTORY_TRAIN_DATASET, LLAMA_FACTORY_VALIDATION_DATASET } from '../../scripts/synthesize/trainer-exports.ts';

const run = promisify(execFile);
const TRAIN = fileURLToPath(new URL('../../scripts/train/', import.meta.url));

async function filesUnder(folder: string, ending: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith(ending)).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the training recipes', () => {
  it('every Python script compiles', async () => {
    const scripts = await filesUnder(TRAIN, '.py');
    expect(scripts.map((file) => path.basename(file)).sort()).toEqual(['export_onnx.py', 'train_smolvlm.py', 'train_trl.py']);
    const cache = await mkdtemp(path.join(tmpdir(), 'train-recipes-'));
    try {
      await run('python3', ['-m', 'py_compile', ...scripts], { env: { ...process.env, PYTHONPYCACHEPREFIX: cache } });
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it.each([
    ['train_trl.py', ['--model', '--data', '--out', '--lora', '--full', '--epochs', '--lr', '--batch', '--grad-accum']],
    ['export_onnx.py', ['--model', '--out', '--dtypes', '--block-size']],
    ['llama-factory/train_smolvlm.py', ['config']],
  ])('%s --help runs without torch and lists its flags', async (script, flags) => {
    const { stdout } = await run('python3', ['-S', path.join(TRAIN, script), '--help'], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    for (const flag of flags) expect(stdout).toContain(flag);
  });

  it("export_onnx.py writes, by default, every dtype SmolVLM's recipes load", async () => {
    const { stdout } = await run('python3', ['-S', path.join(TRAIN, 'export_onnx.py'), '--help'], { env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    const defaults = /\(default:\s*([\w,\s]+?)\)/.exec(stdout.slice(stdout.lastIndexOf('--dtypes DTYPES')))?.[1]?.replace(/\s/g, '').split(',');
    const loaded = new Set(Object.values(RECIPES_BY_FAMILY.smolvlm).flatMap((recipe) => Object.values(recipe)));
    expect(defaults).toEqual(expect.arrayContaining([...loaded]));
  });

  it('every requirements file pins each package to one version', async () => {
    for (const file of await filesUnder(TRAIN, 'requirements.txt')) {
      const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line, `${file}: ${line}`).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*==\d+(\.\d+)*$/);
    }
    const main = await readFile(path.join(TRAIN, 'requirements.txt'), 'utf8');
    const names = main.split('\n').map((line) => line.split('==')[0]);
    expect(names).toEqual(expect.arrayContaining(['torch', 'transformers', 'trl', 'peft', 'accelerate', 'datasets', 'pillow', 'onnx', 'onnxruntime']));
  });

  it.each(['smolvlm_lora_sft.yaml', 'smolvlm_full_sft.yaml'])('%s is an SFT config over our export, with the template the launcher registers', async (name) => {
    const config = parse(await readFile(path.join(TRAIN, 'llama-factory', name), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ stage: 'sft', do_train: true, template: 'smolvlm', dataset_dir: 'EXPORT/llama-factory', media_dir: 'EXPORT' });
    expect(String(config['model_name_or_path'])).toMatch(/^HuggingFaceTB\/SmolVLM-(256M|500M)-Instruct$/);
    expect([LLAMA_FACTORY_TRAIN_DATASET, LLAMA_FACTORY_VALIDATION_DATASET]).toContain(config['dataset']);
    expect(config['finetuning_type']).toBe(name.includes('lora') ? 'lora' : 'full');
    for (const key of ['output_dir', 'learning_rate', 'num_train_epochs', 'per_device_train_batch_size', 'gradient_accumulation_steps', 'cutoff_len']) {
      expect(config, key).toHaveProperty(key);
    }
    const launcher = await readFile(path.join(TRAIN, 'llama-factory', 'train_smolvlm.py'), 'utf8');
    expect(launcher).toContain(`TEMPLATE = "${String(config['template'])}"`);
  });
});
