import { linear, normalWeight, type LayerContext, type WeightPrecision } from './graph-layers.ts';
import type { ModelDims } from './model-config.ts';
import { OnnxGraphBuilder, float, int } from './onnx-graph-builder.ts';
import { geluTanh } from './smolvlm-vision-encoder.ts';

/**
 * `vision_encoder` session in LFM2-VL's contract (the ONNX dump of LiquidAI/LFM2.5-VL-450M-ONNX):
 * pixel_values [tiles, patches, 3·p²] (already cut into patches and zero-padded by the processor),
 * pixel_attention_mask int64 [tiles, patches] (1 for real patches), spatial_shapes int64 [tiles, 2]
 * → image_features [image tokens, text hidden], real patches only.
 * One image token stands for scaleFactor² patches, as in the projector's pixel unshuffle; here the patches of a token
 * are consecutive real patches rather than a 2×2 square, which keeps the count (every tile's patch grid has even
 * sides) without per-tile shapes in the graph.
 */
export function buildLfm2VlVisionEncoder(dims: ModelDims, seed: number, precision: WeightPrecision): OnnxGraphBuilder {
  const graph = new OnnxGraphBuilder('vision_encoder');
  const context: LayerContext = { graph, seed, precision, q4BlockSize: dims.q4BlockSize };
  const patchWidth = 3 * dims.patchSize ** 2;
  const width = dims.visionHiddenSize;

  const pixelValues = graph.addInput('pixel_values', 'float32', ['batch_size', 'num_patches', patchWidth]);
  const mask = graph.addInput('pixel_attention_mask', 'int64', ['batch_size', 'num_patches']);
  // Declared as in the real graph; the consecutive-patch merge needs no grid shape.
  graph.addInput('spatial_shapes', 'int64', ['batch_size', 2]);

  const patches = graph.op('Reshape', [pixelValues, graph.constInt64([-1, patchWidth])]);
  const isReal = graph.cast(graph.op('Reshape', [mask, graph.constInt64([-1])]), 'bool');
  const realPatches = graph.op('Compress', [patches, isReal], { axis: int(0) });

  const prefix = 'model.vision_tower';
  let hidden = linear(context, realPatches, `${prefix}.embeddings.patch_embedding`, patchWidth, width, { bias: true });
  const scale = normalWeight(context, `${prefix}.post_layernorm.weight`, [width], 0.1, 1);
  const bias = normalWeight(context, `${prefix}.post_layernorm.bias`, [width], 0.1);
  hidden = graph.op('LayerNormalization', [hidden, scale, bias], { axis: int(-1), epsilon: float(dims.visionLayerNormEps) });

  const merged = graph.op('Reshape', [hidden, graph.constInt64([-1, width * dims.scaleFactor ** 2])]);
  const projectorName = 'model.multi_modal_projector';
  const up = linear(context, merged, `${projectorName}.linear_1`, width * dims.scaleFactor ** 2, dims.hiddenSize, { bias: true });
  const projected = linear(context, geluTanh(graph, up), `${projectorName}.linear_2`, dims.hiddenSize, dims.hiddenSize, { bias: true });
  graph.op('Identity', [projected], {}, { outputs: ['image_features'] });
  graph.addOutput('image_features', 'float32', ['num_image_tokens', dims.hiddenSize]);
  return graph;
}
