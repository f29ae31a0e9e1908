import { layerCaches, type LayerType } from './decoder-caches.ts';
import { EMBED_TOKENS_STD, EMBED_TOKENS_WEIGHT } from './embed-tokens.ts';
import { linear, mergeHeads, rmsNorm, silu, splitHeads, type LayerContext, type WeightPrecision } from './graph-layers.ts';
import { linearAttention, shortConv } from './hybrid-layers.ts';
import type { ModelDims } from './model-config.ts';
import { OnnxGraphBuilder, int, ints } from './onnx-graph-builder.ts';
import { seededNormals } from './seeded-random.ts';

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
  /** RoPE tables of the rotated part of head_dim, [batch, 1, seq, rotaryDim]. */
  cos: string;
  sin: string;
  /** Additive attention bias, [batch, 1, 1, seq, total]: causal (offset by the past length) and padding. */
  attentionBias: string;
}

/** How a family's text decoder differs from SmolVLM's Llama. */
export interface DecoderLayout {
  layerTypes: readonly LayerType[];
  /**
   * 'input': position_ids [batch, seq]; 'mrope': Qwen's [3, batch, seq] (temporal, height, width);
   * 'from-attention-mask': no such input (LFM2), the graph counts positions off attention_mask.
   */
  positionIds: 'input' | 'mrope' | 'from-attention-mask';
  /** RMSNorm of each attention head's queries and keys (LFM2, Qwen3). */
  queryKeyNorm: boolean;
}

export const LLAMA_LAYOUT = (dims: ModelDims): DecoderLayout => ({
  layerTypes: Array.from({ length: dims.numHiddenLayers }, () => 'full_attention'),
  positionIds: 'input',
  queryKeyNorm: false,
});

/**
 * `decoder_model_merged` session in the transformers.js I/O contract: inputs_embeds, attention_mask, position_ids and
 * each layer's caches (see decoder-caches.ts) → logits and the caches' present values. Attention layers are Llama
 * blocks; convolution and linear-attention layers are the hybrid mixers of hybrid-layers.ts.
 */
export function buildTextDecoder(dims: ModelDims, seed: number, precision: WeightPrecision, layout: DecoderLayout): OnnxGraphBuilder {
  const graph = new OnnxGraphBuilder('decoder_model_merged');
  const context: LayerContext = { graph, seed, precision, q4BlockSize: dims.q4BlockSize };
  const { hiddenSize } = dims;

  const inputsEmbeds = graph.addInput('inputs_embeds', 'float32', ['batch_size', 'sequence_length', hiddenSize]);
  const attentionMask = graph.addInput('attention_mask', 'int64', ['batch_size', 'total_sequence_length']);
  const positionIds =
    layout.positionIds === 'from-attention-mask'
      ? positionsFromMask(graph, inputsEmbeds, attentionMask)
      : graph.addInput('position_ids', 'int64', layout.positionIds === 'mrope' ? [3, 'batch_size', 'sequence_length'] : ['batch_size', 'sequence_length']);
  const caches = layout.layerTypes.map((type, layer) => layerCaches(type, layer, dims));
  for (const cache of caches.flat()) graph.addInput(cache.past, 'float32', cache.pastShape);

  const shared: SharedInputs = {
    ...rotaryTables(graph, positionIds, dims, layout.positionIds === 'mrope' ? 3 : 1),
    attentionBias: attentionBias(graph, inputsEmbeds, attentionMask),
  };

  let hidden = inputsEmbeds;
  for (const [layer, type] of layout.layerTypes.entries()) {
    const name = `model.text_model.layers.${layer}`;
    const [first, second] = caches[layer]!;
    const normed = rmsNorm(context, hidden, `${name}.input_layernorm`, hiddenSize, dims.rmsNormEps);
    let mixed: string;
    if (type === 'full_attention') {
      mixed = selfAttention(context, normed, `${name}.self_attn`, layer, shared, dims, layout.queryKeyNorm);
    } else if (type === 'conv') {
      const conv = shortConv(context, normed, `${name}.conv`, first!.past, dims);
      graph.op('Identity', [conv.state], {}, { outputs: [first!.present] });
      mixed = conv.output;
    } else {
      const mixer = linearAttention(context, normed, `${name}.linear_attn`, { conv: first!.past, state: second!.past }, dims);
      graph.op('Identity', [mixer.convState], {}, { outputs: [first!.present] });
      graph.op('Identity', [mixer.state], {}, { outputs: [second!.present] });
      mixed = mixer.output;
    }
    hidden = graph.op('Add', [hidden, mixed]);
    const normedForMlp = rmsNorm(context, hidden, `${name}.post_attention_layernorm`, hiddenSize, dims.rmsNormEps);
    hidden = graph.op('Add', [hidden, gatedMlp(context, normedForMlp, `${name}.mlp`, dims)]);
  }
  const finalHidden = rmsNorm(context, hidden, 'model.text_model.norm', hiddenSize, dims.rmsNormEps);
  const logits = linear(context, finalHidden, 'lm_head', hiddenSize, dims.vocabSize, {
    weight: () => lmHeadWeight(dims, seed),
  });
  const logitBias = graph.addInitializer('lm_head.bias', 'float32', [dims.vocabSize], printableAsciiBias(dims.vocabSize));
  graph.op('Add', [logits, logitBias], {}, { outputs: ['logits'] });

  graph.addOutput('logits', 'float32', ['batch_size', 'sequence_length', dims.vocabSize]);
  for (const cache of caches.flat()) graph.addOutput(cache.present, 'float32', cache.presentShape);
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

/** Rotated dims of each head: all of head_dim, or Qwen3.5's partial share. */
function rotaryDim(dims: ModelDims): number {
  return dims.headDim * dims.partialRotaryFactor;
}

/**
 * cos/sin of position · inv_freq, duplicated over both halves of the rotated dims (HF Llama's non-interleaved RoPE).
 * With M-RoPE's three position rows, frequency i takes row i mod 3 (Qwen3-VL's interleaved layout).
 */
function rotaryTables(graph: OnnxGraphBuilder, positionIds: string, dims: ModelDims, rows: 1 | 3): { cos: string; sin: string } {
  const rotary = rotaryDim(dims);
  const half = rotary / 2;
  const inverseFrequencies = Array.from({ length: half }, (_, i) => 1 / dims.ropeTheta ** ((2 * i) / rotary));
  const positions = graph.cast(positionIds, 'float32');
  let angles: string;
  if (rows === 1) {
    angles = graph.op('Mul', [graph.op('Unsqueeze', [positions, graph.constInt64([2])]), graph.constFloat(inverseFrequencies)]);
  } else {
    const perRow = Array.from({ length: 3 }, (_, row) => inverseFrequencies.map((frequency, i) => (i % 3 === row ? frequency : 0)));
    const rowFrequencies = graph.constFloat(perRow.flat(), [3, 1, 1, half]);
    const rowAngles = graph.op('Mul', [graph.op('Unsqueeze', [positions, graph.constInt64([3])]), rowFrequencies]);
    angles = graph.op('ReduceSum', [rowAngles, graph.constInt64([0])], { keepdims: int(0) });
  }
  const fullAngles = graph.op('Concat', [angles, angles], { axis: int(-1) });
  const perHead = (x: string): string => graph.op('Unsqueeze', [x, graph.constInt64([1])]);
  return { cos: perHead(graph.op('Cos', [fullAngles])), sin: perHead(graph.op('Sin', [fullAngles])) };
}

function applyRotary(graph: OnnxGraphBuilder, x: string, shared: SharedInputs, dims: ModelDims): string {
  const rotary = rotaryDim(dims);
  const rotate = (part: string): string => {
    const halves = graph.constInt64([rotary / 2, rotary / 2]);
    const [firstHalf, secondHalf] = graph.opOutputs('Split', [part, halves], { axis: int(-1) }, { outputs: 2 });
    const rotated = graph.op('Concat', [graph.op('Neg', [secondHalf!]), firstHalf!], { axis: int(-1) });
    return graph.op('Add', [graph.op('Mul', [part, shared.cos]), graph.op('Mul', [rotated, shared.sin])]);
  };
  if (rotary === dims.headDim) return rotate(x);
  const parts = graph.constInt64([rotary, dims.headDim - rotary]);
  const [rotated, kept] = graph.opOutputs('Split', [x, parts], { axis: int(-1) }, { outputs: 2 });
  return graph.op('Concat', [rotate(rotated!), kept!], { axis: int(-1) });
}

/** Position of each new token: the number of attended tokens before it (cumsum of attention_mask − 1), last seq ones. */
function positionsFromMask(graph: OnnxGraphBuilder, inputsEmbeds: string, attentionMask: string): string {
  const counted = graph.op('Sub', [graph.op('CumSum', [attentionMask, graph.constInt64([1], [])]), graph.constInt64([1], [])]);
  const sequence = graph.op('Shape', [inputsEmbeds], { start: int(1), end: int(2) });
  const start = graph.op('Neg', [sequence]);
  return graph.op('Slice', [counted, start, graph.constInt64([2 ** 62]), graph.constInt64([1])]);
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
  shared: SharedInputs,
  dims: ModelDims,
  queryKeyNorm: boolean,
): string {
  const { graph } = context;
  const { hiddenSize, numAttentionHeads, numKeyValueHeads, headDim } = dims;
  const groupSize = numAttentionHeads / numKeyValueHeads;
  const project = (part: string, heads: number): string =>
    splitHeads(graph, linear(context, input, `${name}.${part}`, hiddenSize, heads * headDim), heads, headDim);
  const normed = (x: string, part: string): string =>
    queryKeyNorm ? rmsNorm(context, x, `${name}.${part}_norm`, headDim, dims.rmsNormEps) : x;

  const query = applyRotary(graph, normed(project('q_proj', numAttentionHeads), 'q'), shared, dims);
  const key = applyRotary(graph, normed(project('k_proj', numKeyValueHeads), 'k'), shared, dims);
  const value = project('v_proj', numKeyValueHeads);
  const [pastKey, pastValue] = [`past_key_values.${layer}.key`, `past_key_values.${layer}.value`];
  const allKeys = graph.op('Concat', [pastKey, key], { axis: int(2) }, { outputs: [`present.${layer}.key`] });
  const allValues = graph.op('Concat', [pastValue, value], { axis: int(2) }, { outputs: [`present.${layer}.value`] });

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
  const activated = silu(graph, gate);
  return linear(context, graph.op('Mul', [activated, up]), `${name}.down_proj`, dims.intermediateSize, dims.hiddenSize);
}
