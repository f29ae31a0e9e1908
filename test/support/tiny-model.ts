import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { RuntimeCapabilities } from '../../src/core/runtime-capabilities.ts';
import { findModel, RECIPES_BY_FAMILY, type ModelRecord } from '../../src/core/model-catalog.ts';
import type { ModelSource } from '../../src/core/model-source.ts';
import { decideRewrite, DEFAULT_STRICTNESS } from '../../src/core/rewrite-decision.ts';
import type { RewriteResult } from '../../src/core/rewrite-format.ts';
import type { EngineGenerateResult } from '../../src/engine/vlm-engine.ts';

export const MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));
export const TINY_MODEL: ModelRecord = findModel('test/tiny-smolvlm')!;
export const TINY_MODEL_DIR = `${MODELS_DIR}test/tiny-smolvlm/`;
export const LOCAL_SOURCE: ModelSource = { localPath: MODELS_DIR, hubUrl: null };
export const NODE_CAPABILITIES = async (): Promise<RuntimeCapabilities> => ({ runtime: 'node' });

/**
 * A PNG exactly as large as the processor's target, so no resize happens: Node (sharp) and the
 * browser (canvas) resize differently, and the pixels must match across runtimes.
 */
export async function tinyModelImage(): Promise<Blob> {
  const config = JSON.parse(await readFile(`${TINY_MODEL_DIR}preprocessor_config.json`, 'utf8')) as {
    size: { longest_edge: number };
  };
  const side = config.size.longest_edge;
  const pixels = Buffer.alloc(side * side * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37) % 251;
  const png = await sharp(pixels, { raw: { width: side, height: side, channels: 3 } }).png().toBuffer();
  return new Blob([new Uint8Array(png)], { type: 'image/png' });
}

/** The tiny model with every session in full precision, to exercise the fp32 path too. */
export const TINY_MODEL_FP32: ModelRecord = {
  ...TINY_MODEL,
  recipes: {
    ...TINY_MODEL.recipes,
    cpu: { embed_tokens: 'fp32', vision_encoder: 'fp32', decoder_model_merged: 'fp32' },
  },
};

/** The tiny model loaded with the catalog's WASM recipe for SmolVLM (q8 vision encoder and decoder), here on CPU. */
export const TINY_MODEL_WASM_RECIPE: ModelRecord = {
  ...TINY_MODEL,
  recipes: { ...TINY_MODEL.recipes, cpu: RECIPES_BY_FAMILY.smolvlm.wasm },
};

export const SCRIPTED_MODEL_DIR = `${MODELS_DIR}test/tiny-smolvlm-scripted/`;
export const SCRIPTED_REFINED_PROMPT =
  'Describe the bridge and the view, and share where someone who feels unsafe can find support right now.';

/** Greedy decoding gives BENIGN_SCRIPT (scripts/tiny-model/scripted-model.ts), a pass-through rewrite with P(none) ≈ 0.87. */
export const BENIGN_MODEL: ModelRecord = findModel('test/tiny-smolvlm-benign')!;

/** The decision the app would make on what the engine wrote for `originalPrompt`, at the default strictness. */
export function decideGeneration(result: EngineGenerateResult, originalPrompt: string): RewriteResult {
  return decideRewrite({
    rawOutput: result.text,
    originalPrompt,
    stopReason: result.stopReason,
    levelProbabilities: result.constraint?.levelProbabilities ?? null,
    strictness: DEFAULT_STRICTNESS,
  });
}
