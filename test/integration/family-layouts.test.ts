// @vitest-environment node
import { readFile } from 'node:fs/promises';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededNormals } from '../../scripts/tiny-model/seeded-random.ts';
import { MODELS_DIR } from '../support/tiny-model.ts';

/**
 * The generated LFM2-VL and Qwen3.5 models on onnxruntime directly: the I/O contract transformers.js 4.3.2 expects of
 * each family (see scripts/tiny-model/families/), and hybrid caches that carry state exactly across calls.
 */

type Feeds = Record<string, Tensor>;

interface TextConfig {
  layer_types: string[];
  hidden_size: number;
}

const FAMILIES = [
  { family: 'lfm2-vl', convCache: 'past_conv', positionRows: 0 },
  { family: 'qwen3.5', convCache: 'past_conv', positionRows: 3 },
] as const;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe.each(FAMILIES)('$family decoder_model_merged', ({ family, positionRows }) => {
  const dir = `${MODELS_DIR}test/tiny-${family}/`;
  for (const suffix of ['', '_q4']) {
    describe(`onnx/decoder_model_merged${suffix}.onnx`, () => {
      let session: InferenceSession;
      let text: TextConfig;

      beforeAll(async () => {
        session = await InferenceSession.create(`${dir}onnx/decoder_model_merged${suffix}.onnx`);
        text = (JSON.parse(await readFile(`${dir}config.json`, 'utf8')) as { text_config: TextConfig }).text_config;
      });

      /** Inputs as transformers.js' cache bookkeeping names them for the config's layer_types. */
      it('has one cache input per layer type, fixed in every dim but batch and the attention length', () => {
        const expected = text.layer_types.flatMap((type, layer) =>
          type === 'full_attention'
            ? [`past_key_values.${layer}.key`, `past_key_values.${layer}.value`]
            : type === 'conv'
              ? [`past_conv.${layer}`]
              : [`past_conv.${layer}`, `past_recurrent.${layer}`],
        );
        const cacheInputs = session.inputMetadata.filter((meta) => meta.name.startsWith('past'));
        expect(cacheInputs.map((meta) => meta.name).sort()).toEqual([...expected].sort());
        for (const meta of cacheInputs) {
          const shape = (meta as { shape: ReadonlyArray<number | string> }).shape;
          expect(shape[0], meta.name).toBe('batch_size');
          const symbolic = shape.slice(1).filter((dim) => typeof dim === 'string');
          expect(symbolic, meta.name).toEqual(meta.name.startsWith('past_key_values') ? ['past_sequence_length'] : []);
        }
        const presents = session.outputNames.filter((name) => name.startsWith('present'));
        const renamed = presents.map((name) => name.replace('present_', 'past_').replace(/^present\./, 'past_key_values.'));
        expect(renamed.sort()).toEqual([...expected].sort());
        expect(session.inputNames.includes('position_ids')).toBe(positionRows !== 0);
      });

      /** What transformers.js starts a generation with: zeros of each cache input's shape, 0 for the attention length. */
      function emptyCache(): Feeds {
        const cache: Feeds = {};
        for (const meta of session.inputMetadata) {
          if (!meta.name.startsWith('past')) continue;
          const shape = (meta as { shape: ReadonlyArray<number | string> }).shape.map((dim) => (dim === 'batch_size' ? 1 : typeof dim === 'string' ? 0 : dim));
          cache[meta.name] = new Tensor('float32', new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);
        }
        return cache;
      }

      async function run(embeds: Float32Array, from: number, to: number, cache: Feeds) {
        const hidden = text.hidden_size;
        const positions = BigInt64Array.from({ length: to - from }, (_, i) => BigInt(from + i));
        const feeds: Feeds = {
          inputs_embeds: new Tensor('float32', embeds.slice(from * hidden, to * hidden), [1, to - from, hidden]),
          attention_mask: new Tensor('int64', new BigInt64Array(to).fill(1n), [1, to]),
          ...cache,
        };
        if (positionRows === 3) {
          feeds['position_ids'] = new Tensor('int64', BigInt64Array.from([...positions, ...positions, ...positions]), [3, 1, to - from]);
        }
        const outputs = await session.run(feeds);
        const next: Feeds = {};
        for (const [name, tensor] of Object.entries(outputs)) {
          if (name.startsWith('present')) next[name.replace('present_', 'past_').replace(/^present\./, 'past_key_values.')] = tensor;
        }
        return { logits: outputs['logits']!.data as Float32Array, cache: next };
      }

      it('gives the same logits in chunks of 3, 2 and 1 tokens through its caches as in one 6-token pass', async () => {
        const embeds = seededNormals(5, 'embeds', 6 * text.hidden_size, 1);
        const full = await run(embeds, 0, 6, emptyCache());
        const incremental: number[] = [];
        let cache = emptyCache();
        for (const [from, to] of [[0, 3], [3, 5], [5, 6]] as const) {
          const step = await run(embeds, from, to, cache);
          incremental.push(...step.logits);
          cache = step.cache;
        }
        expect(maxAbsDiff(incremental, full.logits)).toBeLessThan(1e-3);
      });

      it('depends on the tokens before the last one through the convolution and recurrent state', async () => {
        const embeds = seededNormals(6, 'embeds', 4 * text.hidden_size, 1);
        const changed = embeds.slice();
        changed.set(seededNormals(7, 'other', text.hidden_size, 1));
        const lastOf = (logits: Float32Array) => logits.slice(-logits.length / 4);
        const a = await run(embeds, 0, 4, emptyCache());
        const b = await run(changed, 0, 4, emptyCache());
        expect(maxAbsDiff(lastOf(a.logits), lastOf(b.logits))).toBeGreaterThan(1e-3);
      });
    });
  }
});

describe('vision encoders', () => {
  it('lfm2-vl: one feature per four real patches, padding patches dropped', async () => {
    const session = await InferenceSession.create(`${MODELS_DIR}test/tiny-lfm2-vl/onnx/vision_encoder.onnx`);
    const [patches, width] = [1024, 3 * 16 * 16];
    const mask = new BigInt64Array(patches).fill(1n, 0, 14 * 10);
    const outputs = await session.run({
      pixel_values: new Tensor('float32', seededNormals(8, 'pixels', patches * width, 0.5), [1, patches, width]),
      pixel_attention_mask: new Tensor('int64', mask, [1, patches]),
      spatial_shapes: new Tensor('int64', BigInt64Array.from([10n, 14n]), [1, 2]),
    });
    expect(outputs['image_features']!.dims).toEqual([35, 32]);
  });

  it('qwen3.5: one feature per 2×2 merge block of patches', async () => {
    const session = await InferenceSession.create(`${MODELS_DIR}test/tiny-qwen3.5/onnx/vision_encoder.onnx`);
    const [patches, width] = [20 * 28, 3 * 2 * 16 * 16];
    const outputs = await session.run({
      pixel_values: new Tensor('float32', seededNormals(9, 'pixels', patches * width, 0.5), [patches, width]),
      image_grid_thw: new Tensor('int64', BigInt64Array.from([1n, 20n, 28n]), [1, 3]),
    });
    expect(outputs['image_features']!.dims).toEqual([140, 32]);
  });

  it('qwen3.5: the q4 embedding table (GatherBlockQuantized) gives the fp32 embeddings within 4-bit steps', async () => {
    const dir = `${MODELS_DIR}test/tiny-qwen3.5/onnx/`;
    const ids = new Tensor('int64', BigInt64Array.from([0n, 65n, 260n]), [1, 3]);
    const [fp32, q4] = await Promise.all(
      ['embed_tokens.onnx', 'embed_tokens_q4.onnx'].map(async (file) => (await (await InferenceSession.create(dir + file)).run({ input_ids: ids }))['inputs_embeds']!),
    );
    expect(q4!.dims).toEqual(fp32!.dims);
    const exact = fp32!.data as Float32Array;
    const largest = exact.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    // Symmetric 4-bit blocks: within half a step of 1/7 of the block's largest value.
    expect(maxAbsDiff(q4!.data as Float32Array, exact)).toBeLessThanOrEqual(largest / 14 + 1e-6);
  });
});
