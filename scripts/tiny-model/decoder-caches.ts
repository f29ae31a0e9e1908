import type { ModelDims } from './model-config.ts';
import type { Dim } from './onnx-graph-builder.ts';

/** The `layer_types` of a hybrid text config; SmolVLM's Llama has full attention only. */
export type LayerType = 'full_attention' | 'conv' | 'linear_attention';

/** One cache tensor a decoder layer reads and writes back, named as transformers.js' getCacheNames expects. */
export interface CacheTensor {
  past: string;
  present: string;
  pastShape: readonly Dim[];
  presentShape: readonly Dim[];
}

/** Channels of a Qwen3.5 linear-attention layer's convolution: queries, keys and values side by side. */
export function linearConvChannels(dims: ModelDims): number {
  return 2 * dims.linearNumKeyHeads * dims.linearKeyHeadDim + dims.linearNumValueHeads * dims.linearValueHeadDim;
}

/**
 * The caches of layer `layer`. Every dim but batch_size is a number, and attention's sequence axis is the only other
 * symbol: transformers.js zero-fills every symbolic dim but batch_size when it starts a cache (trap T10), so an empty
 * attention cache has 0 positions while a convolution or recurrent state starts as zeros of its full size.
 */
export function layerCaches(type: LayerType, layer: number, dims: ModelDims): CacheTensor[] {
  switch (type) {
    case 'full_attention': {
      const shape = (length: string): Dim[] => ['batch_size', dims.numKeyValueHeads, length, dims.headDim];
      return (['key', 'value'] as const).map((part) => ({
        past: `past_key_values.${layer}.${part}`,
        present: `present.${layer}.${part}`,
        pastShape: shape('past_sequence_length'),
        presentShape: shape('total_sequence_length'),
      }));
    }
    case 'conv': {
      // LFM2: the last conv_L_cache inputs of the short convolution, channels first (HF Lfm2HybridConvCache).
      const shape = ['batch_size', dims.hiddenSize, dims.convKernel];
      return [{ past: `past_conv.${layer}`, present: `present_conv.${layer}`, pastShape: shape, presentShape: shape }];
    }
    case 'linear_attention': {
      // Qwen3.5 (Gated DeltaNet): the convolution's last inputs, then the recurrent state, one key × value matrix per
      // value head.
      const convShape = ['batch_size', linearConvChannels(dims), dims.convKernel];
      const stateShape = ['batch_size', dims.linearNumValueHeads, dims.linearKeyHeadDim, dims.linearValueHeadDim];
      return [
        { past: `past_conv.${layer}`, present: `present_conv.${layer}`, pastShape: convShape, presentShape: convShape },
        {
          past: `past_recurrent.${layer}`,
          present: `present_recurrent.${layer}`,
          pastShape: stateShape,
          presentShape: stateShape,
        },
      ];
    }
  }
}
