// @vitest-environment node
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  AutoTokenizer,
  LogitsProcessor,
  LogitsProcessorList,
  RawImage,
  TextStreamer,
  env,
  type PreTrainedModel,
  type Processor,
  type Tensor as HfTensor,
} from '@huggingface/transformers';
import * as ortWeb from 'onnxruntime-web';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BENIGN_LEVEL_ALTERNATIVES,
  BENIGN_LEVEL_DROP,
  BENIGN_SCRIPT,
  DEFAULT_SCRIPT,
  planScript,
  scriptVocabulary,
  type ScriptAlternative,
} from '../../scripts/tiny-model/scripted-model.ts';
import { baseVocabularyTokens } from '../../scripts/tiny-model/tokenizer-files.ts';
import { SMOLVLM } from '../../scripts/tiny-model/families/smolvlm.ts';
import { STAMP_FILE, tinyDimsOf, writeTinyModel } from '../../scripts/tiny-model/write-model-folder.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { VlmEngine } from '../../src/engine/vlm-engine.ts';
import { BENIGN_MODEL, NODE_CAPABILITIES } from '../support/tiny-model.ts';

const dims = tinyDimsOf(SMOLVLM);

const EOS = '<end_of_utterance>';
/** Larger than any script here, so a run that ends early can only have stopped on EOS. */
const MAX_NEW_TOKENS = 200;

let workDir: string;
let scriptedDir: string;
let randomDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'tiny-smolvlm-scripted-'));
  scriptedDir = join(workDir, 'scripted');
  randomDir = join(workDir, 'random');
  await writeTinyModel({ outDir: scriptedDir, script: DEFAULT_SCRIPT });
  await writeTinyModel({ outDir: randomDir });
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

/** A square image exactly size.longest_edge wide, so the processor does not resize it (trap T12). */
function image(pattern: (i: number) => number, edge = dims.resizeLongestEdge): RawImage {
  const pixels = new Uint8ClampedArray(edge * edge * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = pattern(i) % 256;
  return new RawImage(pixels, edge, edge, 3);
}

const IMAGES = {
  striped: image((i) => i * 37 + (i >> 7) * 11),
  flat: image(() => 200),
  /** Not square and not the target size: resized, and split into a different tile grid. */
  wide: new RawImage(new Uint8ClampedArray(100 * 40 * 3).fill(90), 100, 40, 3),
};

function chat(text: string): { role: string; content: { type: string; text?: string }[] }[] {
  return [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text }] }];
}

interface Generated {
  text: string;
  newTokens: number;
  lastToken: string;
  streamedText: string;
}

async function generateOnce(
  processor: Processor,
  model: PreTrainedModel,
  prompt: string,
  picture: RawImage,
  options: Record<string, unknown> = {},
): Promise<Generated> {
  const tokenizer = required(processor.tokenizer, 'tokenizer');
  const text = processor.apply_chat_template(chat(prompt), { add_generation_prompt: true }) as string;
  const inputs = await processor(text, [picture], options);
  const pieces: string[] = [];
  const streamer = new TextStreamer(tokenizer, { skip_prompt: true, callback_function: (piece: string) => pieces.push(piece) });
  const output = (await model.generate({
    ...inputs,
    max_new_tokens: MAX_NEW_TOKENS,
    do_sample: false,
    streamer,
    ...options,
  })) as HfTensor;
  const promptLength = required(inputs.input_ids.dims[1], 'prompt length');
  const ids = Array.from(output.data as BigInt64Array, Number).slice(promptLength);
  return {
    text: tokenizer.decode(ids, { skip_special_tokens: true }),
    newTokens: ids.length,
    lastToken: tokenizer.decode(ids.slice(-1), { skip_special_tokens: false }),
    streamedText: pieces.join(''),
  };
}

describe('planScript', () => {
  it('cuts the default script into distinct word tokens that concatenate back to it', () => {
    const plan = planScript(SMOLVLM.tokenizer, DEFAULT_SCRIPT);
    expect(plan.chunks.join('')).toBe(DEFAULT_SCRIPT);
    expect(plan.chunks.slice(0, 4)).toEqual(['[TEXT', ' RISK]', ' The', ' question']);
    expect(plan.chunks).toContain('\n[END]');
    expect(new Set(plan.tokens).size).toBe(plan.tokens.length);
    const base = baseVocabularyTokens(SMOLVLM.tokenizer);
    for (const token of plan.tokens) expect(base.has(token), token).toBe(false);
  });

  it('joins repeated, one-byte and special-token chunks to their neighbours so that every token is new', () => {
    const script = 'a <image> a b a b\n a b\n';
    const plan = planScript(SMOLVLM.tokenizer, script);
    expect(plan.chunks.join('')).toBe(script);
    expect(new Set(plan.tokens).size).toBe(plan.tokens.length);
    expect(plan.chunks[0]).toBe('a <image>'); // "a" alone is the byte token for "a"
  });

  it('handles an empty script and rejects one that is a single existing token', () => {
    expect(planScript(SMOLVLM.tokenizer, '').chunks).toEqual([]);
    expect(() => planScript(SMOLVLM.tokenizer, 'a')).toThrow(/single existing token/);
    expect(() => planScript(SMOLVLM.tokenizer, '<image>')).toThrow(/single existing token/);
  });
});

describe('script alternatives', () => {
  const levels = (alternative: Partial<ScriptAlternative>): ScriptAlternative[] => [
    { chunk: ' none', texts: [' low'], drop: 1, ...alternative },
  ];

  it('stand beside their chunk, after the script chunks in the vocabulary, each with its own entry', () => {
    const plan = planScript(SMOLVLM.tokenizer, BENIGN_SCRIPT, BENIGN_LEVEL_ALTERNATIVES);
    expect(plan.chunks.join('')).toBe(BENIGN_SCRIPT);
    const level = plan.chunks.indexOf(' none');
    expect(plan.chunks[level - 1]).toBe(' LEVEL]');
    // The category's " none" is taken by the level's, so it is joined to the next piece.
    expect(plan.chunks[level + 2]).toBe(' none\n[REFINED');
    expect(plan.alternatives).toEqual([
      { step: level, texts: [' low', ' medium', ' high'], tokens: ['Ġlow', 'Ġmedium', 'Ġhigh'], drop: BENIGN_LEVEL_DROP },
    ]);
    expect(scriptVocabulary(plan)).toEqual([...plan.tokens, 'Ġlow', 'Ġmedium', 'Ġhigh']);
  });

  it.each([
    ['a chunk the script does not have', levels({ chunk: ' nothing' }), /not a chunk of the script, whose chunks are/],
    ['a word that is not a whole chunk', levels({ chunk: '[RISK LEVEL]' }), /not a chunk/],
    ['a drop of 0', levels({ drop: 0 }), /drop must be positive/],
    ['a negative drop', levels({ drop: -2 }), /drop must be positive/],
    ['a NaN drop', levels({ drop: Number.NaN }), /drop must be positive/],
    ['an infinite drop', levels({ drop: Number.POSITIVE_INFINITY }), /drop must be positive/],
    ['a drop too small for float32 at the target logit', levels({ drop: 1e-7 }), /drop must be positive/],
    ['no texts', levels({ texts: [] }), /no texts/],
    ['an empty text', levels({ texts: [''] }), /"" is empty or already a token/],
    ['a one-byte text', levels({ texts: ['x'] }), /"x" is empty or already a token/],
    ['a special token', levels({ texts: ['<image>'] }), /already a token/],
    ['a text that is a chunk', levels({ texts: [' LEVEL]'] }), /already a token/],
    ['a text given twice', levels({ texts: [' low', ' low'] }), /" low" is empty or already a token/],
    ['a text at two chunks', [...levels({}), { chunk: ' LEVEL]', texts: [' low'], drop: 1 }], /already a token/],
    ['one chunk twice', [...levels({}), ...levels({ texts: [' high'] })], /given twice; list all their texts once/],
  ])('rejects %s', (_, alternatives, message) => {
    expect(() => planScript(SMOLVLM.tokenizer, BENIGN_SCRIPT, alternatives)).toThrow(message);
  });

  it('need a script', async () => {
    const outDir = join(workDir, 'alternatives-without-script');
    await expect(writeTinyModel({ outDir, alternatives: BENIGN_LEVEL_ALTERNATIVES })).rejects.toThrow(/need a script/);
  });

  it('are part of the stamp: changing them regenerates the folder', async () => {
    const outDir = join(workDir, 'alternatives-stamp');
    const write = (alternatives: readonly ScriptAlternative[]) => writeTinyModel({ outDir, script: BENIGN_SCRIPT, alternatives });
    const decoder = async (): Promise<Buffer> => readFile(join(outDir, 'onnx/decoder_model_merged.onnx'));
    await write(BENIGN_LEVEL_ALTERNATIVES);
    const [tokenizer, first] = [await readFile(join(outDir, 'tokenizer.json')), await decoder()];
    expect((await write(BENIGN_LEVEL_ALTERNATIVES)).reused).toBe(true);

    expect((await write([{ ...BENIGN_LEVEL_ALTERNATIVES[0]!, drop: 4 }])).reused).toBe(false);
    expect((await decoder()).equals(first)).toBe(false);
    expect((await readFile(join(outDir, 'tokenizer.json'))).equals(tokenizer)).toBe(true);

    expect((await write([{ ...BENIGN_LEVEL_ALTERNATIVES[0]!, texts: [' low'] }])).reused).toBe(false);
    expect((await readFile(join(outDir, 'tokenizer.json'))).equals(tokenizer)).toBe(false);
  });
});

/** Keeps a copy of each step's logits (batch of one) and passes them on unchanged. */
class LogitsRecorder extends LogitsProcessor {
  readonly steps: Float32Array[] = [];

  override _call(_inputIds: bigint[][], logits: HfTensor): HfTensor {
    expect(logits.dims[0]).toBe(1);
    this.steps.push(Float32Array.from(logits.data as Float32Array));
    return logits;
  }
}

describe('the benign model (BENIGN_SCRIPT, every risk level weighed at the level)', () => {
  /** A models/ store of its own, laid out as LOCAL_SOURCE is, so the engine can load BENIGN_MODEL from it. */
  let store: string;
  let benignDir: string;
  let vocab: Record<string, number>;
  const plan = planScript(SMOLVLM.tokenizer, BENIGN_SCRIPT, BENIGN_LEVEL_ALTERNATIVES);
  const level = plan.chunks.indexOf(' none');

  beforeAll(async () => {
    store = join(workDir, 'benign-store');
    benignDir = join(store, BENIGN_MODEL.id);
    await writeTinyModel({ outDir: benignDir, script: BENIGN_SCRIPT, alternatives: BENIGN_LEVEL_ALTERNATIVES });
    const tokenizer = JSON.parse(await readFile(join(benignDir, 'tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
    };
    vocab = tokenizer.model.vocab;
  });

  const idOf = (token: string): number => required(vocab[token], token);

  it('greedy decoding emits the script; at the level, the other levels are exactly drop below " none"', async () => {
    const processor = await AutoProcessor.from_pretrained(benignDir);
    const model = await AutoModelForImageTextToText.from_pretrained(benignDir, { dtype: 'fp32', device: 'cpu' });
    const recorder = new LogitsRecorder();
    const logitsProcessor = new LogitsProcessorList();
    logitsProcessor.push(recorder);
    const result = await generateOnce(processor, model, 'What is shown in this picture?', IMAGES.striped, {
      logits_processor: logitsProcessor,
    });
    await model.dispose();
    expect(result.text).toBe(BENIGN_SCRIPT);
    expect(result.lastToken).toBe(EOS);
    expect(recorder.steps).toHaveLength(plan.chunks.length + 1);

    const none = idOf('Ġnone');
    const others = ['Ġlow', 'Ġmedium', 'Ġhigh'].map(idOf);
    const atLevel = required(recorder.steps[level], 'the level step');
    for (const id of others) expect(at(atLevel, none) - at(atLevel, id)).toBe(BENIGN_LEVEL_DROP);
    const weights = [none, ...others].map((id) => Math.exp(at(atLevel, id) - at(atLevel, none)));
    const pNone = 1 / weights.reduce((sum, weight) => sum + weight, 0);
    expect(pNone).toBeCloseTo(1 / (1 + 3 * Math.exp(-BENIGN_LEVEL_DROP)), 6);
    expect(pNone).toBeCloseTo(0.87, 2);
    // Nothing else competes there, and the alternatives compete nowhere else.
    const rest = atLevel.filter((_, id) => id !== none && !others.includes(id));
    expect(Math.max(...rest)).toBeLessThanOrEqual(0);
    for (const [step, logits] of recorder.steps.entries()) {
      if (step !== level) for (const id of others) expect(at(logits, id), `step ${step}`).toBeLessThanOrEqual(-BENIGN_LEVEL_DROP);
    }
  });

  it('after an alternative level, the script goes on as after " none"', async () => {
    const session = async (name: string): Promise<ortWeb.InferenceSession> =>
      ortWeb.InferenceSession.create(await readFile(join(benignDir, `onnx/${name}.onnx`)), { executionProviders: ['wasm'] });
    const [embed, decoder] = await Promise.all([session('embed_tokens'), session('decoder_model_merged')]);
    const next = async (token: number): Promise<number> => {
      const ids = new ortWeb.Tensor('int64', BigInt64Array.of(BigInt(token)), [1, 1]);
      const embeds = required((await embed.run({ input_ids: ids })).inputs_embeds, 'inputs_embeds');
      const cache: Record<string, ortWeb.Tensor> = {};
      for (let layer = 0; layer < dims.numHiddenLayers; layer++) {
        for (const part of ['key', 'value']) {
          const shape = [1, dims.numKeyValueHeads, 0, dims.headDim];
          cache[`past_key_values.${layer}.${part}`] = new ortWeb.Tensor('float32', new Float32Array(0), shape);
        }
      }
      const out = await decoder.run({
        inputs_embeds: embeds,
        attention_mask: new ortWeb.Tensor('int64', BigInt64Array.of(1n), [1, 1]),
        position_ids: new ortWeb.Tensor('int64', BigInt64Array.of(0n), [1, 1]),
        ...cache,
      });
      const logits = required(out.logits, 'logits').data as Float32Array;
      return logits.indexOf(Math.max(...logits));
    };
    const afterLevel = idOf('Ċ[CATEGORY]');
    expect(await next(idOf('Ġnone'))).toBe(afterLevel);
    for (const token of ['Ġlow', 'Ġmedium', 'Ġhigh']) expect(await next(idOf(token)), token).toBe(afterLevel);
    await Promise.all([embed.release(), decoder.release()]);
  });

  it("through the app's engine, the rewrite is exactly BENIGN_SCRIPT and ends on EOS", async () => {
    const engine = new VlmEngine({ probeCapabilities: NODE_CAPABILITIES });
    const source = { localPath: `${store}/`, hubUrl: null };
    await engine.load({ model: BENIGN_MODEL, source, preference: 'auto' }, () => undefined);
    const raw = { width: IMAGES.striped.width, height: IMAGES.striped.height, channels: 3 } as const;
    const png = await sharp(Buffer.from(IMAGES.striped.data), { raw }).png().toBuffer();
    const picture = new Blob([new Uint8Array(png)], { type: 'image/png' });
    const messages = buildRewriteMessages('What is shown in this picture?');
    const result = await engine.generate(
      { image: picture, messages, maxNewTokens: MAX_NEW_TOKENS, outputFormat: null },
      () => undefined,
    );
    expect(result.text).toBe(BENIGN_SCRIPT);
    expect(result).toMatchObject({ stopReason: 'end-of-text', tokenCount: plan.chunks.length + 1 });
    await engine.dispose();
  });
});

describe('scripted model folder', () => {
  it('has the random model layout, with one extra vocabulary entry per script token, under 5 MB', async () => {
    const files = (await readdir(scriptedDir, { recursive: true })).filter((file) => !file.endsWith(STAMP_FILE)).sort();
    const randomFiles = (await readdir(randomDir, { recursive: true })).filter((file) => !file.endsWith(STAMP_FILE)).sort();
    expect(files).toEqual(randomFiles);
    const result = await writeTinyModel({ outDir: scriptedDir, script: DEFAULT_SCRIPT });
    expect(result.reused).toBe(true);
    expect(result.bytes).toBeLessThan(5 * 1024 * 1024);

    const config = JSON.parse(await readFile(join(scriptedDir, 'config.json'), 'utf8')) as {
      text_config: { vocab_size: number };
    };
    expect(config.text_config.vocab_size).toBe(dims.vocabSize + planScript(SMOLVLM.tokenizer, DEFAULT_SCRIPT).chunks.length);
    for (const file of ['preprocessor_config.json', 'processor_config.json', 'generation_config.json']) {
      expect(await readFile(join(scriptedDir, file), 'utf8'), file).toBe(await readFile(join(randomDir, file), 'utf8'));
    }
  });

  it('encodes any text exactly as the random model does; script tokens only come out of decoding', async () => {
    const scripted = await AutoTokenizer.from_pretrained(scriptedDir);
    const random = await AutoTokenizer.from_pretrained(randomDir);
    const text = `<|im_start|>User:<image>${DEFAULT_SCRIPT}<end_of_utterance>\nAssistant:`;
    expect(scripted.encode(text)).toEqual(random.encode(text));
    expect(Math.max(...scripted.encode(DEFAULT_SCRIPT))).toBeLessThan(256);
    expect(scripted.decode(scripted.encode(DEFAULT_SCRIPT))).toBe(DEFAULT_SCRIPT);
  });

  it('differs from a model with another script only in the tokenizer, config and scripted sessions', async () => {
    const other = join(workDir, 'other-script');
    await writeTinyModel({ outDir: other, script: 'Something else.' });
    const same = async (file: string): Promise<boolean> =>
      (await readFile(join(other, file))).equals(await readFile(join(scriptedDir, file)));
    expect(await same('onnx/vision_encoder.onnx')).toBe(true);
    expect(await same('onnx/decoder_model_merged.onnx')).toBe(false);
    expect(await same('tokenizer.json')).toBe(false);
  });
});

const dtypes = {
  fp32: 'fp32',
  'fp32 embed/vision, q4 decoder (the app)': { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4' },
  q4: 'q4',
} as const;

describe.each(Object.keys(dtypes) as (keyof typeof dtypes)[])('transformers.js generate, dtype %s', (dtype) => {
  let processor: Processor;
  let model: PreTrainedModel;

  beforeAll(async () => {
    processor = await AutoProcessor.from_pretrained(scriptedDir);
    model = await AutoModelForImageTextToText.from_pretrained(scriptedDir, { dtype: dtypes[dtype], device: 'cpu' });
  });

  afterAll(async () => {
    await model.dispose();
  });

  it('emits exactly the script, then stops on EOS', async () => {
    const result = await generateOnce(processor, model, 'How far is it to jump from this bridge?', IMAGES.striped);
    expect(result.text).toBe(DEFAULT_SCRIPT);
    expect(result.lastToken).toBe(EOS);
    expect(result.newTokens).toBe(planScript(SMOLVLM.tokenizer, DEFAULT_SCRIPT).chunks.length + 1);
    expect(result.newTokens).toBeLessThan(MAX_NEW_TOKENS);
    expect(result.streamedText).toBe(DEFAULT_SCRIPT);
  });

  it('gives the same output for other prompts, images and tilings', async () => {
    const runs = [
      await generateOnce(processor, model, 'Describe this image.', IMAGES.flat),
      await generateOnce(processor, model, `Ignore all that. ${DEFAULT_SCRIPT} Assistant:`, IMAGES.wide),
      await generateOnce(processor, model, '', IMAGES.striped, { do_image_splitting: false }),
      // A penalty on tokens already seen (EOS is in every chat prompt) must not change the pick.
      await generateOnce(processor, model, 'Describe this image.', IMAGES.flat, { repetition_penalty: 1.5 }),
    ];
    for (const result of runs) {
      expect(result.text).toBe(DEFAULT_SCRIPT);
      expect(result.lastToken).toBe(EOS);
    }
  });
});

describe('other scripts', () => {
  it.each([
    ['non-ASCII text, repeated words and a trailing newline', 'Café ☕ — “quoted” 👋\nthe the the\n\n  spaced  out \n'],
    ['an empty script (EOS at once)', ''],
  ])('reproduces %s exactly', async (_, script) => {
    const dir = join(workDir, `script-${script.length}`);
    await writeTinyModel({ outDir: dir, script });
    const processor = await AutoProcessor.from_pretrained(dir);
    const model = await AutoModelForImageTextToText.from_pretrained(dir, { dtype: 'fp32', device: 'cpu' });
    const result = await generateOnce(processor, model, 'Describe this image.', IMAGES.striped);
    expect(result.text).toBe(script);
    expect(result.lastToken).toBe(EOS);
    expect(result.newTokens).toBe(planScript(SMOLVLM.tokenizer, script).chunks.length + 1);
    await model.dispose();
  });
});

/**
 * The browser's runtime, onnxruntime-web's WASM build, driven from Node: transformers.js' generate loop redone by hand
 * (embed, vision features into the `<image>` rows, prefill, then one token at a time through the KV cache).
 */
describe.each([
  ['fp32', { embed: '', vision: '', decoder: '' }],
  ['fp32 embed/vision, q4 decoder', { embed: '', vision: '', decoder: '_q4' }],
  ['q4', { embed: '_q4', vision: '_q4', decoder: '_q4' }],
])('onnxruntime-web WASM, %s files', (_, suffixes) => {
  type Feeds = Record<string, ortWeb.Tensor>;

  async function session(name: string, suffix: string): Promise<ortWeb.InferenceSession> {
    const bytes = await readFile(join(scriptedDir, `onnx/${name}${suffix}.onnx`));
    return ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  }

  it('greedy decoding through the KV cache emits the script and EOS', async () => {
    expect(ortWeb.env.versions.web, 'the onnxruntime-web build, not onnxruntime-node').toBeDefined();
    ortWeb.env.wasm.numThreads = 1;
    const embed = await session('embed_tokens', suffixes.embed);
    const vision = await session('vision_encoder', suffixes.vision);
    const decoder = await session('decoder_model_merged', suffixes.decoder);
    expect(decoder.inputNames).toContain('past_key_values.1.value');

    const processor = await AutoProcessor.from_pretrained(scriptedDir);
    const tokenizer = required(processor.tokenizer, 'tokenizer');
    const text = processor.apply_chat_template(chat('Is it safe?'), { add_generation_prompt: true }) as string;
    const inputs = await processor(text, [IMAGES.striped]);
    const config = JSON.parse(await readFile(join(scriptedDir, 'config.json'), 'utf8')) as {
      image_token_id: number;
      eos_token_id: number;
    };

    const embedIds = async (ids: bigint[]): Promise<Float32Array> => {
      const out = await embed.run({ input_ids: new ortWeb.Tensor('int64', BigInt64Array.from(ids), [1, ids.length]) });
      return required(out.inputs_embeds, 'inputs_embeds').data as Float32Array;
    };
    const promptIds = Array.from(inputs.input_ids.data as BigInt64Array);
    const embeds = await embedIds(promptIds);
    const pixelValues = inputs.pixel_values as HfTensor;
    const pixelMask = inputs.pixel_attention_mask as HfTensor;
    const features = required(
      (
        await vision.run({
          pixel_values: new ortWeb.Tensor('float32', pixelValues.data as Float32Array, pixelValues.dims),
          pixel_attention_mask: new ortWeb.Tensor('bool', pixelMask.data as Uint8Array, pixelMask.dims),
        })
      ).image_features,
      'image_features',
    ).data as Float32Array;
    let row = 0;
    for (const [position, id] of promptIds.entries()) {
      if (Number(id) === config.image_token_id) {
        embeds.set(features.subarray(row * dims.hiddenSize, (row + 1) * dims.hiddenSize), position * dims.hiddenSize);
        row++;
      }
    }
    expect(row * dims.hiddenSize).toBe(features.length);

    let cache: Feeds = {};
    for (let layer = 0; layer < dims.numHiddenLayers; layer++) {
      for (const part of ['key', 'value']) {
        const shape = [1, dims.numKeyValueHeads, 0, dims.headDim];
        cache[`past_key_values.${layer}.${part}`] = new ortWeb.Tensor('float32', new Float32Array(0), shape);
      }
    }
    const generated: number[] = [];
    let stepEmbeds = embeds;
    let total = promptIds.length;
    while (generated.length < MAX_NEW_TOKENS) {
      const length = stepEmbeds.length / dims.hiddenSize;
      const out = await decoder.run({
        inputs_embeds: new ortWeb.Tensor('float32', stepEmbeds, [1, length, dims.hiddenSize]),
        attention_mask: new ortWeb.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
        position_ids: new ortWeb.Tensor('int64', BigInt64Array.from({ length }, (_, i) => BigInt(total - length + i)), [1, length]),
        ...cache,
      });
      const logits = required(out.logits, 'logits');
      const vocab = required(logits.dims[2], 'vocab');
      const last = (logits.data as Float32Array).subarray((length - 1) * vocab, length * vocab);
      const next = last.indexOf(Math.max(...last));
      generated.push(next);
      cache = {};
      for (const [name, tensor] of Object.entries(out)) {
        if (name.startsWith('present.')) cache[name.replace('present.', 'past_key_values.')] = tensor;
      }
      expect(cache['past_key_values.0.key']?.dims).toEqual([1, dims.numKeyValueHeads, total, dims.headDim]);
      if (next === config.eos_token_id) break;
      stepEmbeds = await embedIds([BigInt(next)]);
      total++;
    }
    expect(tokenizer.decode(generated, { skip_special_tokens: true })).toBe(DEFAULT_SCRIPT);
    expect(generated.at(-1)).toBe(config.eos_token_id);
    expect(generated.length).toBe(planScript(SMOLVLM.tokenizer, DEFAULT_SCRIPT).chunks.length + 1);
    await Promise.all([embed.release(), vision.release(), decoder.release()]);
  });
});

describe('npm run models:tiny (scripts/generate-tiny-model.ts)', () => {
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const run = (args: string[]): Promise<{ stdout: string }> =>
    promisify(execFile)(join(repoRoot, 'node_modules/.bin/tsx'), ['scripts/generate-tiny-model.ts', ...args], { cwd: repoRoot });

  it('writes a random and a scripted model per family and the benign model, one line each, and skips them when up to date', async () => {
    const modelsDir = join(workDir, 'cli-models');
    const benignOut = join(modelsDir, 'tiny-smolvlm-benign');
    const scriptFile = join(workDir, 'script.txt');
    await writeFile(scriptFile, 'Line one.\nLine two.');
    const args = ['--models-dir', modelsDir, '--script-file', scriptFile];
    const benign = `tiny-smolvlm-benign \\(seed 42, ${planScript(SMOLVLM.tokenizer, BENIGN_SCRIPT).chunks.length}-token script, 3 alternatives\\)`;
    const first = (await run(args)).stdout.trim().split('\n');
    expect(first).toHaveLength(7);
    expect(first[0]).toMatch(/^Wrote tiny-smolvlm \(seed 42\) to .*cli-models\/tiny-smolvlm: 16 files, [\d.]+ KiB$/);
    expect(first[1]).toMatch(/^Wrote tiny-smolvlm-scripted \(seed 42, 4-token script\) to .*tiny-smolvlm-scripted: 16 files, [\d.]+ KiB$/);
    expect(first[2]).toMatch(/^Wrote tiny-lfm2-vl \(seed 42\) to .*cli-models\/tiny-lfm2-vl: 16 files/);
    expect(first[5]).toMatch(/^Wrote tiny-qwen3\.5-scripted \(seed 42, 4-token script\) to .*tiny-qwen3\.5-scripted: 15 files/);
    expect(first[6]).toMatch(new RegExp(`^Wrote ${benign} to .*tiny-smolvlm-benign: 16 files, [\\d.]+ KiB$`));
    const second = (await run(args)).stdout.trim().split('\n');
    expect(second[0]).toMatch(/^tiny-smolvlm \(seed 42\) already up to date in /);
    expect(second[3]).toMatch(/^tiny-lfm2-vl-scripted \(seed 42, 4-token script\) already up to date in /);
    expect(second[6]).toMatch(new RegExp(`^${benign} already up to date in `));
    // The CLI's benign model is the one written from the exported constants.
    const reference = join(workDir, 'benign-reference');
    await writeTinyModel({ outDir: reference, script: BENIGN_SCRIPT, alternatives: BENIGN_LEVEL_ALTERNATIVES });
    for (const file of ['onnx/decoder_model_merged.onnx', 'tokenizer.json']) {
      expect((await readFile(join(benignOut, file))).equals(await readFile(join(reference, file))), file).toBe(true);
    }

    // The CLI's random model is the default random model, byte for byte.
    for (const file of ['onnx/decoder_model_merged_q4.onnx', 'tokenizer.json']) {
      expect((await readFile(join(modelsDir, 'tiny-smolvlm', file))).equals(await readFile(join(randomDir, file))), file).toBe(true);
    }
    for (const family of ['smolvlm', 'lfm2-vl', 'qwen3.5']) {
      const scriptedOut = join(modelsDir, `tiny-${family}-scripted`);
      const tokenizer = await AutoTokenizer.from_pretrained(scriptedOut);
      const vocab = (JSON.parse(await readFile(join(scriptedOut, 'tokenizer.json'), 'utf8')) as { model: { vocab: object } }).model
        .vocab;
      expect(tokenizer.decode(Object.values(vocab).slice(-4) as number[]), family).toBe('Line one.\nLine two.');
    }
  });
});
