// @vitest-environment node
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoProcessor, env } from '@huggingface/transformers';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { VlmEngine } from '../../src/engine/vlm-engine.ts';
import { benchModelRecord, RECIPE_DTYPES, rawModelFiles, rawModelShape } from '../../scripts/bench/bench-model.ts';
import { ENGINE_VARIANTS, prepareRawRequest } from '../../scripts/bench/engine-suite.ts';
import { RawSmolVlmLoop, type OrtModule } from '../../scripts/bench/raw-loop.ts';
import { REALISTIC_SHAPE_CI_DIMS, SMOLVLM_256M_DIMS, writeRealisticModel } from '../../scripts/bench/realistic-model.ts';
import { imageSeqLen } from '../../scripts/tiny-model/model-config.ts';
import { LOCAL_SOURCE, NODE_CAPABILITIES } from '../support/tiny-model.ts';

// The full 30-layer model (1.2 GB, a minute to write) is the benchmark's; CI writes the same widths with 2 decoder
// layers, 1 vision layer and a 4k vocabulary, and runs it.
let workDir: string;
let modelDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'realistic-shape-'));
  modelDir = join(workDir, 'models', 'smolvlm-realistic-shape');
  await writeRealisticModel({ outDir: modelDir, dims: REALISTIC_SHAPE_CI_DIMS });
  env.allowRemoteModels = false;
}, 180_000);

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function photo(): Promise<Blob> {
  const [width, height] = [1024, 768];
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 13 + (i >> 11) * 7) % 251;
  return new Blob([new Uint8Array(await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg().toBuffer())]);
}

describe('realistic-size random model', () => {
  it('uses the published SmolVLM-256M-Instruct sizes', () => {
    expect(SMOLVLM_256M_DIMS).toMatchObject({
      vocabSize: 49280,
      hiddenSize: 576,
      numHiddenLayers: 30,
      numAttentionHeads: 9,
      numKeyValueHeads: 3,
      headDim: 64,
      intermediateSize: 1536,
      tileSize: 512,
      resizeLongestEdge: 2048,
      patchSize: 16,
      visionHiddenSize: 768,
      visionNumLayers: 12,
      visionIntermediateSize: 3072,
      scaleFactor: 4,
    });
    expect(imageSeqLen(SMOLVLM_256M_DIMS)).toBe(64);
    expect(REALISTIC_SHAPE_CI_DIMS).toEqual({ ...SMOLVLM_256M_DIMS, vocabSize: 4096, numHiddenLayers: 2, visionNumLayers: 1 });
  });

  it('writes the Hub layout with realistic configs and a tokenizer with merges, and skips a second write', async () => {
    const json = async (file: string) => JSON.parse(await readFile(join(modelDir, file), 'utf8')) as Record<string, unknown>;
    expect(await json('config.json')).toMatchObject({
      model_type: 'smolvlm',
      text_config: { hidden_size: 576, num_key_value_heads: 3, head_dim: 64, intermediate_size: 1536, num_hidden_layers: 2 },
      vision_config: { hidden_size: 768, image_size: 512, patch_size: 16 },
    });
    expect(await json('processor_config.json')).toMatchObject({ image_seq_len: 64 });
    expect(await json('preprocessor_config.json')).toMatchObject({ size: { longest_edge: 2048 }, max_image_size: { longest_edge: 512 } });
    const tokenizer = (await json('tokenizer.json')) as { model: { merges: string[]; vocab: Record<string, number> } };
    expect(tokenizer.model.merges.length).toBeGreaterThan(300);
    expect(Math.max(...Object.values(tokenizer.model.vocab))).toBeLessThan(4096);

    const again = await writeRealisticModel({ outDir: modelDir, dims: REALISTIC_SHAPE_CI_DIMS });
    expect(again.reused).toBe(true);
  });

  it('tokenizes the rewrite prompt to a realistic length (about one token per word)', async () => {
    const processor = await AutoProcessor.from_pretrained(modelDir);
    const prompt = processor.apply_chat_template(buildRewriteMessages('How do I get to the top of this bridge at night?') as never, {
      add_generation_prompt: true,
    }) as string;
    const ids = processor.tokenizer!.encode(prompt);
    const words = prompt.split(/\s+/).length;
    expect(ids.length).toBeLessThan(words * 1.6);
    expect(ids.length).toBeGreaterThan(words);
  });

  it('runs a forward pass through the engine, and the raw onnxruntime loop gives the same tokens', async () => {
    const model = { ...benchModelRecord(modelDir, RECIPE_DTYPES), id: modelDir };
    const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES, tuning: ENGINE_VARIANTS.noCache });
    await engine.load({ model, source: LOCAL_SOURCE, preference: 'auto' }, () => undefined);
    const image = await photo();
    const messages = buildRewriteMessages('Is this safe?');
    const result = await engine.generate({ image, messages, maxNewTokens: 3, outputFormat: null, minNewTokens: 3 }, () => undefined);
    expect(result.tokenCount).toBe(3);
    expect(result.image.processed).toEqual({ width: 512, height: 384 });
    expect(result.profile).toMatchObject({ vision: 'encoded' });
    expect(result.profile.promptTokens).toBeGreaterThan(64);

    const shape = rawModelShape(JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')));
    const raw = await RawSmolVlmLoop.load(ort as unknown as OrtModule, rawModelFiles(modelDir, RECIPE_DTYPES), shape);
    const request = await prepareRawRequest(await AutoProcessor.from_pretrained(modelDir), model, image, messages);
    expect(request.inputIds.length).toBe(result.profile.promptTokens);
    const rawResult = await raw.run(request, 3);
    expect(rawResult.tokenIds).toEqual(result.profile.tokenIds);
    await raw.release();
    await engine.dispose();
  }, 120_000);
});
