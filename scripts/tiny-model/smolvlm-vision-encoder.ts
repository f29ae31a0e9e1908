import { imageSeqLen, type ModelDims } from './model-config.ts';
import { OnnxGraphBuilder, float, int, ints } from './onnx-graph-builder.ts';
import { linear, mergeHeads, normalWeight, splitHeads, type LayerContext, type WeightPrecision } from './graph-layers.ts';

/**
 * `vision_encoder` session, SmolVLM-shaped: SigLIP patch embedding + pre-LN transformer layers + post-LN, then the
 * Idefics3 connector (pixel shuffle + linear projection to the text hidden size).
 * pixel_values [batch, images, 3, tile, tile] → image_features [real tiles, image_seq_len, text hidden].
 */
export function buildSmolVlmVisionEncoder(dims: ModelDims, seed: number, precision: WeightPrecision): OnnxGraphBuilder {
  const graph = new OnnxGraphBuilder('vision_encoder');
  const context: LayerContext = { graph, seed, precision, q4BlockSize: dims.q4BlockSize };
  const { tileSize, patchSize, visionHiddenSize: width } = dims;
  const patchesPerSide = tileSize / patchSize;
  const numPatches = patchesPerSide ** 2;

  const pixelValues = graph.addInput('pixel_values', 'float32', ['batch_size', 'num_images', 3, 'height', 'width']);
  const pixelMask = graph.addInput('pixel_attention_mask', 'bool', ['batch_size', 'num_images', 'height', 'width']);

  // Batches pad missing tiles with an all-false mask; those tiles are dropped, as in Idefics3, so that the features
  // line up one to one with the `<image>` tokens.
  const tiles = graph.op('Reshape', [pixelValues, graph.constInt64([-1, 3, tileSize, tileSize])]);
  const maskRows = graph.op('Reshape', [graph.cast(pixelMask, 'float32'), graph.constInt64([-1, tileSize * tileSize])]);
  const isRealTile = graph.cast(graph.op('ReduceMax', [maskRows], { axes: ints([1]), keepdims: int(0) }), 'bool');
  const realTiles = graph.op('Compress', [tiles, isRealTile], { axis: int(0) });

  const prefix = 'model.vision_model';
  const patchFanIn = 3 * patchSize * patchSize;
  const patchWeight = normalWeight(
    context,
    `${prefix}.embeddings.patch_embedding.weight`,
    [width, 3, patchSize, patchSize],
    1 / Math.sqrt(patchFanIn),
  );
  const patchBias = normalWeight(context, `${prefix}.embeddings.patch_embedding.bias`, [width], 0.02);
  const patchGrid = graph.op('Conv', [realTiles, patchWeight, patchBias], {
    kernel_shape: ints([patchSize, patchSize]),
    strides: ints([patchSize, patchSize]),
  });
  const patchRows = graph.op('Reshape', [patchGrid, graph.constInt64([0, width, numPatches])]);
  let hidden = graph.op('Transpose', [patchRows], { perm: ints([0, 2, 1]) });
  const positionEmbedding = normalWeight(context, `${prefix}.embeddings.position_embedding.weight`, [numPatches, width], 0.5);
  hidden = graph.op('Add', [hidden, positionEmbedding]);

  for (let layer = 0; layer < dims.visionNumLayers; layer++) {
    hidden = encoderLayer(context, hidden, `${prefix}.encoder.layers.${layer}`, dims);
  }
  hidden = layerNorm(context, hidden, `${prefix}.post_layernorm`, width, dims.visionLayerNormEps);

  const shuffled = pixelShuffle(graph, hidden, patchesPerSide, width, dims.scaleFactor);
  const mergedWidth = width * dims.scaleFactor ** 2;
  const projected = linear(context, shuffled, 'model.connector.modality_projection.proj', mergedWidth, dims.hiddenSize);
  graph.op('Identity', [projected], {}, { outputs: ['image_features'] });
  graph.addOutput('image_features', 'float32', ['num_tiles', imageSeqLen(dims), dims.hiddenSize]);
  return graph;
}

function layerNorm(context: LayerContext, input: string, name: string, width: number, epsilon: number): string {
  const scale = normalWeight(context, `${name}.weight`, [width], 0.1, 1);
  const bias = normalWeight(context, `${name}.bias`, [width], 0.1);
  return context.graph.op('LayerNormalization', [input, scale, bias], { axis: int(-1), epsilon: float(epsilon) });
}

function encoderLayer(context: LayerContext, input: string, name: string, dims: ModelDims): string {
  const { graph } = context;
  const width = dims.visionHiddenSize;
  const normedForAttention = layerNorm(context, input, `${name}.layer_norm1`, width, dims.visionLayerNormEps);
  const attended = selfAttention(context, normedForAttention, `${name}.self_attn`, dims);
  const afterAttention = graph.op('Add', [input, attended]);
  const normed = layerNorm(context, afterAttention, `${name}.layer_norm2`, width, dims.visionLayerNormEps);
  const up = linear(context, normed, `${name}.mlp.fc1`, width, dims.visionIntermediateSize, { bias: true });
  const down = linear(context, geluTanh(graph, up), `${name}.mlp.fc2`, dims.visionIntermediateSize, width, { bias: true });
  return graph.op('Add', [afterAttention, down]);
}

/** Bidirectional multi-head attention over the patches of each tile. */
function selfAttention(context: LayerContext, input: string, name: string, dims: ModelDims): string {
  const { graph } = context;
  const width = dims.visionHiddenSize;
  const heads = dims.visionNumHeads;
  const headDim = width / heads;
  const project = (part: string): string =>
    splitHeads(graph, linear(context, input, `${name}.${part}`, width, width, { bias: true }), heads, headDim);
  const query = project('q_proj');
  const keyT = graph.op('Transpose', [project('k_proj')], { perm: ints([0, 1, 3, 2]) });
  const value = project('v_proj');
  const scores = graph.op('Mul', [graph.op('MatMul', [query, keyT]), graph.constFloat([1 / Math.sqrt(headDim)], [])]);
  const weights = graph.op('Softmax', [scores], { axis: int(-1) });
  const merged = mergeHeads(graph, graph.op('MatMul', [weights, value]), heads, headDim);
  return linear(context, merged, `${name}.out_proj`, width, width, { bias: true });
}

/** SigLIP's gelu_pytorch_tanh; opset 17 has no Gelu op. */
export function geluTanh(graph: OnnxGraphBuilder, x: string): string {
  const cube = graph.op('Mul', [graph.op('Mul', [x, x]), x]);
  const inner = graph.op('Add', [x, graph.op('Mul', [cube, graph.constFloat([0.044715], [])])]);
  const tanh = graph.op('Tanh', [graph.op('Mul', [inner, graph.constFloat([Math.sqrt(2 / Math.PI)], [])])]);
  const halfX = graph.op('Mul', [x, graph.constFloat([0.5], [])]);
  return graph.op('Mul', [halfX, graph.op('Add', [tanh, graph.constFloat([1], [])])]);
}

/** Idefics3Connector.pixel_shuffle: [n, side², width] → [n, (side/s)², width·s²], same element order as the PyTorch views. */
function pixelShuffle(graph: OnnxGraphBuilder, input: string, side: number, width: number, factor: number): string {
  const reduced = side / factor;
  const reshape = (x: string, shape: number[]): string => graph.op('Reshape', [x, graph.constInt64(shape)]);
  const swapMiddle = (x: string): string => graph.op('Transpose', [x], { perm: ints([0, 2, 1, 3]) });
  let x = reshape(input, [-1, side, reduced, width * factor]);
  x = swapMiddle(x);
  x = reshape(x, [-1, reduced, reduced, width * factor * factor]);
  x = swapMiddle(x);
  return reshape(x, [-1, reduced * reduced, width * factor * factor]);
}
