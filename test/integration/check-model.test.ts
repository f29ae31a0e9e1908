import { cp, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckModelReport } from '../../scripts/check-model/check-model-report.ts';
import { PROBE_CASES } from '../../scripts/check-model/probe-set.ts';
import { UNCONSTRAINED_ADHERENCE_MIN, VERDICT_THRESHOLDS } from '../../scripts/check-model/verdict.ts';
import { repoScript } from '../support/cli-process.ts';
import { SCRIPTED_MODEL_DIR, TINY_MODEL_DIR } from '../support/tiny-model.ts';

/** Enough for the random model's constrained output to reach [END] on the tiny vocabulary (one token per byte). */
const MAX_NEW_TOKENS = '192';
const cli = repoScript('scripts/check-model/run-check-model.ts');
const run = (args: string[]) => cli.run(['--offline', '--max-new-tokens', MAX_NEW_TOKENS, ...args]);

/** A run that must succeed: its stdout. */
async function checkModel(...args: string[]): Promise<string> {
  const { code, stdout, stderr } = await run(args);
  if (code !== 0) throw new Error(`check-model ${args.join(' ')} exited ${code}: ${stderr}`);
  return stdout;
}

async function checkModelJson(folder: string): Promise<CheckModelReport> {
  return JSON.parse(await checkModel(folder, '--json')) as CheckModelReport;
}

/** The exit code and stderr of a run that must fail. */
async function failure(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  const { code, stderr } = await run(args);
  if (code === 0) throw new Error(`check-model ${args.join(' ')} succeeded`);
  return { code, stderr };
}

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'check-model-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('npm run check-model on the tiny models', () => {
  let scripted: CheckModelReport;
  beforeAll(async () => {
    scripted = await checkModelJson(SCRIPTED_MODEL_DIR);
  });

  it('finds that the scripted model drops in by format, and that it does not respect the labels', () => {
    const report = scripted;
    const runs = PROBE_CASES.length;
    expect(report.verdict.format).toBe('drops-in');
    expect(report.modes.unconstrained.parsedComplete).toBe(runs);
    expect(report.modes.constrained.constraintComplete).toBe(runs);
    // It writes the same risky rewrite for every probe: the benign ones get rewritten, never passed through.
    for (const mode of ['unconstrained', 'constrained'] as const) {
      expect(report.modes[mode].outcomes.rewritten).toBe(runs);
      expect(report.modes[mode].safe.passedThrough).toBe(0);
      expect(report.verdict.labels[mode].respected).toBe(false);
      expect(report.verdict.labels[mode].reasons[0]).toContain('it would rewrite or wrap benign requests');
    }
    expect(report.levelSpread.separates).toBe(false);
    expect(report.verdict.summary).toMatch(/^Drops in: it writes the format by itself/);
  });

  it('finds that the random-weight model fails the format unconstrained and drops in constrained only', async () => {
    const report = await checkModelJson(TINY_MODEL_DIR);
    const { unconstrained, constrained } = report.modes;
    expect(unconstrained.parsedComplete / unconstrained.runs).toBeLessThan(UNCONSTRAINED_ADHERENCE_MIN);
    expect(unconstrained.outcomes.fallback).toBe(unconstrained.runs);
    expect(constrained.constraintComplete).toBe(constrained.runs);
    expect(constrained.outcomes.fallback).toBe(0);
    expect(report.verdict.format).toBe('constrained-only');
    expect(report.verdict.summary).toMatch(/^Drops in with constrained decoding only/);
    expect(report.levelSpread.safe?.n).toBe(PROBE_CASES.filter((probe) => probe.label === 'safe').length);
  });

  it('prints the JSON report in its documented shape', () => {
    const report = scripted;
    expect(Object.keys(report).sort()).toEqual(
      ['files', 'filesNote', 'levelSpread', 'load', 'model', 'modes', 'probes', 'settings', 'thresholds', 'verdict'].sort(),
    );
    expect(report.model).toEqual({ given: SCRIPTED_MODEL_DIR, id: path.resolve(SCRIPTED_MODEL_DIR), family: 'smolvlm', folder: path.resolve(SCRIPTED_MODEL_DIR) });
    expect(report.thresholds).toEqual(VERDICT_THRESHOLDS);
    expect(report.settings).toEqual({ maxNewTokens: Number(MAX_NEW_TOKENS), strictness: 0.8, ocr: false });
    expect(report.load.backend).toBe('cpu');
    expect(report.files?.recipes.map((fit) => fit.label)).toEqual(['WebGPU f16', 'WebGPU f32', 'WASM', 'Node CPU (this check)']);
    expect(report.files?.recipes.find((fit) => fit.recipe === 'cpu')).toMatchObject({ loadable: true, dtypes: report.load.dtypes });
    expect(report.probes).toHaveLength(PROBE_CASES.length * 2);
    for (const probe of report.probes) {
      expect(Object.keys(probe).sort()).toEqual(
        ['category', 'constraintComplete', 'fallbackReason', 'label', 'level', 'mode', 'ms', 'outcome', 'pNone', 'parsedComplete', 'probe', 'raw', 'stopReason', 'tokens'].sort(),
      );
    }
    expect(report.probes.filter((probe) => probe.mode === 'unconstrained').every((probe) => probe.pNone === null)).toBe(true);
  });

  it('prints the files, the thresholds and the verdict as text', async () => {
    const stdout = await checkModel(SCRIPTED_MODEL_DIR);
    expect(stdout).toContain(`Files in ${path.resolve(SCRIPTED_MODEL_DIR)}`);
    expect(stdout).toMatch(/decoder_model_merged\s+fp32 \d+ KB, q4 \d+ KB/);
    expect(stdout).toContain('Thresholds: unconstrained parsed completely ≥ 90 %');
    expect(stdout).toContain('Verdict: DROPS IN\n');
    expect(stdout).toContain('Labels constrained: not respected');
  });
});

describe('npm run check-model on a broken folder', () => {
  it('exits 1 and names the file when an ONNX file does not load', async () => {
    const folder = path.join(workDir, 'truncated');
    await cp(TINY_MODEL_DIR, folder, { recursive: true });
    const damaged = path.join(folder, 'onnx/decoder_model_merged_quantized.onnx');
    await truncate(damaged, 5000);
    const { code, stderr } = await failure(folder);
    expect(code).toBe(1);
    expect(stderr).toContain('is damaged or not a model file');
    expect(stderr).toContain(damaged);
  });

  it('exits 2 for a folder without config.json, naming it', async () => {
    const folder = path.join(workDir, 'no-config');
    await cp(TINY_MODEL_DIR, folder, { recursive: true });
    await rm(path.join(folder, 'config.json'));
    const { code, stderr } = await failure(folder);
    expect(code).toBe(2);
    expect(stderr).toContain(`${folder} has no config.json`);
  });

  it('exits 2 for an unknown model type, a missing ONNX file, a missing folder and a bad flag', async () => {
    const unknown = path.join(workDir, 'unknown-type');
    await cp(TINY_MODEL_DIR, unknown, { recursive: true });
    await writeFile(path.join(unknown, 'config.json'), '{"model_type":"gpt2"}');
    expect(await failure(unknown)).toMatchObject({ code: 2, stderr: expect.stringContaining('holds a "gpt2" model; pass --family') });

    const lacking = path.join(workDir, 'lacking');
    await cp(TINY_MODEL_DIR, lacking, { recursive: true });
    await rm(path.join(lacking, 'onnx/decoder_model_merged_quantized.onnx'));
    expect(await failure(lacking)).toMatchObject({ code: 2, stderr: expect.stringContaining(`${lacking} lacks onnx/decoder_model_merged_quantized.onnx`) });

    const absent = path.join(workDir, 'absent');
    expect(await failure(absent)).toMatchObject({ code: 2, stderr: expect.stringContaining(`No model folder at ${absent}.`) });
    expect(await failure(SCRIPTED_MODEL_DIR, '--strictness', '2')).toMatchObject({ code: 2, stderr: expect.stringContaining('--strictness 2') });
  });
});
