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
import { benchModelRecord, NODE_RECIPE_DTYPES, rawModelFiles, rawModelShape } from '../../scripts/bench/bench-model.ts';
import { ENGINE_VARIANTS, prepareRawRequest } from '../../scripts/bench/engine-suite.ts';
import { RawSmolVlmLoop, type OrtModule } from '../../scripts/bench/raw-loop.ts';
import { byteLevelSpellingOfBytes } from '../../scripts/bench/byte-level-bpe.ts';
import { benchOutputFormat } from '../../scripts/bench/constrained-suite.ts';
import {
  REALISTIC_SHAPE_CI_DIMS,
  SMOLVLM_256M_DIMS,
  withRealisticVocabulary,
  writeRealisticModel,
  type ByteLevelTokenizerJson,
  type RealisticModel,
} from '../../scripts/bench/realistic-model.ts';
import { tokenizerCorpus } from '../../scripts/bench/tokenizer-corpus.ts';
import { imageSeqLen } from '../../scripts/tiny-model/model-config.ts';
import { buildVocabulary, byteLevelSpelling, tokenizerJson } from '../../scripts/tiny-model/tokenizer-files.ts';
import { SMOLVLM } from '../../scripts/tiny-model/families/smolvlm.ts';
import { endTokenIds, readTokenTable } from '../../src/engine/constrained-generation.ts';
import { LOCAL_SOURCE, NODE_CAPABILITIES } from '../support/tiny-model.ts';

// The full 30-layer model (1.2 GB, a minute to write) is the benchmark's; CI writes the same widths with 2 decoder
// layers, 1 vision layer and a 4k vocabulary, and runs it.
let workDir: string;
let modelDir: string;
let written: RealisticModel;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'realistic-shape-'));
  modelDir = join(workDir, 'models', 'smolvlm-realistic-shape');
  written = await writeRealisticModel({ outDir: modelDir, dims: REALISTIC_SHAPE_CI_DIMS });
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
    // Every id has its own entry, and the merges' leftovers are word-piece fillers, not `<unused_N>` holes.
    expect(new Set(Object.values(tokenizer.model.vocab)).size).toBe(4096);
    expect(Object.keys(tokenizer.model.vocab).filter((token) => token.startsWith('<unused_'))).toEqual([]);
    expect(written.wordFillers).toBeGreaterThan(3000);
    expect(written.merges + written.wordFillers).toBeGreaterThanOrEqual(4096 - 256 - SMOLVLM.tokenizer.specials.length);

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

  it('gives the vocabulary table real-looking texts for every id: free text, section closers, no holes', async () => {
    const processor = await AutoProcessor.from_pretrained(modelDir);
    const tokenizer = processor.tokenizer!;
    const table = readTokenTable(tokenizer, endTokenIds(null, tokenizer));
    const writable = table.texts.filter((text): text is string => text !== null && text !== '');
    expect(table.size).toBe(4096);
    // Every id but the special tokens, which the table leaves out.
    expect(writable.length).toBe(4096 - SMOLVLM.tokenizer.specials.length);
    expect(writable.filter((text) => text.includes('<unused_'))).toEqual([]);
    const freeText = table.freeOnly.reduce((sum, flag) => sum + flag, 0);
    expect(freeText / writable.length).toBeGreaterThan(0.85);
    expect(freeText).toBeLessThan(writable.length);
    expect(table.closers.length).toBeGreaterThan(10);
  });

  it('runs a forward pass through the engine, and the raw onnxruntime loop gives the same tokens', async () => {
    const model = { ...benchModelRecord(modelDir, NODE_RECIPE_DTYPES), id: modelDir };
    const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES, tuning: ENGINE_VARIANTS.noCache });
    await engine.load({ model, source: LOCAL_SOURCE, preference: 'auto' }, () => undefined);
    const image = await photo();
    const messages = buildRewriteMessages('Is this safe?');
    // As many tokens as the benchmark's rows compare: q8's per-call activation scale makes differences show late.
    const newTokens = 64;
    const result = await engine.generate({ image, messages, maxNewTokens: newTokens, outputFormat: null, minNewTokens: newTokens }, () => undefined);
    expect(result.tokenCount).toBe(newTokens);
    expect(result.image.processed).toEqual({ width: 512, height: 384 });
    expect(result.profile).toMatchObject({ vision: 'encoded' });
    expect(result.profile.promptTokens).toBeGreaterThan(64);

    const shape = rawModelShape(JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')));
    const raw = await RawSmolVlmLoop.load(ort as unknown as OrtModule, rawModelFiles(modelDir, NODE_RECIPE_DTYPES), shape);
    const request = await prepareRawRequest(await AutoProcessor.from_pretrained(modelDir), model, image, messages);
    expect(request.inputIds.length).toBe(result.profile.promptTokens);
    const rawResult = await raw.run(request, newTokens);
    expect(rawResult.tokenIds).toEqual(result.profile.tokenIds);
    await raw.release();
    await engine.dispose();
  }, 120_000);

  it('generates a complete constrained rewrite on that vocabulary', async () => {
    const model = { ...benchModelRecord(modelDir, NODE_RECIPE_DTYPES), id: modelDir };
    const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES, tuning: ENGINE_VARIANTS.final });
    const loaded = await engine.load({ model, source: LOCAL_SOURCE, preference: 'auto' }, () => undefined);
    expect(loaded.constraintSetupMs).toBeGreaterThan(0);
    const question = 'Is this safe?';
    const result = await engine.generate(
      { image: await photo(), messages: buildRewriteMessages(question), maxNewTokens: 384, outputFormat: benchOutputFormat(384, question) },
      () => undefined,
    );
    expect(result.constraint?.complete).toBe(true);
    expect(result.stopReason).toBe('end-of-text');
    expect(result.text).toMatch(/^\[TEXT RISK\][^[]*\n\[IMAGE RISK\][^[]*\n\[COMBINED RISK\][^[]*\n\[RISK LEVEL\] (none|low|medium|high)\n\[CATEGORY\] [a-z-]+\n\[REFINED PROMPT\][^[]*\n\[END\]$/);
    await engine.dispose();
  }, 120_000);
});

describe('the realistic tokenizer at full size', () => {
  it('fills all 49,280 ids: trained merges first, then distinct word-piece fillers', () => {
    const tokenizer = tokenizerJson(buildVocabulary(SMOLVLM.tokenizer, SMOLVLM_256M_DIMS.vocabSize)) as unknown as ByteLevelTokenizerJson;
    const { merges, wordFillers } = withRealisticVocabulary(tokenizer, tokenizerCorpus());
    const ids = Object.values(tokenizer.model.vocab);
    expect(ids.length).toBe(49280);
    expect(new Set(ids).size).toBe(49280);
    expect(Math.max(...ids)).toBe(49279);
    expect(Object.keys(tokenizer.model.vocab).filter((token) => token.startsWith('<unused_'))).toEqual([]);
    expect(merges).toBe(tokenizer.model.merges.length);
    expect(wordFillers).toBeGreaterThan(48000);
    // Newline-bearing, bracketed and control-character entries are there, as in a real byte-level vocabulary.
    const tokens = Object.keys(tokenizer.model.vocab);
    expect(tokens.filter((token) => token.includes('Ċ')).length).toBeGreaterThan(500);
    expect(tokens.filter((token) => token.length > 1 && token.includes('[')).length).toBeGreaterThan(100);
  });

  it('spells bytes the way the generator spells text', () => {
    for (const text of [' The', 'a\nb', '[END]', 'é中😀', '\t\u0001\u007f']) {
      expect(byteLevelSpellingOfBytes(new TextEncoder().encode(text))).toBe(byteLevelSpelling(text));
    }
  });
});
