import { describe, expect, it } from 'vitest';
import { MODEL_CATALOG, offeredModels } from '../../src/core/model-catalog.ts';
import { isDeployableModelPath } from '../../scripts/lib/deployable-model-path.ts';

describe('what a build offers', () => {
  it('leaves the generated test rewriters out of a production build', () => {
    const production = offeredModels({ testFixtures: false }).map((model) => model.id);
    expect(production.some((id) => id.startsWith('test/'))).toBe(false);
    expect(production).toContain('HuggingFaceTB/SmolVLM-256M-Instruct');
    expect(offeredModels({ testFixtures: true })).toEqual(MODEL_CATALOG);
  });

  it.each([
    ['test/tiny-smolvlm/onnx/decoder_model_merged.onnx', 'production', false],
    ['test', 'production', false],
    ['test/tiny-smolvlm/config.json', 'test', true],
    ['HuggingFaceTB/SmolVLM-256M-Instruct/config.json', 'production', true],
    ['testing-org/model/config.json', 'production', true],
    ['bench/smolvlm-256m-random/config.json', 'test', false],
    ['test/tiny-smolvlm/.generator-stamp', 'test', false],
  ])('copies models/%s into a %s build: %s', (path, mode, copied) => {
    expect(isDeployableModelPath(path, mode)).toBe(copied);
  });
});
