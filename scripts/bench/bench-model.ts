import { customModel, findModel, RECIPES_BY_FAMILY, type ModelRecord, type SessionDtypes } from '../../src/core/model-catalog.ts';
import { onnxFile } from '../lib/dtype-suffixes.ts';
import { GENERATED_PRECISIONS } from '../tiny-model/graph-layers.ts';
import type { RawModelShape } from './raw-loop.ts';

/** The recipes the app loads SmolVLM with on CPU (Node) and on WASM (model-catalog.ts); the fixtures have their files. */
export const NODE_RECIPE_DTYPES: SessionDtypes = RECIPES_BY_FAMILY.smolvlm.cpu;
export const WASM_RECIPE_DTYPES: SessionDtypes = RECIPES_BY_FAMILY.smolvlm.wasm;
export const FP32_DTYPES: SessionDtypes = { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'fp32' };

/** A catalog record (or a custom SmolVLM one) whose every recipe is `dtypes`. */
export function benchModelRecord(id: string, dtypes: SessionDtypes): ModelRecord {
  const base = findModel(id) ?? customModel(id, 'smolvlm');
  return { ...base, recipes: { webgpuF16: dtypes, webgpu: dtypes, wasm: dtypes, cpu: dtypes } };
}

export function onnxFileName(session: keyof SessionDtypes, dtypes: SessionDtypes): string {
  const dtype = dtypes[session];
  if (!(GENERATED_PRECISIONS as readonly string[]).includes(dtype)) throw new Error(`the generated models have no ${dtype} files`);
  return onnxFile(session, dtype);
}

/** Paths (or URLs) of the three sessions' files below a model folder. */
export function rawModelFiles(folder: string, dtypes: SessionDtypes): { embed: string; vision: string; decoder: string } {
  const at = (session: keyof SessionDtypes) => `${folder.replace(/\/$/, '')}/${onnxFileName(session, dtypes)}`;
  return { embed: at('embed_tokens'), vision: at('vision_encoder'), decoder: at('decoder_model_merged') };
}

interface SmolVlmConfigJson {
  image_token_id: number;
  eos_token_id: number;
  text_config: { num_hidden_layers: number; num_key_value_heads: number; head_dim: number; hidden_size: number };
}

export function rawModelShape(config: unknown): RawModelShape {
  const { image_token_id, eos_token_id, text_config: text } = config as SmolVlmConfigJson;
  return {
    numLayers: text.num_hidden_layers,
    numKeyValueHeads: text.num_key_value_heads,
    headDim: text.head_dim,
    hiddenSize: text.hidden_size,
    imageTokenId: image_token_id,
    eosTokenId: eos_token_id,
  };
}

/** Bytes of KV cache one decoder position adds (keys and values of every layer, float32). */
export function kvBytesPerPosition(shape: RawModelShape): number {
  return 2 * shape.numLayers * shape.numKeyValueHeads * shape.headDim * 4;
}
