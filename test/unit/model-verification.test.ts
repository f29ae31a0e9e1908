import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RuntimeCapabilities } from '../../src/core/runtime-capabilities.ts';
import {
  FAMILY_VERIFICATION,
  MODEL_CATALOG,
  TRANSFORMERS_JS_VERSION,
  isFamilyVerified,
  recommendModel,
} from '../../src/core/model-catalog.ts';
import { MODEL_FAMILIES, type ModelFamily } from '../../src/core/model-families.ts';

const packageJson = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

const GOOD_GPU: RuntimeCapabilities = {
  runtime: 'browser',
  webgpu: { available: true, shaderF16: true, adapterDescription: 'test GPU' },
  deviceMemoryGB: 8,
  crossOriginIsolated: true,
  hardwareConcurrency: 8,
};

describe('what was verified, and with which transformers.js', () => {
  it('names the transformers.js that is installed and pinned, so an upgrade shows until it is verified again', () => {
    expect(packageJson('../../node_modules/@huggingface/transformers/package.json').version).toBe(TRANSFORMERS_JS_VERSION);
    expect(packageJson('../../package.json').dependencies['@huggingface/transformers']).toBe(TRANSFORMERS_JS_VERSION);
  });

  it('claims a family only where its generated models exist to be tested (npm run models:tiny)', () => {
    for (const family of Object.keys(MODEL_FAMILIES) as ModelFamily[]) {
      if (!FAMILY_VERIFICATION[family]) continue;
      const fixtures = MODEL_CATALOG.filter((model) => model.isTestFixture && model.family === family).map((model) => model.id);
      expect(fixtures, family).toEqual(expect.arrayContaining([`test/tiny-${family}`, `test/tiny-${family}-scripted`]));
    }
  });

  it('recommends Qwen3.5 on a WebGPU machine with shader-f16 and 8 GB only while Qwen3.5 is verified on WebGPU', () => {
    expect(isFamilyVerified('qwen3.5', 'webgpu')).toBe(true);
    expect(recommendModel(GOOD_GPU).modelId).toBe('onnx-community/Qwen3.5-0.8B-ONNX');
    const withoutQwen = (family: ModelFamily) => family !== 'qwen3.5';
    expect(recommendModel(GOOD_GPU, withoutQwen).modelId).toBe('HuggingFaceTB/SmolVLM-500M-Instruct');
    expect(recommendModel(GOOD_GPU, () => false).modelId).toBe('HuggingFaceTB/SmolVLM-256M-Instruct');
  });
});
