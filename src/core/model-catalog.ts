/** The dtype of each ONNX session of an image-text-to-text model (transformers.js names). */
export interface SessionDtypes {
  embed_tokens: Dtype;
  vision_encoder: Dtype;
  decoder_model_merged: Dtype;
}

export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4' | 'q4f16';

export type ModelFamily = 'smolvlm';

export interface ModelRecord {
  /** A Hugging Face Hub id, which is also the folder name under models/. */
  id: string;
  label: string;
  family: ModelFamily;
  /** Per-capability dtypes: f16 only where the adapter has shader-f16. */
  recipes: {
    webgpuF16: SessionDtypes;
    webgpu: SessionDtypes;
    wasm: SessionDtypes;
    cpu: SessionDtypes;
  };
  /** Approximate download for the WebGPU-f16 recipe, for "download N MB?" prompts. */
  approxDownloadMB: number;
  /** Tiled processing multiplies the vision cost; one tile is enough to judge risk. */
  imageSplitting: boolean;
  /** Fixture models exist only where `npm run models:tiny` ran; hide them elsewhere. */
  isTestFixture?: boolean;
}

const smolVlmRecipes: ModelRecord['recipes'] = {
  webgpuF16: { embed_tokens: 'fp16', vision_encoder: 'q4f16', decoder_model_merged: 'q4f16' },
  webgpu: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' },
  wasm: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' },
  cpu: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' },
};

/** The generated fixture has fp32 and q4 files only (no f16: SwiftShader cannot run it). */
const tinyRecipes: ModelRecord['recipes'] = {
  webgpuF16: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4' },
  webgpu: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4' },
  wasm: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4' },
  cpu: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'q4' },
};

export const MODEL_CATALOG: readonly ModelRecord[] = [
  {
    id: 'HuggingFaceTB/SmolVLM-256M-Instruct',
    label: 'SmolVLM 256M Instruct',
    family: 'smolvlm',
    recipes: smolVlmRecipes,
    approxDownloadMB: 200,
    imageSplitting: false,
  },
  {
    id: 'test/tiny-smolvlm',
    label: 'Tiny test model (random weights)',
    family: 'smolvlm',
    recipes: tinyRecipes,
    approxDownloadMB: 1,
    imageSplitting: false,
    isTestFixture: true,
  },
];

export const DEFAULT_MODEL_ID = 'HuggingFaceTB/SmolVLM-256M-Instruct';

export function findModel(id: string): ModelRecord | undefined {
  return MODEL_CATALOG.find((model) => model.id === id);
}
