/**
 * Every size of a generated model. Text names follow the Llama `text_config`; vision names follow a SigLIP encoder
 * with a pixel-shuffle connector. Each family reads the fields its layout has (see tiny-family.ts).
 */
export interface ModelDims {
  /** Rows of the embedding and lm_head; at least the byte vocabulary plus the special tokens. Extra ids get filler tokens. */
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  intermediateSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositionEmbeddings: number;
  /** Edge of one square vision tile: `max_image_size.longest_edge` and the vision `image_size`. */
  tileSize: number;
  /** `size.longest_edge` of the image processor: images are first resized to fit it, then cut into tiles. */
  resizeLongestEdge: number;
  patchSize: number;
  visionHiddenSize: number;
  visionNumLayers: number;
  visionNumHeads: number;
  visionIntermediateSize: number;
  visionLayerNormEps: number;
  /** Pixel-shuffle factor of the connector: each output token merges scaleFactor² patches. */
  scaleFactor: number;
  /** MatMulNBits block size along K for the q4 files. */
  q4BlockSize: number;
  /** Fraction of head_dim that RoPE rotates (Qwen3.5: 0.25; 1 elsewhere). */
  partialRotaryFactor: number;
  /** Inputs a convolution layer remembers: LFM2's `conv_L_cache`, Qwen3.5's `linear_conv_kernel_dim`. */
  convKernel: number;
  /** Qwen3.5's linear-attention (Gated DeltaNet) heads. */
  linearNumKeyHeads: number;
  linearNumValueHeads: number;
  linearKeyHeadDim: number;
  linearValueHeadDim: number;
  /** LFM2-VL and Qwen3.5 resize each image to between these many image tokens (one per scaleFactor² patches). */
  minImageTokens: number;
  maxImageTokens: number;
  /** Qwen's patches span this many frames; a still image is repeated to fill them. */
  temporalPatchSize: number;
}

export const tinyModelDims: Readonly<ModelDims> = Object.freeze({
  /** Raised to the family's byte and special tokens (plus any script) where smaller. */
  vocabSize: 0,
  hiddenSize: 32,
  numHiddenLayers: 2,
  numAttentionHeads: 4,
  numKeyValueHeads: 2,
  headDim: 8,
  intermediateSize: 64,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  maxPositionEmbeddings: 2048,
  tileSize: 32,
  resizeLongestEdge: 64,
  patchSize: 8,
  visionHiddenSize: 16,
  visionNumLayers: 1,
  visionNumHeads: 2,
  visionIntermediateSize: 32,
  visionLayerNormEps: 1e-6,
  scaleFactor: 2,
  q4BlockSize: 32,
  partialRotaryFactor: 1,
  convKernel: 3,
  linearNumKeyHeads: 2,
  linearNumValueHeads: 2,
  linearKeyHeadDim: 8,
  linearValueHeadDim: 8,
  minImageTokens: 4,
  maxImageTokens: 64,
  temporalPatchSize: 2,
});

/** Tokens each tile contributes to the prompt; must equal `processor_config.image_seq_len` (trap T11). */
export function imageSeqLen(dims: ModelDims): number {
  const patchesPerSide = dims.tileSize / dims.patchSize;
  return (patchesPerSide / dims.scaleFactor) ** 2;
}

/** `minimumVocabSize`: the family's byte and special tokens, plus any script entries. */
export function resolveModelDims(overrides: Partial<ModelDims> = {}, minimumVocabSize = 0): ModelDims {
  const dims: ModelDims = { ...tinyModelDims, vocabSize: minimumVocabSize, ...overrides };
  validateModelDims(dims, minimumVocabSize);
  return dims;
}

function validateModelDims(dims: ModelDims, minimumVocabSize: number): void {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(dims)) {
    const isFloatParam = ['rmsNormEps', 'visionLayerNormEps', 'ropeTheta', 'partialRotaryFactor'].includes(key);
    const valid = isFloatParam ? value > 0 : Number.isInteger(value) && value > 0;
    if (!valid) problems.push(`${key} must be a positive ${isFloatParam ? 'number' : 'integer'} (got ${value})`);
  }
  const require = (condition: boolean, message: string): void => {
    if (!condition) problems.push(message);
  };
  require(dims.vocabSize >= minimumVocabSize, `vocabSize must be at least ${minimumVocabSize}`);
  require(dims.partialRotaryFactor <= 1, 'partialRotaryFactor must be at most 1');
  require((dims.headDim * dims.partialRotaryFactor) % 2 === 0, 'the rotated part of headDim must be even');
  require(dims.linearNumValueHeads % dims.linearNumKeyHeads === 0, 'linearNumValueHeads must be a multiple of linearNumKeyHeads');
  require(dims.minImageTokens <= dims.maxImageTokens, 'minImageTokens must not exceed maxImageTokens');
  require(dims.numAttentionHeads % dims.numKeyValueHeads === 0, 'numAttentionHeads must be a multiple of numKeyValueHeads');
  require(dims.tileSize % dims.patchSize === 0, 'tileSize must be a multiple of patchSize');
  require((dims.tileSize / dims.patchSize) % dims.scaleFactor === 0, 'patches per side must be a multiple of scaleFactor');
  require(dims.visionHiddenSize % dims.visionNumHeads === 0, 'visionHiddenSize must be a multiple of visionNumHeads');
  const isPowerOfTwo = (dims.q4BlockSize & (dims.q4BlockSize - 1)) === 0;
  require(dims.q4BlockSize >= 16 && isPowerOfTwo, 'q4BlockSize must be a power of 2, at least 16');
  if (problems.length > 0) throw new RangeError(`Invalid model dims: ${problems.join('; ')}`);
}
