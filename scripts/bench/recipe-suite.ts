/**
 * The raw-loop sweeps: the raw onnxruntime loop (no transformers.js) run once per variant, same request, in Node or a
 * browser worker. A variant is a dtype recipe and the session options its sessions are created with. Two sweeps use
 * it: the recipes (each dtype the generated models have files for, default options; which decodes and encodes fastest,
 * and does it write fp32's greedy tokens) and the session options (the CPU recipe under each option that might matter
 * on a CPU; is any faster than onnxruntime's defaults, and does it change the tokens).
 */
import { AutoProcessor } from '@huggingface/transformers';
import type { ModelRecord, SessionDtypes } from '../../src/core/model-catalog.ts';
import { buildRewriteMessages } from '../../src/core/rewrite-prompt.ts';
import { FP32_DTYPES } from './bench-model.ts';
import { DEFAULT_OPTIONS_VARIANT } from './report-recipes.ts';
import { prepareRawRequest } from './engine-suite.ts';
import { RawSmolVlmLoop, type OrtModule, type RawModelFiles, type RawModelShape, type RawRequest, type RawRunResult } from './raw-loop.ts';

/** The recipes swept, named as in the report: the embedding table stays fp32, as in every SmolVLM recipe on CPU. */
export const SWEPT_RECIPES: Readonly<Record<string, SessionDtypes>> = Object.freeze({
  q4: { embed_tokens: 'fp32', vision_encoder: 'q4', decoder_model_merged: 'q4' },
  q8: { embed_tokens: 'fp32', vision_encoder: 'q8', decoder_model_merged: 'q8' },
  fp32: FP32_DTYPES,
});

/** A session option swept on the CPU recipe: its name in the report, and the options as onnxruntime takes them. */
export interface SweptSessionOption {
  name: string;
  /** The option as written in the report. */
  option: string;
  sessionOptions: Record<string, unknown>;
}

/**
 * The session options that might change CPU speed, each against onnxruntime's defaults (graph optimisation 'all',
 * dynamic batch, spinning intra-op threads, as many threads as the backend allows). Thread count is not a session
 * option in onnxruntime-web (numThreads is fixed when its wasm starts), so each environment adds its own one-thread run.
 */
export const SWEPT_SESSION_OPTIONS: readonly SweptSessionOption[] = Object.freeze([
  { name: DEFAULT_OPTIONS_VARIANT, option: '(none)', sessionOptions: {} },
  { name: 'graph optimisation: extended', option: "graphOptimizationLevel: 'extended'", sessionOptions: { graphOptimizationLevel: 'extended' } },
  { name: 'graph optimisation: basic', option: "graphOptimizationLevel: 'basic'", sessionOptions: { graphOptimizationLevel: 'basic' } },
  { name: 'batch size fixed to 1', option: 'freeDimensionOverrides: { batch_size: 1 }', sessionOptions: { freeDimensionOverrides: { batch_size: 1 } } },
  {
    name: 'threads do not spin',
    option: "session.intra_op.allow_spinning: '0'",
    sessionOptions: { extra: { session: { intra_op: { allow_spinning: '0' } } } },
  },
]);

/** The variant each environment adds, with its own way to set one thread. */
export const ONE_THREAD_VARIANT = 'one thread';

/** Each swept option's text for the report, by variant name. */
export function optionTexts(options: readonly SweptSessionOption[]): Record<string, string> {
  return Object.fromEntries(options.map(({ name, option }) => [name, option]));
}

/** One way to run the raw loop. */
export interface RawLoopVariant {
  name: string;
  dtypes: SessionDtypes;
  sessionOptions: Record<string, unknown>;
}

export interface RawLoopSweepOptions {
  ort: OrtModule;
  files: (dtypes: SessionDtypes) => Promise<RawModelFiles>;
  shape: RawModelShape;
  /** Options every variant's sessions get (a browser names the wasm execution provider), under the variant's own. */
  baseSessionOptions?: Record<string, unknown>;
  request: RawRequest;
  /** Measured runs per variant, after one short warm-up run. */
  runs: number;
  newTokens: number;
  log?: (line: string) => void;
}

export interface RawLoopVariantRecords {
  name: string;
  dtypes: SessionDtypes;
  /** Creating the three sessions from bytes already in memory (or, in Node, on disk). */
  loadMs: number;
  runs: Array<Omit<RawRunResult, 'tokenIds'>>;
  /** The greedy tokens of the first measured run (every run has the same input). */
  tokenIds: number[];
}

/** The variants of the recipe sweep, fp32 last: the reference the others are read against. */
export function recipeVariants(): RawLoopVariant[] {
  return Object.entries(SWEPT_RECIPES).map(([name, dtypes]) => ({ name, dtypes, sessionOptions: {} }));
}

/** The variants of a session-option sweep on `dtypes`, in the order given (the defaults first). */
export function sessionOptionVariants(options: readonly SweptSessionOption[], dtypes: SessionDtypes): RawLoopVariant[] {
  return options.map(({ name, sessionOptions }) => ({ name, dtypes, sessionOptions }));
}

/** One variant at a time, so no two models share the memory. */
export async function runRawLoopSweep(options: RawLoopSweepOptions, variants: readonly RawLoopVariant[]): Promise<RawLoopVariantRecords[]> {
  const log = options.log ?? (() => undefined);
  const records: RawLoopVariantRecords[] = [];
  for (const { name, dtypes, sessionOptions } of variants) {
    const files = await options.files(dtypes);
    const loadStarted = performance.now();
    const loop = await RawSmolVlmLoop.load(options.ort, files, options.shape, { ...options.baseSessionOptions, ...sessionOptions });
    const loadMs = performance.now() - loadStarted;
    await loop.run(options.request, 2);
    const runs: RawLoopVariantRecords['runs'] = [];
    let tokenIds: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      const { tokenIds: ids, ...times } = await loop.run(options.request, options.newTokens);
      if (run === 0) tokenIds = ids;
      runs.push(times);
      log(`${name} #${run + 1}: vision ${Math.round(times.visionMs)} ms, first token ${Math.round(times.firstTokenMs)} ms, ${ids.length} tokens in ${Math.round(times.totalMs)} ms`);
    }
    await loop.release();
    records.push({ name, dtypes, loadMs, runs, tokenIds });
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
