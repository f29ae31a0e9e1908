import { EMBED_TOKENS_STD, EMBED_TOKENS_WEIGHT } from './embed-tokens.ts';
import type { ModelDims } from './model-config.ts';
import { OnnxGraphBuilder, int, ints } from './onnx-graph-builder.ts';
import { seededNormals } from './seeded-random.ts';
import { linear, mergeHeads, normalWeight, splitHeads, type LayerContext, type WeightPrecision } from './graph-layers.ts';

/** Large enough to zero a softmax weight, finite so that a fully masked row gives no NaN. */
const MASKED_SCORE = -1e9;
/** lm_head weight gain: logits with std ≈ 3, large enough for the context to move the greedy pick. */
const LM_HEAD_GAIN = 3;
/** Added to the logits of printable ASCII bytes, and more to space, so random output reads as text and streams word by word. */
const PRINTABLE_ASCII_BONUS = 3;
const SPACE_BONUS = 4.5;
/**
 * lm_head gets −ANTI_REPEAT · embedding(token) / sqrt(hidden) per token column. The last hidden state leans towards the
 * current token's embedding, so this lowers that token's logit; without it greedy decoding soon locks into one token.
 */
const ANTI_REPEAT = 1;

interface SharedInputs {
  /** RoPE tables, [batch, 1, seq, headDim]. */
  cos: string;
  sin: string;
  /** Additive attention bias, [batch, 1, 1, seq, total]: causal (offset by the past length) and padding. */
  attentionBias: string;
}

/**
 * `decoder_model_merged` session: Llama blocks with a KV cache, in the transformers.js I/O contract.
 * inputs_embeds, attention_mask, position_ids, past_key_values.{i}.key|value → logits, present.{i}.key|value.
 */
export function buildLlamaDecoder(dims: ModelDims, seed: number, precision: WeightPrecision): OnnxGraphBuilder {
  const graph = new OnnxGraphBuilder('decoder_model_merged');
  const context: LayerContext = { graph, seed, precision, q4BlockSize: dims.q4BlockSize };
  const { hiddenSize, numKeyValueHeads, headDim } = dims;

  const inputsEmbeds = graph.addInput('inputs_embeds', 'float32', ['batch_size', 'sequence_length', hiddenSize]);
  const attentionMask = graph.addInput('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const positionIds = graph.addInput('position_ids', 'int64', ['batch_size', 'sequence_length']);
  const pastKeyValues = Array.from({ length: dims.numHiddenLayers }, (_, layer) => {
    // Heads and head_dim must be numbers: transformers.js zero-fills every symbolic dim but batch_size (trap T10).
    const cacheShape = ['batch_size', numKeyValueHeads, 'past_sequence_length', headDim];
    return {
      key: graph.addInput(`past_key_values.${layer}.key`, 'float32', cacheShape),
      value: graph.addInput(`past_key_values.${layer}.value`, 'float32', cacheShape),
    };
  });

  const shared: SharedInputs = {
    ...rotaryTables(graph, positionIds, dims),
    attentionBias: attentionBias(graph, inputsEmbeds, attentionMask),
  };

  let hidden = inputsEmbeds;
  for (const [layer, past] of pastKeyValues.entries()) {
    const name = `model.text_model.layers.${layer}`;
    const normed = rmsNorm(context, hidden, `${name}.input_layernorm`, dims);
    const attended = selfAttention(context, normed, `${name}.self_attn`, layer, past, shared, dims);
    hidden = graph.op('Add', [hidden, attended]);
    const normedForMlp = rmsNorm(context, hidden, `${name}.post_attention_layernorm`, dims);
    hidden = graph.op('Add', [hidden, gatedMlp(context, normedForMlp, `${name}.mlp`, dims)]);
  }
  const finalHidden = rmsNorm(context, hidden, 'model.text_model.norm', dims);
  const logits = linear(context, finalHidden, 'lm_head', hiddenSize, dims.vocabSize, {
    weight: () => lmHeadWeight(dims, seed),
  });
  const logitBias = graph.addInitializer('lm_head.bias', 'float32', [dims.vocabSize], printableAsciiBias(dims.vocabSize));
  graph.op('Add', [logits, logitBias], {}, { outputs: ['logits'] });

  graph.addOutput('logits', 'float32', ['batch_size', 'sequence_length', dims.vocabSize]);
  for (let layer = 0; layer < dims.numHiddenLayers; layer++) {
    for (const part of ['key', 'value']) {
      graph.addOutput(`present.${layer}.${part}`, 'float32', ['batch_size', numKeyValueHeads, 'total_sequence_length', headDim]);
    }
  }
  return graph;
}

function lmHeadWeight(dims: ModelDims, seed: number): Float32Array {
  const { hiddenSize, vocabSize } = dims;
  const weight = seededNormals(seed, 'lm_head.weight', hiddenSize * vocabSize, LM_HEAD_GAIN / Math.sqrt(hiddenSize));
  const embeddings = seededNormals(seed, EMBED_TOKENS_WEIGHT, vocabSize * hiddenSize, EMBED_TOKENS_STD);
  const penalty = ANTI_REPEAT / Math.sqrt(hiddenSize);
  for (let k = 0; k < hiddenSize; k++) {
    for (let token = 0; token < vocabSize; token++) weight[k * vocabSize + token]! -= penalty * embeddings[token * hiddenSize + k]!;
  }
  return weight;
}

function printableAsciiBias(vocabSize: number): Float32Array {
  const bias = new Float32Array(vocabSize);
  // Token id = byte value for the 256 byte tokens.
  bias.fill(PRINTABLE_ASCII_BONUS, 0x20, 0x7f);
  bias[0x20] = SPACE_BONUS;
  return bias;
}

function rmsNorm(context: LayerContext, input: string, name: string, dims: ModelDims): string {
  const { graph } = context;
  const meanSquare = graph.op('ReduceMean', [graph.op('Mul', [input, input])], { axes: ints([-1]), keepdims: int(1) });
  const rms = graph.op('Sqrt', [graph.op('Add', [meanSquare, graph.constFloat([dims.rmsNormEps], [])])]);
  const weight = normalWeight(context, `${name}.weight`, [dims.hiddenSize], 0.1, 1);
  return graph.op('Mul', [graph.op('Div', [input, rms]), weight]);
}

/** cos/sin of position · inv_freq, duplicated over both halves of head_dim (HF Llama's non-interleaved RoPE). */
function rotaryTables(graph: OnnxGraphBuilder, positionIds: string, dims: ModelDims): { cos: string; sin: string } {
  const half = dims.headDim / 2;
  const inverseFrequencies = Array.from({ length: half }, (_, i) => 1 / dims.ropeTheta ** ((2 * i) / dims.headDim));
  const positions = graph.op('Unsqueeze', [graph.cast(positionIds, 'float32'), graph.constInt64([2])]);
  const angles = graph.op('Mul', [positions, graph.constFloat(inverseFrequencies)]);
  const fullAngles = graph.op('Concat', [angles, angles], { axis: int(-1) });
  const perHead = (x: string): string => graph.op('Unsqueeze', [x, graph.constInt64([1])]);
  return { cos: perHead(graph.op('Cos', [fullAngles])), sin: perHead(graph.op('Sin', [fullAngles])) };
}

function applyRotary(graph: OnnxGraphBuilder, x: string, shared: SharedInputs, headDim: number): string {
  const halves = graph.constInt64([headDim / 2, headDim / 2]);
  const [firstHalf, secondHalf] = graph.opOutputs('Split', [x, halves], { axis: int(-1) }, { outputs: 2 });
  const rotated = graph.op('Concat', [graph.op('Neg', [secondHalf!]), firstHalf!], { axis: int(-1) });
  return graph.op('Add', [graph.op('Mul', [x, shared.cos]), graph.op('Mul', [rotated, shared.sin])]);
}

/**
 * Query i (absolute position past + i, past = total − seq) may see key j when j ≤ past + i and attention_mask[j] is 1.
 */
function attentionBias(graph: OnnxGraphBuilder, inputsEmbeds: string, attentionMask: string): string {
  const scalar = (oneElement: string): string => graph.op('Squeeze', [oneElement, graph.constInt64([0])]);
  const total = scalar(graph.op('Shape', [attentionMask], { start: int(1), end: int(2) }));
  const sequence = scalar(graph.op('Shape', [inputsEmbeds], { start: int(1), end: int(2) }));
  const past = graph.op('Sub', [total, sequence]);
  const one = graph.constInt64([1], []);
  const keyPositions = graph.op('Range', [graph.constInt64([0], []), total, one]);
  const queryPositions = graph.op('Range', [past, total, one]);
  const causal = graph.op('LessOrEqual', [
    graph.op('Unsqueeze', [keyPositions, graph.constInt64([0])]),
    graph.op('Unsqueeze', [queryPositions, graph.constInt64([1])]),
  ]);
  const notPadding = graph.cast(graph.op('Unsqueeze', [attentionMask, graph.constInt64([1, 2, 3])]), 'bool');
  const allowed = graph.op('And', [causal, notPadding]);
  return graph.op('Where', [allowed, graph.constFloat([0], []), graph.constFloat([MASKED_SCORE], [])]);
}

/** Grouped-query attention without Expand: queries are grouped per KV head so MatMul broadcasts K and V. */
function selfAttention(
  context: LayerContext,
  input: string,
  name: string,
  layer: number,
  past: { key: string; value: string },
  shared: SharedInputs,
  dims: ModelDims,
): string {
  const { graph } = context;
  const { hiddenSize, numAttentionHeads, numKeyValueHeads, headDim } = dims;
  const groupSize = numAttentionHeads / numKeyValueHeads;
  const project = (part: string, heads: number): string =>
    splitHeads(graph, linear(context, input, `${name}.${part}`, hiddenSize, heads * headDim), heads, headDim);

  const query = applyRotary(graph, project('q_proj', numAttentionHeads), shared, headDim);
  const key = applyRotary(graph, project('k_proj', numKeyValueHeads), shared, headDim);
  const value = project('v_proj', numKeyValueHeads);
  const allKeys = graph.op('Concat', [past.key, key], { axis: int(2) }, { outputs: [`present.${layer}.key`] });
  const allValues = graph.op('Concat', [past.value, value], { axis: int(2) }, { outputs: [`present.${layer}.value`] });

  // [b, heads, s, d] → [b, kvHeads, group, s, d]; HF's repeat_kv gives query head h the KV head h / group.
  const groupedQuery = graph.op('Reshape', [query, graph.constInt64([0, numKeyValueHeads, groupSize, -1, headDim])]);
  const perGroup = (x: string): string => graph.op('Unsqueeze', [x, graph.constInt64([2])]);
  const keysT = graph.op('Transpose', [perGroup(allKeys)], { perm: ints([0, 1, 2, 4, 3]) });
  const scale = graph.constFloat([1 / Math.sqrt(headDim)], []);
  const scores = graph.op('Mul', [graph.op('MatMul', [groupedQuery, keysT]), scale]);
  const weights = graph.op('Softmax', [graph.op('Add', [scores, shared.attentionBias])], { axis: int(-1) });
  const grouped = graph.op('MatMul', [weights, perGroup(allValues)]);
  const perHead = graph.op('Reshape', [grouped, graph.constInt64([0, numAttentionHeads, -1, headDim])]);
  const merged = mergeHeads(graph, perHead, numAttentionHeads, headDim);
  return linear(context, merged, `${name}.o_proj`, numAttentionHeads * headDim, hiddenSize);
}

/** SiLU-gated MLP: down(silu(gate(x)) · up(x)). */
function gatedMlp(context: LayerContext, input: string, name: string, dims: ModelDims): string {
  const { graph } = context;
  const gate = linear(context, input, `${name}.gate_proj`, dims.hiddenSize, dims.intermediateSize);
  const up = linear(context, input, `${name}.up_proj`, dims.hiddenSize, dims.intermediateSize);
  const activated = graph.op('Mul', [gate, graph.op('Sigmoid', [gate])]);
  return linear(context, graph.op('Mul', [activated, up]), `${name}.down_proj`, dims.intermediateSize, dims.hiddenSize);
}
