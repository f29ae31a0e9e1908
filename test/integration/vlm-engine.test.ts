import { env } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { MODEL_CACHE_NAME } from '../../src/core/model-cache-keys.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import type { LoadProgress, StreamUpdate } from '../../src/core/rewriter-api.ts';
import { VlmEngine } from '../../src/engine/vlm-engine.ts';
import { LOCAL_SOURCE, NODE_CAPABILITIES, TINY_MODEL, TINY_MODEL_FP32, TINY_MODEL_WASM_RECIPE, tinyModelImage } from '../support/tiny-model.ts';

const MAX_NEW_TOKENS = 12;

async function loadedEngine(model = TINY_MODEL) {
  const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES });
  const progress: LoadProgress[] = [];
  const info = await engine.load({ model, source: LOCAL_SOURCE, preference: 'auto' }, (event) => progress.push(event));
  return { engine, info, progress };
}

describe('VlmEngine on the tiny model (onnxruntime-node)', () => {
  it.each([
    ['q4 decoder', TINY_MODEL],
    ['fp32 everywhere', TINY_MODEL_FP32],
    ['the SmolVLM WASM recipe (q8)', TINY_MODEL_WASM_RECIPE],
  ])('loads with a %s and streams one update per token', async (_, model) => {
    const { engine, info, progress } = await loadedEngine(model);
    expect(info.plan.backend).toBe('cpu');
    expect(info.plan.dtypes).toEqual(model.recipes.cpu);
    expect(progress.some((event) => event.kind === 'file' && event.status === 'done')).toBe(true);
    expect(progress[0]).toEqual({ kind: 'backend', backend: 'cpu' });

    const updates: StreamUpdate[] = [];
    const result = await engine.generate(
      { image: await tinyModelImage(), messages: buildRewriteMessages('Is this safe?'), maxNewTokens: MAX_NEW_TOKENS, outputFormat: null },
      (update) => updates.push(update),
    );
    expect(result.tokenCount).toBe(MAX_NEW_TOKENS);
    expect(result.stopReason).toBe('max-tokens');
    expect(updates.map((update) => update.tokenCount)).toEqual(
      expect.arrayContaining(Array.from({ length: MAX_NEW_TOKENS }, (_, i) => i + 1)),
    );
    expect(updates.map((update) => update.text).join('')).toBe(result.text);
    expect(result.text.length).toBeGreaterThan(0);
    await engine.dispose();
  });

  it('is deterministic: the same image and prompt give the same text', async () => {
    const { engine } = await loadedEngine();
    const request = { image: await tinyModelImage(), messages: buildRewriteMessages('Same?'), maxNewTokens: 8, outputFormat: null };
    const first = await engine.generate(request, () => undefined);
    const second = await engine.generate(request, () => undefined);
    expect(second.text).toBe(first.text);
    await engine.dispose();
  });

  it('stops early on interrupt()', async () => {
    const { engine } = await loadedEngine();
    const result = await engine.generate(
      { image: await tinyModelImage(), messages: buildRewriteMessages('Stop me'), maxNewTokens: 200, outputFormat: null },
      (update) => {
        if (update.tokenCount === 3) engine.interrupt();
      },
    );
    expect(result).toMatchObject({ tokenCount: 3, stopReason: 'stopped' });
    await engine.dispose();
  });

  it('stops early when the shared stop flag is set', async () => {
    const { engine } = await loadedEngine();
    const stopFlag = new Int32Array(new SharedArrayBuffer(4));
    const request = { image: await tinyModelImage(), messages: buildRewriteMessages('Flag'), maxNewTokens: 40, outputFormat: null, stopFlag };
    const stopped = await engine.generate(request, (update) => {
      if (update.tokenCount === 5) Atomics.store(stopFlag, 0, 1);
    });
    expect(stopped).toMatchObject({ tokenCount: 5, stopReason: 'stopped' });
    Atomics.store(stopFlag, 0, 0);
    const full = await engine.generate(request, () => undefined);
    expect(full).toMatchObject({ tokenCount: 40, stopReason: 'max-tokens' });
    await engine.dispose();
  });

  it('explains a missing model instead of crashing', async () => {
    const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES });
    const missing = { ...TINY_MODEL, id: 'test/does-not-exist' };
    await expect(engine.load({ model: missing, source: LOCAL_SOURCE, preference: 'auto' }, () => undefined)).rejects.toMatchObject({
      name: 'ModelFileNotFoundError',
    });
  });

  it('keeps model files in the Cache Storage the app inspects and cleans', () => {
    expect(env.cacheKey).toBe(MODEL_CACHE_NAME);
  });

  it('refuses to generate before a model is loaded', async () => {
    const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES });
    await expect(
      engine.generate({ image: await tinyModelImage(), messages: buildRewriteMessages('x'), maxNewTokens: 1, outputFormat: null }, () => undefined),
    ).rejects.toThrow('No model is loaded.');
  });
});
