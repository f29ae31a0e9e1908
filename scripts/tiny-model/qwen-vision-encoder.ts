import { linear, normalWeight, type LayerContext, type WeightPrecision } from './graph-layers.ts';
import type { ModelDims } from './model-config.ts';
import { OnnxGraphBuilder, float, int } from './onnx-graph-builder.ts';
import { geluTanh } from './smolvlm-vision-encoder.ts';

/**
 * `vision_encoder` session in Qwen3.5's contract: pixel_values [patches, 3·T·p²] (each row one patch of T repeated
 * frames), image_grid_thw int64 [images, 3] → image_features [patches / merge², text hidden]. The processor orders
 * the rows so that each merge block's merge² patches are consecutive, so the merger is a reshape, as in the real
 * model.
 */
export function buildQwenVisionEncoder(dims: ModelDims, seed: number, precision: WeightPrecision): OnnxGraphBuilder {
  const graph = new OnnxGraphBuilder('vision_encoder');
  const context: LayerContext = { graph, seed, precision, q4BlockSize: dims.q4BlockSize };
  const patchWidth = 3 * dims.temporalPatchSize * dims.patchSize ** 2;
  const width = dims.visionHiddenSize;

  const pixelValues = graph.addInput('pixel_values', 'float32', ['num_patches', patchWidth]);
  // Declared as in the real graph, which uses it for the vision tower's 2-D rotary positions.
  graph.addInput('image_grid_thw', 'int64', ['num_images', 3]);

  const prefix = 'model.visual';
  let hidden = linear(context, pixelValues, `${prefix}.patch_embed.proj`, patchWidth, width, { bias: true });
  const scale = normalWeight(context, `${prefix}.merger.norm.weight`, [width], 0.1, 1);
  const bias = normalWeight(context, `${prefix}.merger.norm.bias`, [width], 0.1);
  hidden = graph.op('LayerNormalization', [hidden, scale, bias], { axis: int(-1), epsilon: float(dims.visionLayerNormEps) });

  const mergedWidth = width * dims.scaleFactor ** 2;
  const merged = graph.op('Reshape', [hidden, graph.constInt64([-1, mergedWidth])]);
  const up = linear(context, merged, `${prefix}.merger.linear_fc1`, mergedWidth, mergedWidth, { bias: true });
  const projected = linear(context, geluTanh(graph, up), `${prefix}.merger.linear_fc2`, mergedWidth, dims.hiddenSize, { bias: true });
  graph.op('Identity', [projected], {}, { outputs: ['image_features'] });
  graph.addOutput('image_features', 'float32', ['num_image_tokens', dims.hiddenSize]);
  return graph;
}
