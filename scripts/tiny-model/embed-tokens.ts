import type { ModelDims } from './model-config.ts';
import { OnnxGraphBuilder } from './onnx-graph-builder.ts';
import { normalWeight, type LayerContext } from './graph-layers.ts';

export const EMBED_TOKENS_WEIGHT = 'model.text_model.embed_tokens.weight';
/** Unit-scale embeddings, like the image features, so neither dominates the residual stream. */
export const EMBED_TOKENS_STD = 1;

/** `embed_tokens` session: input_ids [batch, seq] → inputs_embeds [batch, seq, hidden], one Gather. */
export function buildEmbedTokens(dims: ModelDims, seed: number): OnnxGraphBuilder {
  const graph = new OnnxGraphBuilder('embed_tokens');
  const context: LayerContext = { graph, seed, precision: 'fp32', q4BlockSize: dims.q4BlockSize };
  const inputIds = graph.addInput('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const table = normalWeight(context, EMBED_TOKENS_WEIGHT, [dims.vocabSize, dims.hiddenSize], EMBED_TOKENS_STD);
  graph.op('Gather', [table, inputIds], {}, { outputs: ['inputs_embeds'] });
  graph.addOutput('inputs_embeds', 'float32', ['batch_size', 'sequence_length', dims.hiddenSize]);
  return graph;
}
