import { imageSeqLen, type ModelDims } from '../model-config.ts';
import { buildSmolVlmVisionEncoder } from '../smolvlm-vision-encoder.ts';
import { LLAMA_LAYOUT } from '../text-decoder.ts';
import type { Json, TinyFamily } from '../tiny-family.ts';
import { tokenIdOf, type TokenizerSpec, type Vocabulary } from '../tokenizer-files.ts';

const PAD = '<|endoftext|>';
const BOS = '<|im_start|>';
const EOS = '<end_of_utterance>';
const IMAGE = '<image>';
const FAKE_TOKEN_AROUND_IMAGE = '<fake_token_around_image>';
const GLOBAL_IMAGE = '<global-img>';

/** Idefics3Processor names tiles `<row_r_col_c>`, 1-based; 6×6 is the largest grid SmolVLM's own tokenizer covers. */
const MAX_TILE_GRID = 6;
const TILE_TOKENS = Array.from({ length: MAX_TILE_GRID ** 2 }, (_, i) => `<row_${Math.floor(i / MAX_TILE_GRID) + 1}_col_${(i % MAX_TILE_GRID) + 1}>`);

/** SmolVLM-Instruct's `chat_template`, verbatim. Renders `<|im_start|>User:<image>Describe this image.<end_of_utterance>\nAssistant:`. */
export const SMOLVLM_CHAT_TEMPLATE =
  "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}" +
  "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}" +
  "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}" +
  "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n" +
  "{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";

const tokenizer: TokenizerSpec = {
  specials: [PAD, BOS, EOS, IMAGE, FAKE_TOKEN_AROUND_IMAGE, GLOBAL_IMAGE, ...TILE_TOKENS],
  bos: BOS,
  eos: EOS,
  pad: PAD,
  unk: PAD,
  image: IMAGE,
  additionalSpecialTokens: [FAKE_TOKEN_AROUND_IMAGE, IMAGE, EOS],
  chatTemplate: SMOLVLM_CHAT_TEMPLATE,
  tokenizerClass: 'GPT2Tokenizer',
  processorClass: 'Idefics3Processor',
};

function tokenIds(vocabulary: Vocabulary) {
  return {
    bos_token_id: tokenIdOf(vocabulary, BOS),
    eos_token_id: tokenIdOf(vocabulary, EOS),
    pad_token_id: tokenIdOf(vocabulary, PAD),
  };
}

/** transformers.js reads model_type, architectures, image_token_id and text_config; vision_config is for Python readers. */
function modelConfigJson(dims: ModelDims, vocabulary: Vocabulary): Json {
  const ids = tokenIds(vocabulary);
  return {
    architectures: ['SmolVLMForConditionalGeneration'],
    model_type: 'smolvlm',
    image_token_id: tokenIdOf(vocabulary, IMAGE),
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

/** Normalisation and resampling as in SmolVLM's own preprocessor_config.json. */
function preprocessorConfigJson(dims: ModelDims): Json {
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

/** SmolVLM (Idefics3): a Llama decoder with full attention only, and one SigLIP pass per 512-px tile. */
export const SMOLVLM: TinyFamily = {
  name: 'smolvlm',
  tokenizer,
  dims: {},
  decoderLayout: LLAMA_LAYOUT,
  postProcessor: () => null,
  configFiles: (dims, vocabulary) => ({
    'config.json': modelConfigJson(dims, vocabulary),
    // Shipped although optional: a dev server's SPA fallback would answer a missing one with index.html (trap T9).
    'generation_config.json': tokenIds(vocabulary),
    'preprocessor_config.json': preprocessorConfigJson(dims),
    'processor_config.json': { processor_class: 'Idefics3Processor', image_seq_len: imageSeqLen(dims) },
  }),
  buildVisionEncoder: buildSmolVlmVisionEncoder,
  quantizedEmbeddings: false,
};
