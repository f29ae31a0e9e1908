import { specialTokenCount } from './tokenizer-files.ts';

/**
 * Every size of the generated model. Text names follow the Llama `text_config`; vision names follow a SigLIP encoder
 * with the Idefics3 pixel-shuffle connector.
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
}

const BYTE_VOCAB_SIZE = 256;

export function minimumVocabSize(): number {
  return BYTE_VOCAB_SIZE + specialTokenCount();
}

export const tinyModelDims: Readonly<ModelDims> = Object.freeze({
  vocabSize: minimumVocabSize(),
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
});

/** Tokens each tile contributes to the prompt; must equal `processor_config.image_seq_len` (trap T11). */
export function imageSeqLen(dims: ModelDims): number {
  const patchesPerSide = dims.tileSize / dims.patchSize;
  return (patchesPerSide / dims.scaleFactor) ** 2;
}

export function resolveModelDims(overrides: Partial<ModelDims> = {}): ModelDims {
  const dims: ModelDims = { ...tinyModelDims, ...overrides };
  validateModelDims(dims);
  return dims;
}

function validateModelDims(dims: ModelDims): void {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(dims)) {
    const isFloatParam = key === 'rmsNormEps' || key === 'visionLayerNormEps' || key === 'ropeTheta';
    const valid = isFloatParam ? value > 0 : Number.isInteger(value) && value > 0;
    if (!valid) problems.push(`${key} must be a positive ${isFloatParam ? 'number' : 'integer'} (got ${value})`);
  }
  const require = (condition: boolean, message: string): void => {
    if (!condition) problems.push(message);
  };
  require(dims.vocabSize >= minimumVocabSize(), `vocabSize must be at least ${minimumVocabSize()}`);
  require(dims.numAttentionHeads % dims.numKeyValueHeads === 0, 'numAttentionHeads must be a multiple of numKeyValueHeads');
  require(dims.headDim % 2 === 0, 'headDim must be even for RoPE');
  require(dims.tileSize % dims.patchSize === 0, 'tileSize must be a multiple of patchSize');
  require((dims.tileSize / dims.patchSize) % dims.scaleFactor === 0, 'patches per side must be a multiple of scaleFactor');
  require(dims.visionHiddenSize % dims.visionNumHeads === 0, 'visionHiddenSize must be a multiple of visionNumHeads');
  const isPowerOfTwo = (dims.q4BlockSize & (dims.q4BlockSize - 1)) === 0;
  require(dims.q4BlockSize >= 16 && isPowerOfTwo, 'q4BlockSize must be a power of 2, at least 16');
  if (problems.length > 0) throw new RangeError(`Invalid model dims: ${problems.join('; ')}`);
}
