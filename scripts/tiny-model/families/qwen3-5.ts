import type { LayerType } from '../decoder-caches.ts';
import type { ModelDims } from '../model-config.ts';
import { buildQwenVisionEncoder } from '../qwen-vision-encoder.ts';
import type { Json, TinyFamily } from '../tiny-family.ts';
import { tokenIdOf, type TokenizerSpec, type Vocabulary } from '../tokenizer-files.ts';

const END_OF_TEXT = '<|endoftext|>';
const IM_START = '<|im_start|>';
const EOS = '<|im_end|>';
const VISION_START = '<|vision_start|>';
const VISION_END = '<|vision_end|>';
const IMAGE = '<|image_pad|>';
const VIDEO = '<|video_pad|>';

/**
 * Renders what Qwen3.5's own template renders for plain chats (no tools): each turn's content trimmed, an image as
 * `<|vision_start|><|image_pad|><|vision_end|>`, and a generation prompt whose think block is empty unless
 * `enable_thinking` is true (the small Qwen3.5 models' default):
 * `<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>What is this?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n`.
 */
export const QWEN3_5_CHAT_TEMPLATE = [
  '{%- for message in messages -%}',
  "{{- '<|im_start|>' + message['role'] + '\\n' -}}",
  "{%- if message['content'] is string -%}{{- message['content'] | trim -}}",
  "{%- else -%}{%- set ns = namespace(text='') -%}{%- for item in message['content'] -%}",
  "{%- if item['type'] == 'image' -%}{%- set ns.text = ns.text + '<|vision_start|><|image_pad|><|vision_end|>' -%}",
  "{%- elif item['type'] == 'text' -%}{%- set ns.text = ns.text + item['text'] -%}{%- endif -%}",
  '{%- endfor -%}{{- ns.text | trim -}}{%- endif -%}',
  "{{- '<|im_end|>\\n' -}}",
  '{%- endfor -%}',
  "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}",
  "{%- if enable_thinking is defined and enable_thinking is true -%}{{- '<think>\\n' -}}",
  "{%- else -%}{{- '<think>\\n\\n</think>\\n\\n' -}}{%- endif -%}{%- endif -%}",
].join('');

const tokenizer: TokenizerSpec = {
  specials: [END_OF_TEXT, IM_START, EOS, VISION_START, VISION_END, '<|vision_pad|>', IMAGE, VIDEO, '<think>', '</think>'],
  bos: null,
  eos: EOS,
  pad: END_OF_TEXT,
  unk: null,
  image: IMAGE,
  additionalSpecialTokens: [],
  chatTemplate: QWEN3_5_CHAT_TEMPLATE,
  tokenizerClass: 'Qwen2Tokenizer',
  processorClass: 'Qwen3VLProcessor',
};

/** Three linear-attention layers, then one full-attention layer (full_attention_interval 4), cut to the layer count. */
const FULL_ATTENTION_INTERVAL = 4;
function layerTypes(dims: ModelDims): LayerType[] {
  const types = Array.from({ length: dims.numHiddenLayers }, (_, layer): LayerType =>
    (layer + 1) % FULL_ATTENTION_INTERVAL === 0 ? 'full_attention' : 'linear_attention',
  );
  // transformers.js reads the cache's length off the first attention layer, so there must be one.
  types[types.length - 1] = 'full_attention';
  return types;
}

/** M-RoPE sections (temporal, height, width) over the rotated frequencies, split as 11:11:10 in the real model. */
function mropeSection(dims: ModelDims): number[] {
  const frequencies = (dims.headDim * dims.partialRotaryFactor) / 2;
  const base = Math.floor(frequencies / 3);
  return [0, 1, 2].map((row) => base + (row < frequencies % 3 ? 1 : 0));
}

function modelConfigJson(dims: ModelDims, vocabulary: Vocabulary): Json {
  return {
    architectures: ['Qwen3_5ForConditionalGeneration'],
    model_type: 'qwen3_5',
    image_token_id: tokenIdOf(vocabulary, IMAGE),
    video_token_id: tokenIdOf(vocabulary, VIDEO),
    vision_start_token_id: tokenIdOf(vocabulary, VISION_START),
    vision_end_token_id: tokenIdOf(vocabulary, VISION_END),
    tie_word_embeddings: false,
    text_config: {
      model_type: 'qwen3_5_text',
      vocab_size: dims.vocabSize,
      hidden_size: dims.hiddenSize,
      intermediate_size: dims.intermediateSize,
      num_hidden_layers: dims.numHiddenLayers,
      num_attention_heads: dims.numAttentionHeads,
      num_key_value_heads: dims.numKeyValueHeads,
      head_dim: dims.headDim,
      linear_num_key_heads: dims.linearNumKeyHeads,
      linear_num_value_heads: dims.linearNumValueHeads,
      linear_key_head_dim: dims.linearKeyHeadDim,
      linear_value_head_dim: dims.linearValueHeadDim,
      linear_conv_kernel_dim: dims.convKernel,
      full_attention_interval: FULL_ATTENTION_INTERVAL,
      layer_types: layerTypes(dims),
      rms_norm_eps: dims.rmsNormEps,
      hidden_act: 'silu',
      max_position_embeddings: dims.maxPositionEmbeddings,
      tie_word_embeddings: false,
      eos_token_id: tokenIdOf(vocabulary, END_OF_TEXT),
      rope_parameters: {
        rope_type: 'default',
        rope_theta: dims.ropeTheta,
        partial_rotary_factor: dims.partialRotaryFactor,
        mrope_interleaved: true,
        mrope_section: mropeSection(dims),
      },
    },
    vision_config: {
      model_type: 'qwen3_5',
      depth: dims.visionNumLayers,
      hidden_size: dims.visionHiddenSize,
      num_heads: dims.visionNumHeads,
      intermediate_size: dims.visionIntermediateSize,
      in_channels: 3,
      patch_size: dims.patchSize,
      temporal_patch_size: dims.temporalPatchSize,
      spatial_merge_size: dims.scaleFactor,
      out_hidden_size: dims.hiddenSize,
    },
  };
}

/** As in the real file: no do_normalize key, so transformers.js only rescales (the real model sees the same). */
function preprocessorConfigJson(dims: ModelDims): Json {
  const tokenArea = (dims.patchSize * dims.scaleFactor) ** 2;
  return {
    size: { longest_edge: dims.maxImageTokens * tokenArea, shortest_edge: dims.minImageTokens * tokenArea },
    patch_size: dims.patchSize,
    temporal_patch_size: dims.temporalPatchSize,
    merge_size: dims.scaleFactor,
    image_mean: [0.5, 0.5, 0.5],
    image_std: [0.5, 0.5, 0.5],
    processor_class: 'Qwen3VLProcessor',
    image_processor_type: 'Qwen2VLImageProcessorFast',
  };
}

/**
 * Qwen3.5: a hybrid decoder (Gated DeltaNet linear attention, a full-attention layer every fourth) with M-RoPE
 * position_ids [3, batch, seq] from the image grid, a ViT whose merger joins 2×2 patches, and q4 embedding tables.
 */
export const QWEN3_5: TinyFamily = {
  name: 'qwen3.5',
  tokenizer,
  // head_dim 24 at the real partial rotary factor rotates three frequencies, one per M-RoPE row. The image numbers are
  // the real model's: 256×256 to 4096×4096 pixels, one token per 32×32, so a picture gives as many tokens as with
  // Qwen3.5-0.8B.
  dims: {
    numHiddenLayers: 2,
    headDim: 24,
    partialRotaryFactor: 0.25,
    convKernel: 4,
    patchSize: 16,
    scaleFactor: 2,
    minImageTokens: 64,
    maxImageTokens: 16384,
  },
  decoderLayout: (dims) => ({ layerTypes: layerTypes(dims), positionIds: 'mrope', queryKeyNorm: true }),
  postProcessor: () => null,
  configFiles: (dims, vocabulary) => ({
    'config.json': modelConfigJson(dims, vocabulary),
    'generation_config.json': {
      eos_token_id: [tokenIdOf(vocabulary, EOS), tokenIdOf(vocabulary, END_OF_TEXT)],
      pad_token_id: tokenIdOf(vocabulary, END_OF_TEXT),
    },
    'preprocessor_config.json': preprocessorConfigJson(dims),
  }),
  buildVisionEncoder: buildQwenVisionEncoder,
  quantizedEmbeddings: true,
};
