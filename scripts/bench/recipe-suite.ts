/**
 * The recipe sweep: the raw onnxruntime loop (no transformers.js) on each dtype recipe the generated models have
 * files for, same request, same thread count, in Node or a browser worker. What it answers: which recipe decodes and
 * encodes fastest on this backend, and whether it writes the same greedy tokens as fp32 (beyond quantisation noise).
 */
import { AutoProcessor } from '@huggingface/transformers';
import type { ModelRecord, SessionDtypes } from '../../src/core/model-catalog.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { FP32_DTYPES } from './bench-model.ts';
import { prepareRawRequest } from './engine-suite.ts';
import { RawSmolVlmLoop, type OrtModule, type RawModelFiles, type RawModelShape, type RawRequest, type RawRunResult } from './raw-loop.ts';

/** The recipes swept, named as in the report: the embedding table stays fp32, as in every SmolVLM recipe on CPU. */
export const SWEPT_RECIPES: Readonly<Record<string, SessionDtypes>> = Object.freeze({
  q4: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' },
  q8: { embed_tokens: 'fp32', vision_encoder: 'q8', decoder_model_merged: 'q8' },
  fp32: FP32_DTYPES,
});

export interface RecipeSuiteOptions {
  ort: OrtModule;
  files: (dtypes: SessionDtypes) => Promise<RawModelFiles>;
  shape: RawModelShape;
  sessionOptions?: Record<string, unknown>;
  request: RawRequest;
  /** Measured runs per recipe, after one short warm-up run. */
  runs: number;
  newTokens: number;
  log?: (line: string) => void;
}

export interface RecipeRecords {
  recipe: string;
  dtypes: SessionDtypes;
  runs: Array<Omit<RawRunResult, 'tokenIds'>>;
  /** The greedy tokens of the first measured run (every run has the same input). */
  tokenIds: number[];
}

/** One recipe at a time, so no two models share the memory; fp32 last, as the reference the others are read against. */
export async function runRecipeSuite(options: RecipeSuiteOptions): Promise<RecipeRecords[]> {
  const log = options.log ?? (() => undefined);
  const records: RecipeRecords[] = [];
  for (const [recipe, dtypes] of Object.entries(SWEPT_RECIPES)) {
    const loop = await RawSmolVlmLoop.load(options.ort, await options.files(dtypes), options.shape, options.sessionOptions);
    await loop.run(options.request, 2);
    const runs: RecipeRecords['runs'] = [];
    let tokenIds: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const { tokenIds: ids, ...times } = await loop.run(options.request, options.newTokens);
      if (run === 0) tokenIds = ids;
      runs.push(times);
      log(`recipe ${recipe} #${run + 1}: vision ${Math.round(times.visionMs)} ms, first token ${Math.round(times.firstTokenMs)} ms, ${ids.length} tokens in ${Math.round(times.totalMs)} ms`);
    }
    await loop.release();
    records.push({ recipe, dtypes, runs, tokenIds });
  }
  return records;
}

/**
 * The raw loop's request for `question` about `image`, built by the engine's processor. Call it after
 * `configureTransformers`, which points transformers.js at the model folder and, in a browser, the raw loop's
 * onnxruntime-web at the self-hosted wasm, as the app does before a load.
 */
export async function recipeRequest(model: ModelRecord, image: Blob, question: string): Promise<RawRequest> {
  const processor = await AutoProcessor.from_pretrained(model.id);
  return prepareRawRequest(processor, model, image, buildRewriteMessages(question));
}
