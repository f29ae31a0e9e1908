import { linearConvChannels } from './decoder-caches.ts';
import { linear, normalWeight, rmsNorm, silu, type LayerContext } from './graph-layers.ts';
import type { ModelDims } from './model-config.ts';
import { int, ints, type OnnxGraphBuilder } from './onnx-graph-builder.ts';

/**
 * The two recurrent token mixers of the hybrid families, small but real: each carries its state across calls exactly,
 * so a prompt run in one call or split over several gives the same outputs (the property transformers.js' cache
 * bookkeeping relies on). Their arithmetic is a simplification of the published layers, not a copy.
 */

/** Far past any sequence length: Slice clamps it to the end of the axis. */
const TO_END = 2 ** 62;

/**
 * Causal depthwise convolution over the sequence of `channelsFirst` [batch, channels, seq], with the last `kernel`
 * inputs of the previous call in `past` [batch, channels, kernel]. Returns the outputs [batch, channels, seq] and the
 * new state: the last `kernel` inputs, this call's included.
 */
function causalDepthwiseConv(
  context: LayerContext,
  channelsFirst: string,
  past: string,
  name: string,
  channels: number,
  kernel: number,
): { output: string; state: string } {
  const { graph } = context;
  // window[:, :, kernel + t] is input t; output t weighs window[:, :, t + 1 .. t + kernel].
  const window = graph.op('Concat', [past, channelsFirst], { axis: int(2) });
  const axis = graph.constInt64([2]);
  let output: string | undefined;
  for (let tap = 0; tap < kernel; tap++) {
    const end = tap === kernel - 1 ? TO_END : tap + 1 - kernel;
    const shifted = graph.op('Slice', [window, graph.constInt64([tap + 1]), graph.constInt64([end]), axis]);
    const weight = normalWeight(context, `${name}.conv.weight.${tap}`, [channels, 1], 1 / Math.sqrt(kernel));
    const term = graph.op('Mul', [shifted, weight]);
    output = output === undefined ? term : graph.op('Add', [output, term]);
  }
  const state = graph.op('Slice', [window, graph.constInt64([-kernel]), graph.constInt64([TO_END]), axis]);
  return { output: output!, state };
}

const channelsFirst = (graph: OnnxGraphBuilder, x: string): string => graph.op('Transpose', [x], { perm: ints([0, 2, 1]) });

/**
 * LFM2's gated short convolution: B, C, x = in_proj(h); y = C · conv(B · x); out_proj(y). `past` and the returned
 * state are [batch, hidden, convKernel].
 */
export function shortConv(context: LayerContext, input: string, name: string, past: string, dims: ModelDims) {
  const { graph } = context;
  const { hiddenSize } = dims;
  const projected = channelsFirst(graph, linear(context, input, `${name}.in_proj`, hiddenSize, 3 * hiddenSize));
  const [gateB, gateC, values] = graph.opOutputs('Split', [projected, graph.constInt64([hiddenSize, hiddenSize, hiddenSize])], { axis: int(1) }, { outputs: 3 });
  const gated = graph.op('Mul', [gateB!, values!]);
  const { output, state } = causalDepthwiseConv(context, gated, past, name, hiddenSize, dims.convKernel);
  const mixed = channelsFirst(graph, graph.op('Mul', [gateC!, output]));
  return { output: linear(context, mixed, `${name}.out_proj`, hiddenSize, hiddenSize), state };
}

/** [batch, seq, heads · dim] → [batch, heads, seq, dim], each head's vector scaled to unit length. */
function unitHeads(graph: OnnxGraphBuilder, x: string, heads: number, dim: number): string {
  const perHead = graph.op('Transpose', [graph.op('Reshape', [x, graph.constInt64([0, 0, heads, dim])])], { perm: ints([0, 2, 1, 3]) });
  const norm = graph.op('Sqrt', [
    graph.op('Add', [
      graph.op('ReduceSum', [graph.op('Mul', [perHead, perHead]), graph.constInt64([-1])], { keepdims: int(1) }),
      graph.constFloat([1e-6], []),
    ]),
  ]);
  return graph.op('Div', [perHead, norm]);
}

/** Repeats each of `heads` heads `times` times along axis 1: [b, heads, s, d] → [b, heads · times, s, d]. */
function repeatHeads(graph: OnnxGraphBuilder, x: string, heads: number, times: number, dim: number): string {
  if (times === 1) return x;
  const spread = graph.op('Unsqueeze', [x, graph.constInt64([2])]);
  const tiled = graph.op('Tile', [spread, graph.constInt64([1, 1, times, 1, 1])]);
  return graph.op('Reshape', [tiled, graph.constInt64([0, heads * times, -1, dim])]);
}

/**
 * Qwen3.5's linear attention, simplified from Gated DeltaNet to plain causal linear attention over a convolved
 * q/k/v: S holds Σ kᵀv per value head, and token t reads q_t·(S_past + Σ_{τ≤t} k_τᵀ v_τ). The current call is
 * computed in the parallel form, q·kᵀ masked to τ ≤ t, so its cost is that of attention over the call's tokens.
 * `pastConv` is [batch, convChannels, convKernel], `pastState` [batch, valueHeads, keyDim, valueDim].
 */
export function linearAttention(
  context: LayerContext,
  input: string,
  name: string,
  past: { conv: string; state: string },
  dims: ModelDims,
) {
  const { graph } = context;
  const { hiddenSize, linearNumKeyHeads: keyHeads, linearNumValueHeads: valueHeads } = dims;
  const { linearKeyHeadDim: keyDim, linearValueHeadDim: valueDim } = dims;
  const channels = linearConvChannels(dims);
  const projected = channelsFirst(graph, linear(context, input, `${name}.in_proj_qkv`, hiddenSize, channels));
  const conv = causalDepthwiseConv(context, projected, past.conv, name, channels, dims.convKernel);
  const mixed = channelsFirst(graph, silu(graph, conv.output));
  const keyWidth = keyHeads * keyDim;
  const [q, k, v] = graph.opOutputs('Split', [mixed, graph.constInt64([keyWidth, keyWidth, valueHeads * valueDim])], { axis: int(2) }, { outputs: 3 });
  const groups = valueHeads / keyHeads;
  const query = graph.op('Mul', [
    repeatHeads(graph, unitHeads(graph, q!, keyHeads, keyDim), keyHeads, groups, keyDim),
    graph.constFloat([1 / Math.sqrt(keyDim)], []),
  ]);
  const key = repeatHeads(graph, unitHeads(graph, k!, keyHeads, keyDim), keyHeads, groups, keyDim);
  const value = graph.op('Transpose', [graph.op('Reshape', [v!, graph.constInt64([0, 0, valueHeads, valueDim])])], { perm: ints([0, 2, 1, 3]) });

  // Within the call: scores q·kᵀ kept where τ ≤ t.
  const length = graph.op('Shape', [input], { start: int(1), end: int(2) });
  const positions = graph.op('Range', [graph.constInt64([0], []), graph.op('Squeeze', [length, graph.constInt64([0])]), graph.constInt64([1], [])]);
  const causal = graph.cast(
    graph.op('LessOrEqual', [graph.op('Unsqueeze', [positions, graph.constInt64([0])]), graph.op('Unsqueeze', [positions, graph.constInt64([1])])]),
    'float32',
  );
  const keyT = graph.op('Transpose', [key], { perm: ints([0, 1, 3, 2]) });
  const scores = graph.op('Mul', [graph.op('MatMul', [query, keyT]), causal]);
  const fromCall = graph.op('MatMul', [scores, value]);
  const fromPast = graph.op('MatMul', [query, past.state]);
  const attended = graph.op('Add', [fromCall, fromPast]);
  const state = graph.op('Add', [past.state, graph.op('MatMul', [keyT, value])]);

  // Per-head RMSNorm, gated by silu(z) as in Gated DeltaNet, then the output projection.
  const normed = rmsNorm(context, attended, `${name}.norm`, valueDim, dims.rmsNormEps);
  const merged = graph.op('Reshape', [graph.op('Transpose', [normed], { perm: ints([0, 2, 1, 3]) }), graph.constInt64([0, 0, valueHeads * valueDim])]);
  const gate = silu(graph, linear(context, input, `${name}.in_proj_z`, hiddenSize, valueHeads * valueDim));
  const output = linear(context, graph.op('Mul', [merged, gate]), `${name}.out_proj`, valueHeads * valueDim, hiddenSize);
  return { output, convState: conv.state, state };
}
