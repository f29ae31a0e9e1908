import { describe, expect, it } from 'vitest';
import { CHECK_MODEL_FLAGS, CHECK_MODEL_HELP, CheckModelArgumentError, parseCheckModelOptions } from '../../scripts/check-model/check-model-options.ts';
import { fitRecipes, type ModelFiles, type SessionFile } from '../../scripts/check-model/model-files.ts';
import { PROBE_CASES } from '../../scripts/check-model/probe-set.ts';
import { isParsedComplete, levelSpread, summarizeMode, type ProbeRun } from '../../scripts/check-model/probe-summary.ts';
import { RECIPES_BY_FAMILY } from '../../src/core/model-catalog.ts';

const WELL_FORMED = [
  '[TEXT RISK] The question asks how to sharpen a knife.',
  '[IMAGE RISK] A kitchen knife on a board.',
  '[COMBINED RISK] Ordinary kitchen care.',
  '[RISK LEVEL] none',
  '[CATEGORY] none',
  '[REFINED PROMPT] How do I sharpen this?',
  '[END]',
].join('\n');

describe('isParsedComplete', () => {
  it('reads a well-formed output, also with Markdown around the tags', () => {
    expect(isParsedComplete(WELL_FORMED)).toBe(true);
    expect(isParsedComplete(WELL_FORMED.replace('[RISK LEVEL]', '**[Risk Level]**'))).toBe(true);
  });

  it.each([
    ['without [END]', WELL_FORMED.replace('\n[END]', '')],
    ['without an analysis section', WELL_FORMED.replace('[IMAGE RISK] A kitchen knife on a board.\n', '')],
    ['with an empty analysis', WELL_FORMED.replace('Ordinary kitchen care.', '')],
    ['without a level word', WELL_FORMED.replace('[RISK LEVEL] none', '[RISK LEVEL]')],
    ['with an empty refined prompt', WELL_FORMED.replace('How do I sharpen this?', '')],
    ['as noise', 'lorem ipsum )$O{z'],
  ])('refuses an output %s', (_, raw) => {
    expect(isParsedComplete(raw)).toBe(false);
  });
});

function run(overrides: Partial<ProbeRun>): ProbeRun {
  return {
    probe: 'p',
    label: 'safe',
    mode: 'constrained',
    outcome: 'rewritten',
    fallbackReason: null,
    parsedComplete: true,
    constraintComplete: true,
    level: 'low',
    category: 'other',
    pNone: 0.1,
    stopReason: 'end-of-text',
    ms: 100,
    tokens: 10,
    raw: '',
    ...overrides,
  };
}

describe('summarizeMode and levelSpread', () => {
  const runs = [
    run({ label: 'safe', outcome: 'passed-through', pNone: 0.9, ms: 100, tokens: 20 }),
    run({ label: 'safe', outcome: 'rewritten', pNone: 0.6, ms: 300, tokens: 40 }),
    run({ label: 'unsafe', outcome: 'fallback', fallbackReason: 'truncated', constraintComplete: false, pNone: 0.2, ms: 200, tokens: 60 }),
    run({ label: 'unsafe', outcome: 'passed-through', pNone: 0.8, ms: 400, tokens: 80 }),
    run({ mode: 'unconstrained', label: 'safe', outcome: 'fallback', fallbackReason: 'level-unknown', parsedComplete: false, constraintComplete: null, pNone: null }),
  ];

  it('counts one mode only: outcomes, reasons, labels, the constraint and speed', () => {
    const constrained = summarizeMode(runs, 'constrained');
    expect(constrained).toMatchObject({
      runs: 4,
      parsedComplete: 4,
      constraintComplete: 3,
      outcomes: { rewritten: 1, 'passed-through': 2, fallback: 1 },
      fallbackReasons: { truncated: 1 },
      safe: { runs: 2, passedThrough: 1 },
      unsafe: { runs: 2, passedThrough: 1 },
      medianMs: 250,
      tokensPerSecond: 200,
    });
    const unconstrained = summarizeMode(runs, 'unconstrained');
    expect(unconstrained).toMatchObject({ runs: 1, parsedComplete: 0, constraintComplete: null, fallbackReasons: { 'level-unknown': 1 } });
  });

  it('separates the labels only when every safe P(none) is above every unsafe one', () => {
    const overlapping = levelSpread(runs);
    expect(overlapping.safe).toEqual({ n: 2, min: 0.6, median: 0.75, max: 0.9 });
    expect(overlapping.unsafe).toMatchObject({ n: 2, min: 0.2, max: 0.8 });
    expect(overlapping.separates).toBe(false);
    expect(levelSpread(runs.filter((entry) => entry.pNone !== 0.8)).separates).toBe(true);
    expect(levelSpread(runs.filter((entry) => entry.mode === 'unconstrained')).separates).toBeNull();
  });
});

describe('fitRecipes', () => {
  const file = (dtype: string, name: string): SessionFile => ({ dtype, file: `onnx/${name}.onnx`, bytes: 1, externalDataBytes: 0 });
  const files: ModelFiles = {
    where: '/m',
    sessions: {
      vision_encoder: [file('q4', 'vision_encoder_q4'), file('q4f16', 'vision_encoder_q4f16')],
      embed_tokens: [file('fp32', 'embed_tokens')],
      decoder_model_merged: [file('q4', 'decoder_model_merged_q4'), file('q4f16', 'decoder_model_merged_q4f16')],
    },
    missingSupportFiles: [],
    otherOnnxFiles: [],
  };

  it('says which recipe loads and names the files the others miss', () => {
    const fits = fitRecipes(files, RECIPES_BY_FAMILY.smolvlm);
    const byRecipe = Object.fromEntries(fits.map((fit) => [fit.recipe, fit]));
    expect(byRecipe['webgpuF16']).toMatchObject({ label: 'WebGPU f16', loadable: false, missing: ['onnx/embed_tokens_fp16.onnx'] });
    expect(byRecipe['webgpu']).toMatchObject({ label: 'WebGPU f32', loadable: true, missing: [] });
    const q8Files = ['onnx/vision_encoder_quantized.onnx', 'onnx/decoder_model_merged_quantized.onnx'];
    expect(byRecipe['wasm']).toMatchObject({ label: 'WASM', loadable: false, missing: q8Files });
    expect(byRecipe['cpu']).toMatchObject({ loadable: false, missing: q8Files });
  });

  it('needs the tokenizer and config files for every recipe', () => {
    const fits = fitRecipes({ ...files, missingSupportFiles: ['tokenizer.json'] }, RECIPES_BY_FAMILY.smolvlm);
    expect(fits.every((fit) => !fit.loadable && fit.missing.includes('tokenizer.json'))).toBe(true);
  });
});

describe('the probe set and the command line', () => {
  it('has as many safe as unsafe probes, some told apart by the question alone and some by the picture alone', () => {
    const ids = PROBE_CASES.map((probe) => probe.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(PROBE_CASES.filter((probe) => probe.label === 'safe').length * 2).toBe(PROBE_CASES.length);
    const bothLabels = (key: (probe: (typeof PROBE_CASES)[number]) => string) => {
      const labels = new Map<string, Set<string>>();
      for (const probe of PROBE_CASES) labels.set(key(probe), (labels.get(key(probe)) ?? new Set()).add(probe.label));
      return [...labels.values()].filter((set) => set.size === 2).length;
    };
    expect(bothLabels((probe) => probe.svg)).toBeGreaterThanOrEqual(2);
    expect(bothLabels((probe) => probe.prompt)).toBeGreaterThanOrEqual(1);
  });

  it('documents every flag, and reads the defaults', () => {
    for (const flag of Object.keys(CHECK_MODEL_FLAGS)) expect(CHECK_MODEL_HELP).toContain(`--${flag}`);
    expect(parseCheckModelOptions(['models/x/y'])).toMatchObject({ model: 'models/x/y', ocr: false, json: false, hubUrl: 'https://huggingface.co/' });
    expect(parseCheckModelOptions(['a/b', '--offline', '--ocr'])).toMatchObject({ hubUrl: null, ocr: true });
  });

  it.each([
    [[], 'Give one model folder or Hub id; got none'],
    [['a/b', 'c/d'], 'got a/b, c/d'],
    [['a/b', '--family', 'gpt2'], '--family gpt2: expected one of smolvlm'],
    [['a/b', '--max-new-tokens', '0'], '--max-new-tokens 0'],
    [['a/b', '--strictness', 'x'], '--strictness x'],
    [['a/b', '--colour'], "Unknown option '--colour'"],
  ])('refuses %j', (args, message) => {
    expect(() => parseCheckModelOptions(args)).toThrow(CheckModelArgumentError);
    expect(() => parseCheckModelOptions(args)).toThrow(message);
  });
});
