import { imageSeqLen, type ModelDims } from './model-config.ts';
import { specialTokens, tokenIdOf, type Vocabulary } from './tokenizer-files.ts';

type Json = Record<string, unknown>;

interface TokenIds {
  bos_token_id: number;
  eos_token_id: number;
  pad_token_id: number;
}

function tokenIds(vocabulary: Vocabulary): TokenIds {
  return {
    bos_token_id: tokenIdOf(vocabulary, specialTokens.bos),
    eos_token_id: tokenIdOf(vocabulary, specialTokens.eos),
    pad_token_id: tokenIdOf(vocabulary, specialTokens.pad),
  };
}

/** transformers.js reads model_type, architectures, image_token_id and text_config; vision_config is for Python readers. */
export function modelConfigJson(dims: ModelDims, vocabulary: Vocabulary): Json {
  const ids = tokenIds(vocabulary);
  return {
    architectures: ['SmolVLMForConditionalGeneration'],
    model_type: 'smolvlm',
    image_token_id: tokenIdOf(vocabulary, specialTokens.image),
    scale_factor: dims.scaleFactor,
    tie_word_embeddings: false,
    vocab_size: dims.vocabSize,
    ...ids,
    text_config: {
      model_type: 'llama',
      hidden_act: 'silu',
      hidden_size: dims.hiddenSize,
      intermediate_size: dims.intermediateSize,
      num_hidden_layers: dims.numHiddenLayers,
      num_attention_heads: dims.numAttentionHeads,
      num_key_value_heads: dims.numKeyValueHeads,
      head_dim: dims.headDim,
      rms_norm_eps: dims.rmsNormEps,
      rope_theta: dims.ropeTheta,
      max_position_embeddings: dims.maxPositionEmbeddings,
      vocab_size: dims.vocabSize,
      tie_word_embeddings: false,
      ...ids,
    },
    vision_config: {
      model_type: 'smolvlm_vision',
      hidden_act: 'gelu_pytorch_tanh',
      hidden_size: dims.visionHiddenSize,
      image_size: dims.tileSize,
      patch_size: dims.patchSize,
      num_hidden_layers: dims.visionNumLayers,
      num_attention_heads: dims.visionNumHeads,
      intermediate_size: dims.visionIntermediateSize,
      layer_norm_eps: dims.visionLayerNormEps,
    },
  };
}

/** Shipped although optional: a dev server's SPA fallback would answer a missing one with index.html (trap T9). */
export function generationConfigJson(vocabulary: Vocabulary): Json {
  return { ...tokenIds(vocabulary) };
}

/** Normalisation and resampling as in SmolVLM's own preprocessor_config.json. */
export function preprocessorConfigJson(dims: ModelDims): Json {
  return {
    processor_class: 'Idefics3Processor',
    image_processor_type: 'Idefics3ImageProcessor',
    do_convert_rgb: true,
    do_resize: true,
    size: { longest_edge: dims.resizeLongestEdge },
    resample: 1,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    do_pad: true,
    do_image_splitting: true,
    max_image_size: { longest_edge: dims.tileSize },
  };
}

export function processorConfigJson(dims: ModelDims): Json {
  return { processor_class: 'Idefics3Processor', image_seq_len: imageSeqLen(dims) };
}
