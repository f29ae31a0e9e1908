import type { WeightPrecision } from './graph-layers.ts';
import type { ModelDims } from './model-config.ts';
import { MICROSOFT_DOMAIN, OnnxGraphBuilder, int } from './onnx-graph-builder.ts';
import { quantizeRowsQ4 } from './q4-packing.ts';
import { seededNormals } from './seeded-random.ts';

export const EMBED_TOKENS_WEIGHT = 'model.text_model.embed_tokens.weight';
/** Unit-scale embeddings, like the image features, so neither dominates the residual stream. */
export const EMBED_TOKENS_STD = 1;

/**
 * `embed_tokens` session: input_ids [batch, seq] → inputs_embeds [batch, seq, hidden]. fp32 is one Gather over the
 * table; q4 (Qwen3.5's recipes load one) is com.microsoft GatherBlockQuantized over 4-bit rows, blocks along hidden.
 * `table` replaces the random rows (the scripted model writes its state into them).
 */
export function buildEmbedTokens(
  dims: ModelDims,
  seed: number,
  precision: WeightPrecision = 'fp32',
  table: () => Float32Array = () => seededNormals(seed, EMBED_TOKENS_WEIGHT, dims.vocabSize * dims.hiddenSize, EMBED_TOKENS_STD),
): OnnxGraphBuilder {
  const { vocabSize, hiddenSize, q4BlockSize } = dims;
  const graph = new OnnxGraphBuilder('embed_tokens');
  const inputIds = graph.addInput('input_ids', 'int64', ['batch_size', 'sequence_length']);
  if (precision === 'fp32') {
    const weight = graph.addInitializer(EMBED_TOKENS_WEIGHT, 'float32', [vocabSize, hiddenSize], table);
    graph.op('Gather', [weight, inputIds], {}, { outputs: ['inputs_embeds'] });
  } else {
    let quantized: ReturnType<typeof quantizeRowsQ4> | undefined;
    const q4 = () => (quantized ??= quantizeRowsQ4(table(), vocabSize, hiddenSize, q4BlockSize));
    const data = graph.addInitializer(`${EMBED_TOKENS_WEIGHT}_Q4`, 'uint8', [vocabSize, hiddenSize / 2], () => q4().packed);
    const scales = graph.addInitializer(`${EMBED_TOKENS_WEIGHT}_scales`, 'float32', [vocabSize, hiddenSize / q4BlockSize], () => q4().scales);
    graph.op(
      'GatherBlockQuantized',
      [data, inputIds, scales],
      { bits: int(4), block_size: int(q4BlockSize), gather_axis: int(0), quantize_axis: int(1) },
      { domain: MICROSOFT_DOMAIN, outputs: ['inputs_embeds'] },
    );
  }
  graph.addOutput('inputs_embeds', 'float32', ['batch_size', 'sequence_length', hiddenSize]);
  return graph;
}
