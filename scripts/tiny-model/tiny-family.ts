import type { WeightPrecision } from './graph-layers.ts';
import type { ModelDims } from './model-config.ts';
import type { OnnxGraphBuilder } from './onnx-graph-builder.ts';
import type { DecoderLayout } from './text-decoder.ts';
import type { TokenizerSpec, Vocabulary } from './tokenizer-files.ts';

export type Json = Record<string, unknown>;

/**
 * Everything that makes a generated model one family's layout as transformers.js 4.3.2 loads it: the tokenizer's
 * special tokens and chat template, the config files, the vision encoder's I/O contract and the text decoder's
 * caches. The weights and the rest of the machinery (q4 packing, the scripted model) are shared.
 */
export interface TinyFamily {
  /** The family's name in the app (src/core/model-families.ts) and in the fixtures' folder names. */
  name: 'smolvlm' | 'lfm2-vl' | 'qwen3.5';
  tokenizer: TokenizerSpec;
  /** What the family changes in tinyModelDims. */
  dims: Partial<ModelDims>;
  decoderLayout(dims: ModelDims): DecoderLayout;
  /** tokenizer.json `post_processor`: null, or the template that adds a BOS (LFM2). */
  postProcessor(vocabulary: Vocabulary): Json | null;
  /** config.json, generation_config.json, preprocessor_config.json and whatever else the family's repos ship. */
  configFiles(dims: ModelDims, vocabulary: Vocabulary): Record<string, Json>;
  buildVisionEncoder(dims: ModelDims, seed: number, precision: WeightPrecision): OnnxGraphBuilder;
  /** Whether embed_tokens_q4 holds a q4 table (Qwen3.5's recipes load one) rather than the fp32 one. */
  quantizedEmbeddings: boolean;
}
