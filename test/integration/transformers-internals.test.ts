// @vitest-environment node
import { readFile } from 'node:fs/promises';
import {
  AutoModelForImageTextToText,
  AutoProcessor,
  RawImage,
  Tensor,
  type PreTrainedModel,
  type Processor,
} from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDevice } from '../../src/core/device-plan.ts';
import { findModel } from '../../src/core/model-catalog.ts';
import type { ModelFamily } from '../../src/core/model-families.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { buildModelInputs } from '../../src/engine/model-inputs.ts';
import { configureTransformers } from '../../src/engine/transformers-environment.ts';
import {
  cacheEntries,
  cacheFromEntries,
  decoderCacheInputNames,
  imageTokenId,
  INTERNALS_CHECKED_AGAINST,
  modelType,
  resizeStraightToTile,
  resumeFromCache,
  visionEncoderInputNames,
  wrapImageEncoder,
} from '../../src/engine/transformers-internals.ts';
import { LOCAL_SOURCE, NODE_CAPABILITIES } from '../support/tiny-model.ts';

/**
 * Each transformers.js internal the engine relies on (src/engine/transformers-internals.ts), on the real library with
 * the generated tiny models: when an upgrade changes one of these shapes, its test here fails.
 */

const IMAGE = new RawImage(new Uint8ClampedArray(48 * 24 * 3).fill(100), 48, 24, 3);
const NEW_TOKENS = 3;

/** What each family's generated model looks like through the internals. */
interface FamilyFacts {
  family: ModelFamily;
  modelType: string;
  imageToken: string;
  visionInputs: string[];
  /** The decoder's cache inputs, by kind (the name before the layer number). */
  cacheKinds: string[];
}

const FAMILIES: FamilyFacts[] = [
  {
    family: 'smolvlm',
    modelType: 'smolvlm',
    imageToken: '<image>',
    visionInputs: ['pixel_values', 'pixel_attention_mask'],
    cacheKinds: ['past_key_values'],
  },
  {
    family: 'lfm2-vl',
    modelType: 'lfm2_vl',
    imageToken: '<image>',
    visionInputs: ['pixel_values', 'pixel_attention_mask', 'spatial_shapes'],
    cacheKinds: ['past_conv', 'past_key_values'],
  },
  {
    family: 'qwen3.5',
    modelType: 'qwen3_5',
    imageToken: '<|image_pad|>',
    visionInputs: ['pixel_values', 'image_grid_thw'],
    cacheKinds: ['past_conv', 'past_key_values', 'past_recurrent'],
  },
];

interface Loaded {
  processor: Processor;
  vlm: PreTrainedModel;
  inputs: Record<string, Tensor>;
}

async function loadProcessor(family: ModelFamily): Promise<Processor> {
  const model = findModel(`test/tiny-${family}`)!;
  configureTransformers(LOCAL_SOURCE, planDevice(await NODE_CAPABILITIES(), model));
  return AutoProcessor.from_pretrained(model.id);
}

/** The family's random tiny model as the engine loads it on onnxruntime-node, and the inputs of a rewrite prompt. */
async function load(family: ModelFamily): Promise<Loaded> {
  const model = findModel(`test/tiny-${family}`)!;
  const plan = planDevice(await NODE_CAPABILITIES(), model);
  configureTransformers(LOCAL_SOURCE, plan);
  const processor = await AutoProcessor.from_pretrained(model.id);
  const vlm = await AutoModelForImageTextToText.from_pretrained(model.id, { dtype: { ...plan.dtypes }, device: plan.backend });
  const inputs = await buildModelInputs(processor, family, buildRewriteMessages('Is this safe?'), IMAGE);
  return { processor, vlm, inputs };
}

async function greedyIds(vlm: PreTrainedModel, inputs: Record<string, Tensor>, options: object = {}): Promise<number[]> {
  const sequences = (await vlm.generate({ ...inputs, max_new_tokens: NEW_TOKENS, do_sample: false, ...options })) as Tensor;
  return Array.from(sequences.data as BigInt64Array, Number);
}

function promptIds(inputs: Record<string, Tensor>): number[] {
  return Array.from(inputs['input_ids']!.data as BigInt64Array, Number);
}

/** Rows of a feature tensor: one per image position, whatever the leading dims. */
function featureRows(features: Tensor): number {
  return features.dims.slice(0, -1).reduce((a, b) => a * b, 1);
}

describe('the transformers.js these internals were checked against', () => {
  it('is the installed one: after an upgrade, re-check src/engine/transformers-internals.ts and move the version', async () => {
    const installed = JSON.parse(
      await readFile(new URL('../../node_modules/@huggingface/transformers/package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(installed.version).toBe(INTERNALS_CHECKED_AGAINST);
  });
});

describe.each(FAMILIES)('transformers.js internals on the tiny $family model', (expected) => {
  let loaded: Loaded;
  beforeAll(async () => {
    loaded = await load(expected.family);
  });
  afterAll(() => loaded.vlm.dispose());

  it('model.config gives the model type, and the image token id the prompt holds at the image positions', () => {
    expect(modelType(loaded.vlm)).toBe(expected.modelType);
    const id = imageTokenId(loaded.vlm);
    expect(id).toBe(loaded.processor.tokenizer!.get_vocab().get(expected.imageToken));
    expect(promptIds(loaded.inputs)).toContain(id);
  });

  it("the vision encoder session's inputs are named, and the processor gives each of them", () => {
    expect(visionEncoderInputNames(loaded.vlm)).toEqual(expected.visionInputs);
    expect(Object.keys(loaded.inputs)).toEqual(expect.arrayContaining(expected.visionInputs));
  });

  it("the decoder session's cache inputs are named by kind", () => {
    const names = decoderCacheInputNames(loaded.vlm);
    expect([...new Set(names.map((name) => name.split('.')[0]))].sort()).toEqual(expected.cacheKinds);
  });

  if (expected.family === 'qwen3.5') {
    it('generate() given a cache drops the image (so the prompt-prefix cache must never serve this family)', async () => {
      await expect(greedyIds(loaded.vlm, loaded.inputs, resumeFromCache(cacheFromEntries()))).rejects.toThrow(
        /Missing the following inputs: pixel_values/,
      );
    });
  } else {
    it("generate() leaves in a cache it is given an entry for each of the decoder session's cache inputs", async () => {
      const cache = cacheFromEntries();
      await greedyIds(loaded.vlm, loaded.inputs, resumeFromCache(cache));
      expect(cacheEntries(cache).map(([name]) => name).sort()).toEqual(decoderCacheInputNames(loaded.vlm).sort());
    });
  }

  it('the prefill calls a wrapped encode_image once with the vision inputs, and merges what the wrapper returns', async () => {
    const { vlm, inputs } = await load(expected.family);
    let calls = 0;
    let replacement: Tensor | null = null;
    const encoded: Array<{ inputNames: string[]; features: Tensor }> = [];
    wrapImageEncoder(vlm, (encode) => async (encoderInputs) => {
      calls += 1;
      if (replacement) return replacement;
      const features = await encode(encoderInputs);
      encoded.push({ inputNames: Object.keys(encoderInputs), features });
      return features;
    });

    const cold = await greedyIds(vlm, inputs);
    expect(calls).toBe(1);
    const [{ inputNames, features }] = encoded as [(typeof encoded)[0]];
    expect(inputNames).toEqual(expect.arrayContaining(expected.visionInputs));
    expect(featureRows(features)).toBe(promptIds(inputs).filter((id) => id === imageTokenId(vlm)).length);

    // Served without encoding, the same features give the same tokens (the vision-feature cache relies on this)...
    replacement = features;
    expect(await greedyIds(vlm, inputs)).toEqual(cold);
    expect(encoded).toHaveLength(1);
    // ...and what the wrapper returns is what gets merged: one row too few is refused.
    const hidden = features.dims.at(-1)!;
    replacement = new Tensor('float32', new Float32Array(hidden), [1, hidden]);
    await expect(greedyIds(vlm, inputs)).rejects.toThrow(/tokens and features do not match/);
    await vlm.dispose();
  });
});

describe("the Idefics3 processor's resize sizes", () => {
  it('are read at every call: after resizeStraightToTile the first resize goes straight to the tile', async () => {
    const processor = await loadProcessor('smolvlm');
    const imageProcessor = processor.image_processor as unknown as {
      size: { longest_edge: number };
      max_image_size: { longest_edge: number };
    };
    expect(imageProcessor.size.longest_edge).toBe(64);
    expect(imageProcessor.max_image_size.longest_edge).toBe(32);
    const process = async () =>
      (await processor.image_processor!([IMAGE], { do_image_splitting: false })) as unknown as {
        pixel_values: Tensor;
        reshaped_input_sizes: number[][];
      };
    const before = await process();
    expect(before.reshaped_input_sizes).toEqual([[32, 64]]);

    expect(resizeStraightToTile(processor)).toBe(true);
    expect(imageProcessor.size.longest_edge).toBe(32);
    expect(imageProcessor.max_image_size.longest_edge).toBe(32);
    const after = await process();
    expect(after.reshaped_input_sizes).toEqual([[16, 32]]);
    expect(after.pixel_values.dims).toEqual(before.pixel_values.dims);
  });

  it.each(['lfm2-vl', 'qwen3.5'] as const)('are not there in the %s processor, which is left as it was', async (family) => {
    const processor = await loadProcessor(family);
    const before = JSON.stringify(processor.image_processor);
    expect(resizeStraightToTile(processor)).toBe(false);
    expect(JSON.stringify(processor.image_processor)).toBe(before);
  });
});

describe("SmolVLM's DynamicCache, as the prompt-prefix cache uses it", () => {
  let loaded: Loaded;
  beforeAll(async () => {
    loaded = await load('smolvlm');
  });
  afterAll(() => loaded.vlm.dispose());

  it('generate() fills a given empty cache in place with CPU attention KV [batch, heads, positions, dim]', async () => {
    const cache = cacheFromEntries();
    const ids = await greedyIds(loaded.vlm, loaded.inputs, resumeFromCache(cache));
    const entries = cacheEntries(cache);
    expect(entries.length).toBeGreaterThan(0);
    for (const [name, tensor] of entries) {
      expect(name).toMatch(/^past_key_values\.\d+\.(key|value)$/);
      expect(tensor).toBeInstanceOf(Tensor);
      expect(tensor.location).toBe('cpu');
      expect(tensor.dims).toHaveLength(4);
      // Every position but the last generated token, whose KV no run has computed yet.
      expect(tensor.dims[2]).toBe(ids.length - 1);
    }
    expect(cache.get_seq_length()).toBe(ids.length - 1);
  });

  it("a cache cut back to a prefix resumes where it ends, gives a cold run's tokens, and is filled in place again", async () => {
    const { vlm, inputs } = loaded;
    const cold = await greedyIds(vlm, inputs);
    const full = cacheFromEntries();
    await greedyIds(vlm, inputs, resumeFromCache(full));

    const prefix = promptIds(inputs).indexOf(imageTokenId(vlm)!);
    expect(prefix).toBeGreaterThan(0);
    const cut = cacheFromEntries(
      Object.fromEntries(cacheEntries(full).map(([name, tensor]) => [name, tensor.slice(null, null, [0, prefix], null)])),
    );
    expect(cut.get_seq_length()).toBe(prefix);
    const resumed = await greedyIds(vlm, inputs, resumeFromCache(cut));
    expect(resumed).toEqual(cold);
    expect(cut.get_seq_length()).toBe(resumed.length - 1);
  });
});
