// @vitest-environment node
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  AutoTokenizer,
  RawImage,
  TextStreamer,
  env,
  type Tensor as HfTensor,
} from '@huggingface/transformers';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModelDims } from '../../scripts/tiny-model/model-config.ts';
import { MICROSOFT_DOMAIN, OnnxGraphBuilder, int } from '../../scripts/tiny-model/onnx-graph-builder.ts';
import { dequantizeQ4, quantizeQ4 } from '../../scripts/tiny-model/q4-packing.ts';
import { seededNormals } from '../../scripts/tiny-model/seeded-random.ts';
import { baseVocabularyTokens, buildVocabulary } from '../../scripts/tiny-model/tokenizer-files.ts';
import { SMOLVLM } from '../../scripts/tiny-model/families/smolvlm.ts';
import { STAMP_FILE, tinyDimsOf, writeTinyModel } from '../../scripts/tiny-model/write-model-folder.ts';

const dims = tinyDimsOf(SMOLVLM);

const SEED = 42;

let workDir: string;
let modelDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'tiny-smolvlm-'));
  modelDir = join(workDir, 'seed-42');
  await writeTinyModel({ outDir: modelDir, seed: SEED });
  env.allowRemoteModels = false;
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`missing ${what}`);
  return value;
}

function at(values: ArrayLike<number>, index: number): number {
  return required(values[index], `element ${index}`);
}

/** Every generated file except the stamp, keyed by its path relative to `dir`. */
async function readFolder(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = new Map<string, Buffer>();
  for (const entry of entries.filter((e) => e.isFile() && e.name !== STAMP_FILE)) {
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), await readFile(path));
  }
  return files;
}

describe('generated folder', () => {
  it('has the Hub layout transformers.js fetches, under 5 MB', async () => {
    const files = await readFolder(modelDir);
    const sessions = ['embed_tokens', 'vision_encoder', 'decoder_model_merged'];
    expect([...files.keys()].sort()).toEqual(
      [
        'config.json',
        'generation_config.json',
        'preprocessor_config.json',
        'processor_config.json',
        'special_tokens_map.json',
        'tokenizer.json',
        'tokenizer_config.json',
        ...sessions.flatMap((session) => ['', '_q4', '_quantized'].map((suffix) => `onnx/${session}${suffix}.onnx`)),
      ].sort(),
    );
    const total = [...files.values()].reduce((sum, bytes) => sum + bytes.length, 0);
    expect(total).toBeLessThan(5 * 1024 * 1024);

    const json = (file: string): unknown => JSON.parse(required(files.get(file), file).toString());
    expect(json('config.json')).toMatchObject({
      model_type: 'smolvlm',
      architectures: ['SmolVLMForConditionalGeneration'],
      text_config: { model_type: 'llama', num_hidden_layers: 2, vocab_size: dims.vocabSize },
    });
    expect(json('processor_config.json')).toEqual({ processor_class: 'Idefics3Processor', image_seq_len: 4 });
  });

  it('is byte-identical for the same seed and differs for another seed', async () => {
    const again = join(workDir, 'seed-42-again');
    const other = join(workDir, 'seed-7');
    await writeTinyModel({ outDir: again, seed: SEED });
    await writeTinyModel({ outDir: other, seed: 7 });
    const [first, second, third] = await Promise.all([modelDir, again, other].map(readFolder));
    const original = required(first, 'first folder');
    for (const [file, bytes] of original) expect(second?.get(file)?.equals(bytes), file).toBe(true);
    const decoder = 'onnx/decoder_model_merged.onnx';
    expect(third?.get(decoder)?.equals(required(original.get(decoder), decoder))).toBe(false);
  });

  it('reuses an identical generation and rewrites a damaged one', async () => {
    expect((await writeTinyModel({ outDir: modelDir, seed: SEED })).reused).toBe(true);
    const dir = join(workDir, 'damaged');
    await writeTinyModel({ outDir: dir, seed: SEED });
    await writeFile(join(dir, 'onnx/embed_tokens.onnx'), 'truncated');
    const result = await writeTinyModel({ outDir: dir, seed: SEED });
    expect(result.reused).toBe(false);
    expect((await readFolder(dir)).get('onnx/embed_tokens.onnx')?.length).toBeGreaterThan(1000);
  });
});

describe('model dims', () => {
  it('rejects inconsistent dims', () => {
    expect(() => resolveModelDims({ numAttentionHeads: 3 })).toThrow(/multiple of numKeyValueHeads/);
    expect(() => resolveModelDims({ patchSize: 12 })).toThrow(/multiple of patchSize/);
    expect(() => resolveModelDims({ vocabSize: 100 }, 298)).toThrow(/vocabSize must be at least/);
  });

  it('pads the tokenizer with filler tokens up to a larger declared vocab', async () => {
    const dir = join(workDir, 'vocab-400');
    await writeTinyModel({ outDir: dir, dims: { vocabSize: 400 } });
    const tokenizer = JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: object } };
    expect(Object.keys(tokenizer.model.vocab)).toHaveLength(400);
    const embed = await InferenceSession.create(join(dir, 'onnx/embed_tokens.onnx'));
    const outputs = await embed.run({ input_ids: new Tensor('int64', BigInt64Array.from([399n]), [1, 1]) });
    expect(outputs.inputs_embeds?.dims).toEqual([1, 1, dims.hiddenSize]);
  });
});

describe("'words' fillers", () => {
  /** SmolVLM's own vocabulary size. */
  const REAL_VOCAB_SIZE = 49280;

  it('are distinct, new, and shaped like a BPE vocabulary: mostly word pieces, and every awkward kind a few times', async () => {
    const vocabulary = buildVocabulary(SMOLVLM.tokenizer, REAL_VOCAB_SIZE, [], 'words');
    expect(vocabulary.tokens).toHaveLength(REAL_VOCAB_SIZE);
    expect(new Set(vocabulary.tokens).size).toBe(REAL_VOCAB_SIZE);
    const base = baseVocabularyTokens(SMOLVLM.tokenizer);
    const fillerIds = vocabulary.tokens.flatMap((token, id) => (base.has(token) ? [] : [id]));
    expect(fillerIds).toHaveLength(REAL_VOCAB_SIZE - base.size);

    const dir = join(workDir, 'words-tokenizer');
    await writeTinyModel({ outDir: dir, dims: { vocabSize: 400 }, fillers: 'words' });
    const tokenizer = await AutoTokenizer.from_pretrained(dir);
    // The first 400 ids of the big vocabulary are this model's: the fillers do not depend on the vocab size.
    const small = JSON.parse(await readFile(join(dir, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number> } };
    const byId = Object.entries(small.model.vocab).sort(([, a], [, b]) => a - b);
    expect(byId.map(([token]) => token)).toEqual(vocabulary.tokens.slice(0, 400));

    const bigDir = join(workDir, 'words-tokenizer-49280');
    await writeTinyModel({ outDir: bigDir, dims: { vocabSize: REAL_VOCAB_SIZE }, fillers: 'words' });
    const big = await AutoTokenizer.from_pretrained(bigDir);
    const texts = fillerIds.map((id) => big.decode([id]));
    expect(texts.slice(0, 100)).toEqual(fillerIds.slice(0, 100).map((id) => tokenizer.decode([id])));
    const share = (test: (text: string) => boolean): number => texts.filter(test).length / texts.length;
    expect(share((text) => /^ ?[a-z]+$/.test(text))).toBeGreaterThan(0.6);
    expect(share((text) => text.startsWith(' '))).toBeGreaterThan(0.3);
    expect(share((text) => text.includes('\n'))).toBeGreaterThan(0.01);
    for (const piece of ['.\n', '\n\n', '[', ']', '<', '\t', '\u0001', '\uFFFD']) {
      expect(share((text) => text.includes(piece)), JSON.stringify(piece)).toBeGreaterThan(0.0005);
    }
    const wholeNonAscii = (text: string): boolean => [...text].some((c) => c > '\x7f' && c !== '\uFFFD');
    expect(share(wholeNonAscii), 'whole non-ASCII characters').toBeGreaterThan(0.005);
    expect(share((text) => /^[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e ]+$/.test(text)), 'punctuation').toBeGreaterThan(0.01);
  });

  it('give a model of the real vocabulary size that transformers.js loads and generates with', async () => {
    const dir = join(workDir, 'words-49280');
    await writeTinyModel({ outDir: dir, dims: { vocabSize: REAL_VOCAB_SIZE }, fillers: 'words' });
    const processor = await AutoProcessor.from_pretrained(dir);
    const model = await AutoModelForImageTextToText.from_pretrained(dir, { dtype: 'q4', device: 'cpu' });
    const prompt = processor.apply_chat_template(describeImage, { add_generation_prompt: true });
    const inputs = await processor(prompt, [testImage()]);
    const output = (await model.generate({ ...inputs, max_new_tokens: 8, min_new_tokens: 8, do_sample: false })) as HfTensor;
    expect(output.dims).toEqual([1, required(inputs.input_ids.dims[1], 'prompt length') + 8]);
    expect(Math.max(...Array.from(output.data as BigInt64Array, Number))).toBeLessThan(REAL_VOCAB_SIZE);
    await model.dispose();
  });

  it("change only tokenizer.json, and leave the default 'unused' fillers as they were", async () => {
    const words = join(workDir, 'words-400');
    const unused = join(workDir, 'unused-400');
    await writeTinyModel({ outDir: words, dims: { vocabSize: 400 }, fillers: 'words' });
    await writeTinyModel({ outDir: unused, dims: { vocabSize: 400 }, fillers: 'unused' });
    const [wordFiles, unusedFiles] = await Promise.all([readFolder(words), readFolder(unused)]);
    for (const [file, bytes] of required(unusedFiles, 'unused')) {
      expect(wordFiles.get(file)?.equals(bytes), file).toBe(file !== 'tokenizer.json');
    }
    const tokenizer = JSON.parse(unusedFiles.get('tokenizer.json')!.toString()) as { model: { vocab: Record<string, number> } };
    expect(tokenizer.model.vocab['<unused_399>']).toBe(399);
  });
});

describe('q4 packing', () => {
  it('reproduces each weight within half a scale step', () => {
    // K = 40 is not a multiple of the block size and gives an odd block count, so the zero-point bytes end half full.
    const [k, n, blockSize] = [40, 5, 16];
    const weight = seededNormals(1, 'w', k * n, 1);
    const q4 = quantizeQ4(weight, k, n, blockSize);
    expect(q4.kBlocks).toBe(3);
    expect(q4.packed.length).toBe(n * 3 * 8);
    expect(q4.zeroPoints.length).toBe(n * 2);
    const restored = dequantizeQ4(q4);
    for (const [i, original] of weight.entries()) {
      const [row, col] = [Math.floor(i / n), i % n];
      const scale = at(q4.scales, col * q4.kBlocks + Math.floor(row / blockSize));
      expect(Math.abs(at(restored, i) - original)).toBeLessThanOrEqual(scale / 2 + 1e-6);
    }
  });

  it('puts even elements in the low nibble and block zero points low-then-high', () => {
    // One column, K = 32, block 16: block 0 holds 0..15 (zero point 0), block 1 holds −15..0 (zero point 15).
    const weight = Float32Array.from({ length: 32 }, (_, i) => (i < 16 ? i : i - 31));
    const q4 = quantizeQ4(weight, 32, 1, 16);
    expect([...q4.scales]).toEqual([1, 1]);
    expect(q4.packed[0]).toBe(0x10); // elements 0, 1 → levels 0, 1
    expect(q4.packed[1]).toBe(0x32); // elements 2, 3 → levels 2, 3
    expect(q4.packed[8]).toBe(0x10); // block 1: −15, −14 → levels 0, 1
    expect(q4.packed[15]).toBe(0xfe); // block 1: −1, 0 → levels 14, 15
    expect(q4.zeroPoints[0]).toBe(0xf0);
  });

  it('matches onnxruntime MatMulNBits on the packed weights', async () => {
    const [k, n, rows] = [40, 6, 2];
    const q4 = quantizeQ4(seededNormals(2, 'w', k * n, 0.3), k, n, 16);
    const graph = new OnnxGraphBuilder('matmulnbits');
    const inputs = [
      graph.addInput('A', 'float32', [rows, k]),
      graph.addInitializer('B', 'uint8', [n, q4.kBlocks, q4.blobSize], q4.packed),
      graph.addInitializer('scales', 'float32', [n, q4.kBlocks], q4.scales),
      graph.addInitializer('zero_points', 'uint8', [n, Math.ceil(q4.kBlocks / 2)], q4.zeroPoints),
    ];
    const attributes = { K: int(k), N: int(n), bits: int(4), block_size: int(16) };
    graph.op('MatMulNBits', inputs, attributes, { domain: MICROSOFT_DOMAIN, outputs: ['Y'] });
    graph.addOutput('Y', 'float32', [rows, n]);

    const session = await InferenceSession.create(graph.encode());
    const activations = seededNormals(3, 'a', rows * k, 1);
    const outputs = await session.run({ A: new Tensor('float32', activations, [rows, k]) });
    const expected = matMul(activations, dequantizeQ4(q4), rows, k, n);
    expect(maxAbsDiff(required(outputs.Y, 'Y').data as Float32Array, expected)).toBeLessThan(1e-4);
  });
});

function matMul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += at(a, i * k + p) * at(b, p * n + j);
      out[i * n + j] = sum;
    }
  }
  return out;
}

function maxAbs(values: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(at(values, i)));
  return max;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(at(a, i) - at(b, i)));
  return max;
}

describe('tokenizer', () => {
  it('round-trips any UTF-8 text through byte-level BPE and keeps special tokens whole', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(modelDir);
    const config = JSON.parse(await readFile(join(modelDir, 'config.json'), 'utf8')) as { image_token_id: number };
    const text = 'Naïve café 👋, <row_2_col_3> and <image>!';
    const ids = tokenizer.encode(text);
    expect(ids).toContain(config.image_token_id);
    expect(tokenizer.encode('<row_2_col_3>')).toHaveLength(1);
    expect(tokenizer.decode(ids)).toBe(text);
    expect(tokenizer.decode(ids, { skip_special_tokens: true })).toBe('Naïve café 👋,  and !');
  });
});

const describeImage = [
  { role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Describe this image.' }] },
];

/** Exactly size.longest_edge square, so the processor does not resize it (trap T12). */
function testImage(): RawImage {
  const edge = dims.resizeLongestEdge;
  const pixels = new Uint8ClampedArray(edge * edge * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + (i >> 7) * 11) % 256;
  return new RawImage(pixels, edge, edge, 3);
}

const dtypes = {
  fp32: 'fp32',
  q4: 'q4',
  'fp32 vision, q4 decoder': { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4' },
} as const;

describe.each(Object.keys(dtypes) as (keyof typeof dtypes)[])('transformers.js with dtype %s', (dtype) => {
  it('loads, renders the SmolVLM chat prompt and streams exactly max_new_tokens tokens', async () => {
    const processor = await AutoProcessor.from_pretrained(modelDir);
    const model = await AutoModelForImageTextToText.from_pretrained(modelDir, { dtype: dtypes[dtype], device: 'cpu' });
    const tokenizer = required(processor.tokenizer, 'tokenizer');

    const prompt = processor.apply_chat_template(describeImage, { add_generation_prompt: true });
    expect(prompt).toBe('<|im_start|>User:<image>Describe this image.<end_of_utterance>\nAssistant:');

    for (const doImageSplitting of [true, false]) {
      const inputs = await processor(prompt, [testImage()], { do_image_splitting: doImageSplitting });
      const tiles = doImageSplitting ? 5 : 1; // 64 px → 2×2 tiles of 32 px, plus the global image
      expect(inputs.pixel_values.dims).toEqual([1, tiles, 3, dims.tileSize, dims.tileSize]);

      const streamed: bigint[] = [];
      const streamer = new TextStreamer(tokenizer, {
        skip_prompt: true,
        callback_function: () => {},
        token_callback_function: (tokens: bigint[]) => streamed.push(...tokens),
      });
      const maxNewTokens = 12;
      const output = (await model.generate({
        ...inputs,
        max_new_tokens: maxNewTokens,
        min_new_tokens: maxNewTokens, // random weights may pick the EOS token early
        do_sample: false,
        streamer,
      })) as HfTensor;
      const promptLength = required(inputs.input_ids.dims[1], 'prompt length');
      expect(output.dims).toEqual([1, promptLength + maxNewTokens]);
      expect(streamed).toHaveLength(maxNewTokens);
      expect(streamed).toEqual(Array.from(output.data as BigInt64Array).slice(promptLength));
      expect(new Set(streamed).size, 'random weights should not repeat one token').toBeGreaterThanOrEqual(4);
    }
    await model.dispose();
  });
});

type Feeds = Record<string, Tensor>;

/**
 * onnxruntime on the decoder directly: decoding in chunks through the KV cache must equal one full pass. The q8 file
 * quantizes its activations with one scale per call (DynamicQuantizeLinear), so a chunk of 3 tokens is quantized
 * differently from the same tokens in a pass of 6: equal within quantisation noise, a share of the largest logit.
 */
describe.each([
  { suffix: '', noise: 0 },
  { suffix: '_q4', noise: 0 },
  { suffix: '_quantized', noise: 0.03 },
])('decoder_model_merged$suffix', ({ suffix, noise }) => {
  const { hiddenSize, numHiddenLayers, numKeyValueHeads, headDim, vocabSize } = dims;
  let session: InferenceSession;

  beforeAll(async () => {
    session = await InferenceSession.create(join(modelDir, `onnx/decoder_model_merged${suffix}.onnx`));
  });

  const emptyCache = (): Feeds => {
    const cache: Feeds = {};
    for (let layer = 0; layer < numHiddenLayers; layer++) {
      for (const part of ['key', 'value']) {
        cache[`past_key_values.${layer}.${part}`] = new Tensor('float32', new Float32Array(0), [1, numKeyValueHeads, 0, headDim]);
      }
    }
    return cache;
  };

  /** Runs tokens [from, to) of `embeds` on top of `cache`, with transformers.js' position ids; returns logits and cache. */
  async function run(embeds: Float32Array, mask: number[], from: number, to: number, cache: Feeds) {
    let seen = 0;
    const positions = mask.map((value) => Math.max((seen += value) - 1, 0));
    const outputs = await session.run({
      inputs_embeds: new Tensor('float32', embeds.slice(from * hiddenSize, to * hiddenSize), [1, to - from, hiddenSize]),
      attention_mask: new Tensor('int64', BigInt64Array.from(mask.slice(0, to), BigInt), [1, to]),
      position_ids: new Tensor('int64', BigInt64Array.from(positions.slice(from, to), BigInt), [1, to - from]),
      ...cache,
    });
    const nextCache: Feeds = {};
    for (const [name, tensor] of Object.entries(outputs)) {
      if (name.startsWith('present.')) nextCache[name.replace('present.', 'past_key_values.')] = tensor;
    }
    const logits = required(outputs.logits, 'logits');
    expect(logits.dims).toEqual([1, to - from, vocabSize]);
    expect(nextCache['past_key_values.0.key']?.dims).toEqual([1, numKeyValueHeads, to, headDim]);
    return { logits: logits.data as Float32Array, cache: nextCache };
  }

  it('gives the same logits in chunks of 3, 2 and 1 tokens through the KV cache as in one 6-token pass', async () => {
    const length = 6;
    const embeds = seededNormals(5, 'embeds', length * hiddenSize, 1);
    const mask = new Array<number>(length).fill(1);
    const full = await run(embeds, mask, 0, length, emptyCache());

    const incremental: number[] = [];
    let cache = emptyCache();
    for (const [from, to] of [[0, 3], [3, 5], [5, 6]] as const) {
      const step = await run(embeds, mask, from, to, cache);
      incremental.push(...step.logits);
      cache = step.cache;
    }
    expect(maxAbsDiff(incremental, full.logits)).toBeLessThan(1e-4 + noise * maxAbs(full.logits));
  });

  it('ignores a left-padded position masked out by attention_mask', async () => {
    const embeds = seededNormals(6, 'embeds', 5 * hiddenSize, 1);
    const padded = new Float32Array(6 * hiddenSize);
    padded.set(seededNormals(7, 'pad', hiddenSize, 1));
    padded.set(embeds, hiddenSize);
    const unpadded = await run(embeds, [1, 1, 1, 1, 1], 0, 5, emptyCache());
    const leftPadded = await run(padded, [0, 1, 1, 1, 1, 1], 0, 6, emptyCache());
    expect(maxAbsDiff(leftPadded.logits.slice(vocabSize), unpadded.logits)).toBeLessThan(1e-4 + noise * maxAbs(unpadded.logits));
  });
});

describe('vision_encoder', () => {
  it('emits image_seq_len features per real tile and drops padding tiles', async () => {
    const session = await InferenceSession.create(join(modelDir, 'onnx/vision_encoder.onnx'));
    const tile = dims.tileSize;
    const pixels = seededNormals(8, 'pixels', 2 * 3 * tile * tile, 0.5);
    const mask = new Uint8Array(2 * tile * tile).fill(1, 0, tile * tile); // the second tile is padding
    const outputs = await session.run({
      pixel_values: new Tensor('float32', pixels, [1, 2, 3, tile, tile]),
      pixel_attention_mask: new Tensor('bool', mask, [1, 2, tile, tile]),
    });
    const features = required(outputs.image_features, 'image_features');
    expect(features.dims).toEqual([1, 4, dims.hiddenSize]);
    const values = Array.from(features.data as Float32Array);
    const rms = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
    expect(rms).toBeGreaterThan(0.1);
    expect(rms).toBeLessThan(10);
  });
});
