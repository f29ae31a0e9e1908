// @vitest-environment node
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModel, type ModelRecord } from '../../src/core/model-catalog.ts';
import type { ModelFamily } from '../../src/core/model-families.ts';
import { buildOutputFormatPlan } from '../../src/core/output-format-plan.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import type { StreamUpdate } from '../../src/core/rewriter-api.ts';
import { VlmEngine, type EngineTuning } from '../../src/engine/vlm-engine.ts';
import { DEFAULT_SCRIPT } from '../../scripts/tiny-model/scripted-model.ts';
import { decideGeneration, LOCAL_SOURCE, NODE_CAPABILITIES, SCRIPTED_REFINED_PROMPT } from '../support/tiny-model.ts';

/** Every family's generated models through the engine on onnxruntime-node, as the CLI runs them. */

const MAX_NEW_TOKENS = 320;
const QUESTION = 'How far is it to the water?';

async function engineFor(model: ModelRecord, tuning: Partial<EngineTuning> = {}): Promise<VlmEngine> {
  const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES, tuning });
  await engine.load({ model, source: LOCAL_SOURCE, preference: 'auto' }, () => undefined);
  return engine;
}

/** A 600×400 photo-like PNG: the engine shrinks it to the family's side limit before the processor. */
async function photo(seed: number): Promise<Blob> {
  const [width, height] = [600, 400];
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * (31 + seed * 6) + seed * 97) % 251;
  const png = await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer();
  return new Blob([new Uint8Array(png)], { type: 'image/png' });
}

function constrainedRequest(image: Blob, extra: { stopFlag?: Int32Array } = {}) {
  return {
    image,
    messages: buildRewriteMessages(QUESTION),
    maxNewTokens: MAX_NEW_TOKENS,
    outputFormat: buildOutputFormatPlan({ maxNewTokens: MAX_NEW_TOKENS, refinedPromptMaxChars: 600 }),
    ...extra,
  };
}

describe.each(['smolvlm', 'lfm2-vl', 'qwen3.5'] as ModelFamily[])('%s through the engine', (family) => {
  const scripted = findModel(`test/tiny-${family}-scripted`)!;
  const random = findModel(`test/tiny-${family}`)!;
  let image: Blob;
  beforeAll(async () => {
    image = await photo(1);
  });

  it('streams the scripted rewrite under the format, ends at EOS, and the decision takes its refined prompt', async () => {
    const engine = await engineFor(scripted);
    const updates: StreamUpdate[] = [];
    const result = await engine.generate(constrainedRequest(image), (update) => updates.push(update));
    await engine.dispose();
    expect(result.text).toBe(DEFAULT_SCRIPT);
    expect(updates.map((update) => update.text).join('')).toBe(result.text);
    expect(result).toMatchObject({ stopReason: 'end-of-text', constraint: { complete: true } });
    const decision = decideGeneration(result, QUESTION);
    expect(decision).toMatchObject({ outcome: 'rewritten', refinedPrompt: SCRIPTED_REFINED_PROMPT });
    expect(decision.levelProbabilities?.high).toBeCloseTo(1, 6);
  });

  it('writes the whole format with random weights when constrained', async () => {
    const engine = await engineFor(random);
    const result = await engine.generate(constrainedRequest(image), () => undefined);
    await engine.dispose();
    expect(result.constraint?.complete).toBe(true);
    expect(result.stopReason).toBe('end-of-text');
    const sum = Object.values(result.constraint?.levelProbabilities ?? {}).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 6);
  });

  it('stops at the token where the shared stop flag is set, and counts the run as stopped', async () => {
    const engine = await engineFor(random);
    const stopFlag = new Int32Array(new SharedArrayBuffer(4));
    const result = await engine.generate(constrainedRequest(image, { stopFlag }), (update) => {
      if (update.tokenCount === 5) Atomics.store(stopFlag, 0, 1);
    });
    await engine.dispose();
    expect(result).toMatchObject({ tokenCount: 5, stopReason: 'stopped' });
  });
});

/**
 * The caches each family supports. The vision-feature cache works for all. The prompt-prefix cache holds attention KV
 * cut back to the shared prefix: SmolVLM only, since LFM2's convolution states and Qwen3.5's recurrent states hold the
 * whole prompt and cannot be cut back, and Qwen's M-RoPE positions depend on the image grid, not the token index.
 */
describe.each([
  ['smolvlm', 'in-prefix'],
  ['lfm2-vl', 'feature-cache'],
  ['qwen3.5', 'feature-cache'],
] as const)('%s caches', (family, secondVision) => {
  const model = findModel(`test/tiny-${family}`)!;
  const engines: VlmEngine[] = [];
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.dispose()));
  });

  it(`serves a second question on the same image from the ${secondVision === 'in-prefix' ? 'prompt prefix' : 'vision-feature'} cache, with a cold run's tokens`, async () => {
    const cached = await engineFor(model);
    const cold = await engineFor(model, { visionFeatureCache: false, promptPrefixCache: false });
    engines.push(cached, cold);
    const image = await photo(2);
    const run = (engine: VlmEngine, question: string) =>
      engine.generate({ image, messages: buildRewriteMessages(question), maxNewTokens: 12, minNewTokens: 12, outputFormat: null }, () => undefined);
    expect((await run(cached, 'Is this safe?')).profile.vision).toBe('encoded');
    const second = await run(cached, 'Where is this?');
    expect(second.profile.vision).toBe(secondVision);
    if (secondVision === 'feature-cache') expect(second.profile.reusedPrefixTokens).toBe(0);
    expect(second.profile.tokenIds).toEqual((await run(cold, 'Where is this?')).profile.tokenIds);
  });
});
