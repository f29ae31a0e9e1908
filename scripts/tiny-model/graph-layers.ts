import { MICROSOFT_DOMAIN, int, ints, type OnnxGraphBuilder } from './onnx-graph-builder.ts';
import { quantizeQ4, type Q4Weight } from './q4-packing.ts';
import { quantizeQ8, type Q8Weight } from './q8-packing.ts';
import { seededNormals } from './seeded-random.ts';

/** The dtypes every generated model has files in. */
export const GENERATED_PRECISIONS = ['fp32', 'q8', 'q4'] as const;
export type WeightPrecision = (typeof GENERATED_PRECISIONS)[number];

/** What every layer builder needs: the graph it adds to, the weight seed, and how linear layers are stored. */
export interface LayerContext {
  graph: OnnxGraphBuilder;
  seed: number;
  precision: WeightPrecision;
  q4BlockSize: number;
}

/**
 * A float32 initializer of `mean + std * N(0, 1)` values. The values depend only on the seed and the name, so the
 * fp32, q8 and q4 files of one generation hold the same underlying weights.
 */
export function normalWeight(context: LayerContext, name: string, dims: readonly number[], std: number, mean = 0): string {
  const length = dims.reduce((product, dim) => product * dim, 1);
  return context.graph.addInitializer(name, 'float32', dims, () => seededNormals(context.seed, name, length, std, mean));
}

interface LinearOptions {
  bias?: boolean;
  /** Weight std is gain / sqrt(inFeatures), which keeps unit-scale activations at unit scale. */
  gain?: number;
  /** Replaces the random weight: row-major [inFeatures, outFeatures]. */
  weight?: () => Float32Array;
}

/**
 * `x @ W (+ b)` over the last axis; q4 stores W as MatMulNBits blocks, q8 as one uint8 tensor that MatMulInteger
 * multiplies with the input quantized on the fly (DynamicQuantizeLinear), fp32 as a plain MatMul.
 */
export function linear(
  context: LayerContext,
  input: string,
  name: string,
  inFeatures: number,
  outFeatures: number,
  { bias = false, gain = 1, weight: customWeight }: LinearOptions = {},
): string {
  const { graph, seed, precision, q4BlockSize } = context;
  const weightName = `${name}.weight`;
  const weight =
    customWeight ?? ((): Float32Array => seededNormals(seed, weightName, inFeatures * outFeatures, gain / Math.sqrt(inFeatures)));

  let output: string;
  if (precision === 'fp32') {
    output = graph.op('MatMul', [input, graph.addInitializer(weightName, 'float32', [inFeatures, outFeatures], weight)]);
  } else if (precision === 'q8') {
    let quantized: Q8Weight | undefined;
    const q8 = (): Q8Weight => (quantized ??= quantizeQ8(weight()));
    const data = graph.addInitializer(`${weightName}_quantized`, 'uint8', [inFeatures, outFeatures], () => q8().data);
    const scale = graph.addInitializer(`${weightName}_scale`, 'float32', [], () => new Float32Array([q8().scale]));
    const zeroPoint = graph.addInitializer(`${weightName}_zero_point`, 'uint8', [], () => new Uint8Array([q8().zeroPoint]));
    const [inputQuantized, inputScale, inputZeroPoint] = graph.opOutputs('DynamicQuantizeLinear', [input], {}, { outputs: 3 });
    const product = graph.op('MatMulInteger', [inputQuantized!, data, inputZeroPoint!, zeroPoint]);
    output = graph.op('Mul', [graph.cast(product, 'float32'), graph.op('Mul', [inputScale!, scale])]);
  } else {
    let quantized: Q4Weight | undefined;
    const q4 = (): Q4Weight => (quantized ??= quantizeQ4(weight(), inFeatures, outFeatures, q4BlockSize));
    const kBlocks = Math.ceil(inFeatures / q4BlockSize);
    const packed = graph.addInitializer(`${weightName}_Q4`, 'uint8', [outFeatures, kBlocks, q4BlockSize / 2], () => q4().packed);
    const scales = graph.addInitializer(`${weightName}_scales`, 'float32', [outFeatures, kBlocks], () => q4().scales);
    const zeroPoints = graph.addInitializer(
      `${weightName}_zero_points`,
      'uint8',
      [outFeatures, Math.ceil(kBlocks / 2)],
      () => q4().zeroPoints,
    );
    // accuracy_level stays unset: level 4 quantizes activations to int8 and drifts from fp32 (trap T13).
    output = graph.op(
      'MatMulNBits',
      [input, packed, scales, zeroPoints],
      { K: int(inFeatures), N: int(outFeatures), bits: int(4), block_size: int(q4BlockSize) },
      { domain: MICROSOFT_DOMAIN },
    );
  }
  return bias ? graph.op('Add', [output, normalWeight(context, `${name}.bias`, [outFeatures], 0.02)]) : output;
}

/** [batch, seq, heads·headDim] → [batch, heads, seq, headDim]. */
export function splitHeads(graph: OnnxGraphBuilder, input: string, heads: number, headDim: number): string {
  const reshaped = graph.op('Reshape', [input, graph.constInt64([0, 0, heads, headDim])]);
  return graph.op('Transpose', [reshaped], { perm: ints([0, 2, 1, 3]) });
}

/** [batch, heads, seq, headDim] → [batch, seq, heads·headDim]. */
export function mergeHeads(graph: OnnxGraphBuilder, input: string, heads: number, headDim: number): string {
  const transposed = graph.op('Transpose', [input], { perm: ints([0, 2, 1, 3]) });
  return graph.op('Reshape', [transposed, graph.constInt64([0, 0, heads * headDim])]);
}


/** RMSNorm over the last axis (of size `width`), with a learned scale around 1. */
export function rmsNorm(context: LayerContext, input: string, name: string, width: number, epsilon: number): string {
  const { graph } = context;
  const meanSquare = graph.op('ReduceMean', [graph.op('Mul', [input, input])], { axes: ints([-1]), keepdims: int(1) });
  const rms = graph.op('Sqrt', [graph.op('Add', [meanSquare, graph.constFloat([epsilon], [])])]);
  const weight = normalWeight(context, `${name}.weight`, [width], 0.1, 1);
  return graph.op('Mul', [graph.op('Div', [input, rms]), weight]);
}

export function silu(graph: OnnxGraphBuilder, x: string): string {
  return graph.op('Mul', [x, graph.op('Sigmoid', [x])]);
}
