import type { LayerType } from '../decoder-caches.ts';
import { buildLfm2VlVisionEncoder } from '../lfm2-vl-vision-encoder.ts';
import type { ModelDims } from '../model-config.ts';
import type { Json, TinyFamily } from '../tiny-family.ts';
import { tokenIdOf, type TokenizerSpec, type Vocabulary } from '../tokenizer-files.ts';

const PAD = '<|pad|>';
const BOS = '<|startoftext|>';
const IM_START = '<|im_start|>';
const EOS = '<|im_end|>';
const IMAGE = '<image>';
const IMAGE_START = '<|image_start|>';
const IMAGE_END = '<|image_end|>';
const THUMBNAIL = '<|img_thumbnail|>';
/** Lfm2VlProcessor names tiles `<|img_row_r_col_c|>`, 1-based, up to max_tiles (10) per side. */
const TILE_TOKENS = Array.from({ length: 100 }, (_, i) => `<|img_row_${Math.floor(i / 10) + 1}_col_${(i % 10) + 1}|>`);

/**
 * Renders what LFM2-VL's own template renders for plain chats (no tools, no thinking):
 * `<|startoftext|><|im_start|>user\n<image>Describe.<|im_end|>\n<|im_start|>assistant\n`.
 */
export const LFM2_VL_CHAT_TEMPLATE = [
  '{{- bos_token -}}',
  '{%- for message in messages -%}',
  "{{- '<|im_start|>' + message['role'] + '\\n' -}}",
  "{%- if message['content'] is string -%}{{- message['content'] -}}",
  "{%- else -%}{%- for item in message['content'] -%}",
  "{%- if item['type'] == 'image' -%}{{- '<image>' -}}{%- elif item['type'] == 'text' -%}{{- item['text'] -}}{%- endif -%}",
  '{%- endfor -%}{%- endif -%}',
  "{{- '<|im_end|>\\n' -}}",
  '{%- endfor -%}',
  "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}",
].join('');

const tokenizer: TokenizerSpec = {
  specials: [PAD, BOS, IM_START, EOS, IMAGE, ...TILE_TOKENS, THUMBNAIL, IMAGE_START, IMAGE_END],
  bos: BOS,
  eos: EOS,
  pad: PAD,
  unk: null,
  image: IMAGE,
  additionalSpecialTokens: [],
  chatTemplate: LFM2_VL_CHAT_TEMPLATE,
  // The real tokenizer_config.json says TokenizersBackend, which transformers.js maps to its base tokenizer.
  tokenizerClass: 'TokenizersBackend',
  processorClass: 'Lfm2VlProcessor',
};

/** Conv and attention layers alternate as in LFM2 (two thirds conv): conv, attention, conv, … */
function layerTypes(dims: ModelDims): LayerType[] {
  return Array.from({ length: dims.numHiddenLayers }, (_, layer) => (layer % 3 === 1 ? 'full_attention' : 'conv'));
}

function imageProcessorConfig(dims: ModelDims): Json {
  return {
    image_processor_type: 'Lfm2VlImageProcessorFast',
    // The real repo's do_resize + size 512×512 would first squash every image square; without them the processor's
    // own smart resize keeps the aspect ratio (as transformers.js' LFM2-VL tests expect).
    do_resize: false,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    resample: 2,
    downsample_factor: dims.scaleFactor,
    encoder_patch_size: dims.patchSize,
    tile_size: dims.tileSize,
    do_image_splitting: true,
    min_tiles: 2,
    max_tiles: 10,
    use_thumbnail: true,
    min_image_tokens: dims.minImageTokens,
    max_image_tokens: dims.maxImageTokens,
    max_pixels_tolerance: 2,
    max_num_patches: Math.max(dims.maxImageTokens * dims.scaleFactor ** 2, (dims.tileSize / dims.patchSize) ** 2),
    return_row_col_info: true,
  };
}

function modelConfigJson(dims: ModelDims, vocabulary: Vocabulary): Json {
  return {
    architectures: ['Lfm2VlForConditionalGeneration'],
    model_type: 'lfm2_vl',
    image_token_id: tokenIdOf(vocabulary, IMAGE),
    downsample_factor: dims.scaleFactor,
    encoder_patch_size: dims.patchSize,
    tile_size: dims.tileSize,
    min_image_tokens: dims.minImageTokens,
    max_image_tokens: dims.maxImageTokens,
    do_image_splitting: true,
    use_thumbnail: true,
    projector_hidden_act: 'gelu',
    projector_hidden_size: dims.hiddenSize,
    text_config: {
      model_type: 'lfm2',
      architectures: ['Lfm2ForCausalLM'],
      hidden_size: dims.hiddenSize,
      intermediate_size: dims.intermediateSize,
      num_hidden_layers: dims.numHiddenLayers,
      num_attention_heads: dims.numAttentionHeads,
      num_key_value_heads: dims.numKeyValueHeads,
      layer_types: layerTypes(dims),
      conv_L_cache: dims.convKernel,
      conv_bias: false,
      norm_eps: dims.rmsNormEps,
      max_position_embeddings: dims.maxPositionEmbeddings,
      rope_parameters: { rope_theta: dims.ropeTheta, rope_type: 'default' },
      vocab_size: dims.vocabSize,
      eos_token_id: tokenIdOf(vocabulary, EOS),
    },
    vision_config: {
      model_type: 'siglip2_vision_model',
      hidden_size: dims.visionHiddenSize,
      num_hidden_layers: dims.visionNumLayers,
      num_attention_heads: dims.visionNumHeads,
      intermediate_size: dims.visionIntermediateSize,
      patch_size: dims.patchSize,
      layer_norm_eps: dims.visionLayerNormEps,
    },
  };
}

/**
 * LFM2-VL: an LFM2 decoder of short gated convolutions with a few attention layers (no position_ids input: the graph
 * derives positions itself), a SigLIP2 tower over patches the processor has already cut out, and a tokenizer whose
 * post-processor adds the BOS that the chat template writes too.
 */
export const LFM2_VL: TinyFamily = {
  name: 'lfm2-vl',
  tokenizer,
  // The image numbers are the real model's, so a picture becomes as many image tokens as with LFM2.5-VL-450M.
  dims: { numHiddenLayers: 3, patchSize: 16, scaleFactor: 2, tileSize: 512, minImageTokens: 64, maxImageTokens: 256 },
  decoderLayout: (dims) => ({ layerTypes: layerTypes(dims), positionIds: 'from-attention-mask', queryKeyNorm: true }),
  postProcessor: (vocabulary) => ({
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: BOS, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [
      { SpecialToken: { id: BOS, type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } },
    ],
    special_tokens: { [BOS]: { id: BOS, ids: [tokenIdOf(vocabulary, BOS)], tokens: [BOS] } },
  }),
  configFiles: (dims, vocabulary) => ({
    'config.json': modelConfigJson(dims, vocabulary),
    'generation_config.json': {
      bos_token_id: tokenIdOf(vocabulary, BOS),
      eos_token_id: tokenIdOf(vocabulary, EOS),
      pad_token_id: tokenIdOf(vocabulary, PAD),
    },
    'preprocessor_config.json': { ...imageProcessorConfig(dims), processor_class: 'Lfm2VlProcessor' },
    // Not read by transformers.js (Lfm2VlProcessor has no processor config); the real repos ship it for Python.
    'processor_config.json': { image_processor: imageProcessorConfig(dims), processor_class: 'Lfm2VlProcessor' },
  }),
  buildVisionEncoder: buildLfm2VlVisionEncoder,
  quantizedEmbeddings: false,
};
