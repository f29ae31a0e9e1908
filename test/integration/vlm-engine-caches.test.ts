// @vitest-environment node
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { findModel, type ModelRecord } from '../../src/core/model-catalog.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import type { ChatMessage } from '../../src/core/rewriter-api.ts';
import { VlmEngine, type EngineTuning } from '../../src/engine/vlm-engine.ts';
import { otherOrderMessages } from '../../scripts/bench/engine-suite.ts';
import { LOCAL_SOURCE, NODE_CAPABILITIES, TINY_MODEL, TINY_MODEL_FP32, TINY_MODEL_WASM_RECIPE } from '../support/tiny-model.ts';

const SCRIPTED_MODEL = findModel('test/tiny-smolvlm-scripted')!;
const TOKENS = 16;
const OFF: Partial<EngineTuning> = { visionFeatureCache: false, promptPrefixCache: false };

async function engineFor(model: ModelRecord, tuning: Partial<EngineTuning> = {}): Promise<VlmEngine> {
  const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES, tuning });
  await engine.load({ model, source: LOCAL_SOURCE, preference: 'auto' }, () => undefined);
  return engine;
}

/** A PNG whose pixels depend on `seed`, larger than the tiny model's tile so the processor resizes it. */
async function photo(seed: number): Promise<Blob> {
  const [width, height] = [96, 72];
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * (31 + seed * 6) + seed * 97) % 251;
  const png = await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return new Blob([new Uint8Array(png)], { type: 'image/png' });
}

async function rewrite(engine: VlmEngine, image: Blob, messages: ChatMessage[]) {
  return engine.generate({ image, messages, maxNewTokens: TOKENS, outputFormat: null, minNewTokens: TOKENS }, () => undefined);
}

describe.each([
  ['random, q4 decoder', TINY_MODEL],
  ['random, fp32', TINY_MODEL_FP32],
  ['scripted', SCRIPTED_MODEL],
])('engine caches on the tiny %s model', (_, model) => {
  it('a second rewrite of the same image, with another question, gives the tokens of a cold one', async () => {
    const cached = await engineFor(model);
    const cold = await engineFor(model, OFF);
    const image = await photo(1);
    const first = await rewrite(cached, image, buildRewriteMessages('Is this safe?'));
    expect(first.profile).toMatchObject({ vision: 'encoded' });

    const second = await rewrite(cached, image, buildRewriteMessages('Where is this?'));
    const reference = await rewrite(cold, image, buildRewriteMessages('Where is this?'));
    expect(second.profile.vision).toBe('in-prefix');
    expect(second.profile.reusedPrefixTokens).toBeGreaterThan(second.profile.promptTokens / 2);
    // What the result view tells the user.
    expect(second.reuse).toEqual({ promptTokens: second.profile.promptTokens, reusedPromptTokens: second.profile.reusedPrefixTokens, image: 'in-prefix' });
    expect(second.profile.tokenIds).toEqual(reference.profile.tokenIds);
    expect(second.text).toBe(reference.text);
    await cached.dispose();
    await cold.dispose();
  });

  it('repeats an identical request exactly, and a new image gets its own features', async () => {
    const cached = await engineFor(model);
    const cold = await engineFor(model, OFF);
    const messages = buildRewriteMessages('Same again?');
    const first = await rewrite(cached, await photo(2), messages);
    const again = await rewrite(cached, await photo(2), messages);
    expect(again.profile).toMatchObject({ vision: 'in-prefix' });
    expect(again.profile.reusedPrefixTokens).toBeGreaterThan(again.profile.promptTokens / 2);
    expect(again.profile.tokenIds).toEqual(first.profile.tokenIds);

    const other = await rewrite(cached, await photo(3), messages);
    expect(other.profile.vision).toBe('encoded');
    expect(other.profile.tokenIds).toEqual((await rewrite(cold, await photo(3), messages)).profile.tokenIds);
    await cached.dispose();
    await cold.dispose();
  });

  it('with the prefix cache off, the vision cache alone serves the features and changes nothing', async () => {
    const visionOnly = await engineFor(model, { promptPrefixCache: false });
    const cold = await engineFor(model, OFF);
    const image = await photo(4);
    await rewrite(visionOnly, image, buildRewriteMessages('First question'));
    const second = await rewrite(visionOnly, image, buildRewriteMessages('Second question'));
    expect(second.profile).toMatchObject({ vision: 'feature-cache', visionMs: 0, reusedPrefixTokens: 0 });
    expect(second.profile.tokenIds).toEqual((await rewrite(cold, image, buildRewriteMessages('Second question'))).profile.tokenIds);
    await visionOnly.dispose();
    await cold.dispose();
  });

  it('a new image reuses the instructions before it and gives the tokens of a cold run', async () => {
    const cached = await engineFor(model);
    const cold = await engineFor(model, OFF);
    await rewrite(cached, await photo(5), buildRewriteMessages('What is this?'));
    const next = await rewrite(cached, await photo(6), buildRewriteMessages('What is that?'));
    expect(next.profile.vision).toBe('encoded');
    expect(next.profile.reusedPrefixTokens).toBeGreaterThan(next.profile.promptTokens / 2);
    expect(next.profile.tokenIds).toEqual((await rewrite(cold, await photo(6), buildRewriteMessages('What is that?'))).profile.tokenIds);
    await cached.dispose();
    await cold.dispose();
  });

  it('with the image first (the other order), a new image shares almost nothing, the same image everything', async () => {
    const cached = await engineFor(model);
    const cold = await engineFor(model, OFF);
    await rewrite(cached, await photo(5), otherOrderMessages('What is this?'));
    const next = await rewrite(cached, await photo(6), otherOrderMessages('What is this?'));
    expect(next.profile.reusedPrefixTokens).toBeLessThan(10);
    const again = await rewrite(cached, await photo(6), otherOrderMessages('And now?'));
    expect(again.profile.vision).toBe('in-prefix');
    expect(again.profile.tokenIds).toEqual((await rewrite(cold, await photo(6), otherOrderMessages('And now?'))).profile.tokenIds);
    await cached.dispose();
    await cold.dispose();
  });
});

describe('engine caches and stopping', () => {
  it('a stopped rewrite leaves a cache that still gives the cold tokens', async () => {
    const cached = await engineFor(TINY_MODEL);
    const cold = await engineFor(TINY_MODEL, OFF);
    const image = await photo(7);
    const stopped = await cached.generate(
      { image, messages: buildRewriteMessages('Stop early'), maxNewTokens: 40, outputFormat: null },
      (update) => {
        if (update.tokenCount === 2) cached.interrupt();
      },
    );
    expect(stopped.stopReason).toBe('stopped');
    const next = await rewrite(cached, image, buildRewriteMessages('Stop early'));
    expect(next.profile.tokenIds).toEqual((await rewrite(cold, image, buildRewriteMessages('Stop early'))).profile.tokenIds);
    await cached.dispose();
    await cold.dispose();
  });

  it('clearCaches() makes the next rewrite cold', async () => {
    const cached = await engineFor(TINY_MODEL);
    const image = await photo(8);
    await rewrite(cached, image, buildRewriteMessages('One'));
    cached.clearCaches();
    const after = await rewrite(cached, image, buildRewriteMessages('One'));
    expect(after.profile).toMatchObject({ vision: 'encoded' });
    expect(after.profile.reusedPrefixTokens).toBe(0);
    await cached.dispose();
  });
});

describe('engine caches on the q8 recipe (the CPU recipe: activations quantized per call)', () => {
  /** A rewrite that also returns the logits of its first token, which show any change in the numbers. */
  async function rewriteWithLogits(engine: VlmEngine, image: Blob, question: string) {
    let firstLogits: Float32Array | null = null;
    const inspectLogits = (logits: Float32Array) => void (firstLogits ??= logits.slice());
    const result = await engine.generate(
      { image, messages: buildRewriteMessages(question), maxNewTokens: TOKENS, outputFormat: null, minNewTokens: TOKENS, inspectLogits },
      () => undefined,
    );
    return { ...result, firstLogits: Array.from(firstLogits ?? []) };
  }

  // A q8 MatMul quantizes each call's activations with one scale, so every prefill runs in the same parts
  // (instructions, image, question), cached or not: a rewrite then computes the same numbers whatever the cache held.
  it('reuses the instructions and the image, and computes what an engine without caches computes', async () => {
    const cached = await engineFor(TINY_MODEL_WASM_RECIPE);
    const cold = await engineFor(TINY_MODEL_WASM_RECIPE, OFF);
    const image = await photo(4);
    await rewrite(cached, await photo(5), buildRewriteMessages('Is this safe?'));
    const newImage = await rewriteWithLogits(cached, image, 'Is this safe?');
    const editedQuestion = await rewriteWithLogits(cached, image, 'Where is this?');
    expect(newImage.profile.vision).toBe('encoded');
    expect(newImage.profile.reusedPrefixTokens).toBeGreaterThan(newImage.profile.promptTokens / 2);
    expect(editedQuestion.profile.vision).toBe('in-prefix');

    for (const [question, result] of [
      ['Is this safe?', newImage],
      ['Where is this?', editedQuestion],
    ] as const) {
      const reference = await rewriteWithLogits(cold, image, question);
      expect(reference.profile.reusedPrefixTokens).toBe(0);
      expect(result.firstLogits).toEqual(reference.firstLogits);
      expect(result.profile.tokenIds).toEqual(reference.profile.tokenIds);
    }
    await cold.dispose();
    await cached.dispose();
  });
});
