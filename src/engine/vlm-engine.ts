import {
  AutoModelForImageTextToText,
  AutoProcessor,
  InterruptableStoppingCriteria,
  RawImage,
  TextStreamer,
  type PreTrainedModel,
  type Processor,
  type ProgressInfo,
  type Tensor,
} from '@huggingface/transformers';
import { planDevice, planWasm, type DevicePlan, type RuntimeCapabilities } from '../core/device-plan.ts';
import type { ModelRecord } from '../core/model-catalog.ts';
import { MODEL_FAMILIES, type FamilyTraits } from '../core/model-families.ts';
import type {
  GenerateRequest,
  GenerateResult,
  LoadedModel,
  LoadProgress,
  LoadRequest,
  RewriterApi,
  StreamUpdate,
} from '../core/rewriter-api.ts';
import { WEBGPU_LOAD_ERROR } from '../core/rewriter-api.ts';
import type { TokenTable } from '../core/token-constraint.ts';
import { buildLogitsProcessors, createConstrainedDecoder, endTokenIds, readTokenTable } from './constrained-generation.ts';
import { loadFailureKind } from '../core/load-error-message.ts';
import { stopReasonOf } from '../core/stop-reason.ts';
import { toLoadProgress } from './load-progress.ts';
import { buildModelInputs } from './model-inputs.ts';
import { prepareImage } from './prepare-image.ts';
import { PromptPrefixCache, type PromptKey } from './prompt-prefix-cache.ts';
import {
  beginDownloads,
  configureTransformers,
  countUncachedDownloads,
  forgetCancelledDownloads,
  type OrtWasmFiles,
} from './transformers-environment.ts';
import { digestTensors, VisionFeatureCache } from './vision-feature-cache.ts';

interface LoadedState {
  model: ModelRecord;
  processor: Processor;
  vlm: PreTrainedModel;
  info: LoadedModel;
  /** Inputs of the vision_encoder session: what an image's features depend on. */
  visionInputNames: readonly string[];
  imageTokenId: number | null;
  /** Null where the decoder's cache cannot be cut back to a prefix (see prefixCacheSupported). */
  prefixCache: PromptPrefixCache | null;
  visionCache: VisionFeatureCache | null;
  /** The vocabulary as the output format sees it, indexed once per model. */
  tokenTable: TokenTable;
}

/** Speed-ups, each measured by `npm run bench`; all on by default, the benchmark turns them off one by one. */
export interface EngineTuning {
  /** Reuse the image features of a picture rewritten before (keyed by a digest of the encoder's inputs). */
  visionFeatureCache: boolean;
  /** Reuse the decoder KV of the longest prefix shared with the previous prompt. */
  promptPrefixCache: boolean;
  /**
   * With image splitting off, let the processor resize to one tile directly. Otherwise SmolVLM's processor first
   * scales every image to its 2048-px `size.longest_edge` (upscaling a 512-px one 16-fold in pixels), normalizes
   * that, and only then shrinks it to the 512-px tile.
   */
  directTileResize: boolean;
  /**
   * Run one short generation while loading, so the first rewrite does not pay for first-run work (shader
   * compilation on WebGPU, buffer allocation everywhere).
   */
  warmUp: 'webgpu' | 'always' | 'never';
}

export const DEFAULT_ENGINE_TUNING: Readonly<EngineTuning> = Object.freeze({
  visionFeatureCache: true,
  promptPrefixCache: true,
  directTileResize: true,
  warmUp: 'webgpu',
});

export interface VlmEngineOptions {
  probeCapabilities: () => Promise<RuntimeCapabilities>;
  ortWasmFiles?: OrtWasmFiles;
  tuning?: Partial<EngineTuning>;
}

/** GenerateRequest plus engine-only knobs (used by the benchmark; the app leaves them unset). */
export interface EngineGenerateRequest extends GenerateRequest {
  /**
   * Suppress the end token until this many tokens exist, to time a fixed length. It conflicts with a format that
   * ends in the end token, so the benchmark sets it on unconstrained runs only.
   */
  minNewTokens?: number;
  /** Called with each step's logits before the format's mask (tests compute the level softmax from them). */
  inspectLogits?: (logits: Float32Array) => void;
}

/** Where the time before the first token went, and what the caches saved. */
export interface GenerateProfile {
  /** Decoding and resizing the image, chat template, tokenization and pixel preprocessing. */
  preprocessMs: number;
  /** Hashing the vision inputs for the caches (0 with both caches off). */
  digestMs: number;
  /** The vision encoder run; 0 when the features came from a cache or the image was in the reused prefix. */
  visionMs: number;
  vision: 'encoded' | 'feature-cache' | 'in-prefix' | 'none';
  promptTokens: number;
  /** Prompt positions whose KV came from the prefix cache. */
  reusedPrefixTokens: number;
  /** Generated token ids, for checking that a cached run equals a cold one. */
  tokenIds: number[];
}

export interface EngineGenerateResult extends GenerateResult {
  /** The engine always has the image it generated from. */
  image: NonNullable<GenerateResult['image']>;
  profile: GenerateProfile;
}

/** WebGPU itself failed while loading; the caller retries on WASM with `afterWebGpuFailure`. */
export class WebGpuLoadError extends Error {
  override readonly name = WEBGPU_LOAD_ERROR;
}

/** Model types whose decoder cache is attention KV only, with positions that follow the token index. */
const PREFIX_CACHE_MODEL_TYPES = new Set(['smolvlm', 'idefics3']);

/** Loads one image-text-to-text model with transformers.js and generates from it. */
export class VlmEngine implements RewriterApi {
  readonly #options: VlmEngineOptions;
  readonly #stopper = new InterruptableStoppingCriteria();
  readonly #tuning: EngineTuning;
  #loaded: LoadedState | null = null;
  #capabilities: Promise<RuntimeCapabilities> | null = null;
  /** The profile of the generation in progress, which the vision encoder hook writes into. */
  #profile: GenerateProfile | null = null;
  #pendingImageDigest: string | null = null;

  constructor(options: VlmEngineOptions) {
    this.#options = options;
    this.#tuning = { ...DEFAULT_ENGINE_TUNING, ...options.tuning };
  }

  probe(): Promise<RuntimeCapabilities> {
    // Keep the promise, not a failure: a rejected probe is retried on the next call.
    this.#capabilities ??= this.#options.probeCapabilities().catch((error: unknown) => {
      this.#capabilities = null;
      throw error;
    });
    return this.#capabilities;
  }

  async load(request: LoadRequest, onProgress: (progress: LoadProgress) => void): Promise<LoadedModel> {
    const started = performance.now();
    const capabilities = await this.probe();
    await this.dispose();

    const webGpuFailure = request.afterWebGpuFailure;
    const plan = webGpuFailure
      ? planWasm(capabilities, request.model, `WebGPU failed (${webGpuFailure})`)
      : planDevice(capabilities, request.model, request.preference);
    beginDownloads();
    try {
      this.#loaded = await this.#loadWithPlan(request, plan, capabilities, onProgress, started);
    } catch (error) {
      const kind = loadFailureKind(asMessage(error));
      if (kind === 'cancelled') await forgetCancelledDownloads();
      // Only the backend's own failures are worth a retry on WASM (a cancelled, missing or unreachable file would
      // fail there too), and in a fresh worker: a failed WebGPU start can leave this runtime unusable.
      if (plan.backend === 'webgpu' && kind === 'other') throw new WebGpuLoadError(describeWebGpuFailure(error), { cause: error });
      throw error;
    }
    if (webGpuFailure) this.#loaded.info.webGpuFailure = webGpuFailure;
    this.#loaded.info.uncachedFiles = await countUncachedDownloads();
    return this.#loaded.info;
  }

  async #loadWithPlan(
    request: LoadRequest,
    plan: DevicePlan,
    capabilities: RuntimeCapabilities,
    onProgress: (progress: LoadProgress) => void,
    started: number,
  ): Promise<LoadedState> {
    configureTransformers(request.source, plan, this.#options.ortWasmFiles);
    const progress_callback = (info: ProgressInfo) => {
      const event = toLoadProgress(info);
      if (event) onProgress(event);
    };
    const id = request.model.id;
    const processor = await AutoProcessor.from_pretrained(id, { progress_callback });
    const vlm = await AutoModelForImageTextToText.from_pretrained(id, {
      dtype: { ...plan.dtypes },
      device: plan.backend,
      progress_callback,
    });
    const { tokenizer } = processor;
    if (!tokenizer) throw new Error(`${id} has no tokenizer.`);
    const tableStarted = performance.now();
    const tokenTable = readTokenTable(tokenizer, endTokenIds(vlm.generation_config as { eos_token_id?: number | number[] } | null, tokenizer));
    const constraintSetupMs = performance.now() - tableStarted;
    const imageTokenId = (vlm.config as { image_token_id?: number; image_token_index?: number }).image_token_id ??
      (vlm.config as { image_token_index?: number }).image_token_index ?? null;
    const state: LoadedState = {
      model: request.model,
      processor,
      vlm,
      info: { modelId: id, plan, capabilities, loadMs: 0, constraintSetupMs },
      visionInputNames: (vlm.sessions['vision_encoder']?.inputNames as string[] | undefined) ?? ['pixel_values'],
      imageTokenId,
      // On WebGPU the decoder's KV stays in GPU buffers, which this cache does not cut back to a prefix.
      prefixCache:
        this.#tuning.promptPrefixCache && plan.backend !== 'webgpu' && imageTokenId !== null && prefixCacheSupported(vlm)
          ? new PromptPrefixCache()
          : null,
      visionCache: this.#tuning.visionFeatureCache ? new VisionFeatureCache() : null,
      tokenTable,
    };
    this.#hookVisionEncoder(state);
    if (this.#tuning.directTileResize) resizeStraightToTile(processor, MODEL_FAMILIES[request.model.family]);
    const warmUp = this.#tuning.warmUp;
    if (warmUp === 'always' || (warmUp === 'webgpu' && plan.backend === 'webgpu')) {
      // The first WebGPU run compiles shaders; pay that during loading, not on the first rewrite.
      onProgress({ kind: 'stage', stage: 'warming-up' });
      try {
        await this.#warmUp(state);
      } catch (error) {
        await vlm.dispose();
        throw error;
      }
    }
    state.info.loadMs = performance.now() - started;
    return state;
  }

  async #warmUp(state: LoadedState): Promise<void> {
    const blank = new RawImage(new Uint8ClampedArray(64 * 64 * 3).fill(128), 64, 64, 3);
    const inputs = await buildModelInputs(state.processor, state.model.family, [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Hi' }] }], blank);
    await state.vlm.generate({ ...inputs, max_new_tokens: 1 });
    state.visionCache?.clear();
  }

  /**
   * Wraps the model's vision step (transformers.js calls `encode_image` during the prefill) with the feature cache
   * and a timer. The digest of the current request's image is computed once in generate() and handed over here.
   */
  #hookVisionEncoder(state: LoadedState): void {
    const { vlm } = state;
    const encode = vlm.encode_image.bind(vlm);
    vlm.encode_image = async (inputs: Record<string, Tensor>): Promise<Tensor> => {
      const profile = this.#profile;
      const digest = this.#pendingImageDigest;
      const cached = digest !== null ? state.visionCache?.get(digest) : undefined;
      if (cached) {
        if (profile) profile.vision = 'feature-cache';
        return cached;
      }
      const started = performance.now();
      const features = (await encode(inputs)) as Tensor;
      if (profile) {
        profile.visionMs = performance.now() - started;
        profile.vision = 'encoded';
      }
      if (digest !== null) state.visionCache?.set(digest, features);
      return features;
    };
  }

  async generate(request: EngineGenerateRequest, onStream: (update: StreamUpdate) => void): Promise<EngineGenerateResult> {
    const state = this.#loaded;
    if (!state) throw new Error('No model is loaded.');
    const started = performance.now();
    let firstTokenMs = 0;
    let tokenCount = 0;
    let text = '';
    // TextStreamer reports a token before the text it completes, so text is sent with the next token.
    let unsent = '';

    this.#stopper.reset();
    const { stopFlag } = request;

    const { image, original, processed: target } = await prepareImage(request.image, MODEL_FAMILIES[state.model.family].maxImageSide);
    const inputs = await buildModelInputs(state.processor, state.model.family, request.messages, image);
    const profile: GenerateProfile = {
      preprocessMs: performance.now() - started,
      digestMs: 0,
      visionMs: 0,
      vision: 'none',
      promptTokens: inputs['input_ids']?.dims.at(-1) ?? 0,
      reusedPrefixTokens: 0,
      tokenIds: [],
    };

    const visionInputs = pickTensors(inputs, state.visionInputNames);
    let digest: string | null = null;
    if ((state.visionCache || state.prefixCache) && Object.keys(visionInputs).length > 0) {
      const digestStarted = performance.now();
      digest = await digestTensors(visionInputs);
      profile.digestMs = performance.now() - digestStarted;
    }
    const inputIds = inputs['input_ids'];
    const { prefixCache } = state;
    const promptKey: PromptKey | null =
      prefixCache && inputIds && state.imageTokenId !== null
        ? { ids: tensorIds(inputIds), imageTokenId: state.imageTokenId, imageDigest: digest }
        : null;
    const prefix = prefixCache && promptKey ? prefixCache.take(promptKey) : null;
    if (prefix) {
      profile.reusedPrefixTokens = prefix.reused;
      if (prefix.imageInPrefix) profile.vision = 'in-prefix';
    }
    // With the image's positions already in the reused KV, the vision encoder has nothing to do.
    const modelInputs = prefix?.imageInPrefix ? omitKeys(inputs, state.visionInputNames) : inputs;

    const { tokenizer } = state.processor;
    if (!tokenizer) throw new Error(`${state.model.id} has no tokenizer.`);
    const streamer = new TextStreamer(tokenizer, {
      skip_prompt: true,
      skip_special_tokens: true,
      callback_function: (chunk: string) => {
        text += chunk;
        unsent += chunk;
      },
      token_callback_function: () => {
        tokenCount += 1;
        if (tokenCount === 1) firstTokenMs = performance.now() - started;
        onStream({ text: unsent, tokenCount });
        unsent = '';
        // Checked after the update, so a stop requested while handling token n ends the run at n.
        if (stopFlag && Atomics.load(stopFlag, 0) === 1) this.#stopper.interrupt();
      },
    });

    const decoder = request.outputFormat ? createConstrainedDecoder(request.outputFormat, state.tokenTable) : null;
    const logitsProcessors = decoder || request.inspectLogits ? buildLogitsProcessors(decoder, request.inspectLogits) : null;

    this.#profile = profile;
    this.#pendingImageDigest = digest;
    let sequences: Tensor;
    try {
      sequences = (await state.vlm.generate({
        ...modelInputs,
        ...(prefix ? { past_key_values: prefix.cache } : {}),
        max_new_tokens: request.maxNewTokens,
        ...(request.minNewTokens ? { min_new_tokens: request.minNewTokens } : {}),
        do_sample: false,
        streamer,
        stopping_criteria: [this.#stopper],
        ...(logitsProcessors ? { logits_processor: logitsProcessors } : {}),
      })) as Tensor;
    } catch (error) {
      state.prefixCache?.clear();
      throw error;
    } finally {
      this.#profile = null;
      this.#pendingImageDigest = null;
    }
    if (unsent) onStream({ text: unsent, tokenCount });
    const allIds = tensorIds(sequences);
    profile.tokenIds = allIds.slice(profile.promptTokens);
    if (prefixCache && prefix && promptKey) prefixCache.store({ ...promptKey, ids: allIds }, prefix.cache);

    const constraint = decoder?.outcome() ?? null;
    const stopReason = stopReasonOf({
      interrupted: this.#stopper.interrupted,
      constraintComplete: constraint ? constraint.complete : null,
      tokenCount,
      maxNewTokens: request.maxNewTokens,
    });
    return {
      text,
      tokenCount,
      stopReason,
      firstTokenMs,
      totalMs: performance.now() - started,
      image: { original: { width: original.width, height: original.height }, processed: target },
      constraint: constraint && { complete: constraint.complete, levelProbabilities: constraint.levelProbabilities },
      profile,
    };
  }

  /** Forgets cached image features and prompt KV (e.g. to measure a cold rewrite). */
  clearCaches(): void {
    this.#loaded?.visionCache?.clear();
    this.#loaded?.prefixCache?.clear();
  }

  interrupt(): void {
    this.#stopper.interrupt();
  }

  async dispose(): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = null;
    loaded?.visionCache?.clear();
    loaded?.prefixCache?.clear();
    await loaded?.vlm.dispose();
  }
}

/**
 * Idefics3-style processors resize to `size.longest_edge` (2048 px for SmolVLM) before anything else, and only then,
 * with splitting off, squeeze the result into one `max_image_size` tile. With splitting off the intermediate size
 * buys nothing, so it becomes the tile size: the engine has already shrunk the image to `maxImageSide`.
 */
function resizeStraightToTile(processor: Processor, traits: FamilyTraits): void {
  const imageProcessor = processor.image_processor as
    | { size?: { longest_edge?: number }; max_image_size?: { longest_edge?: number } }
    | undefined;
  const tile = imageProcessor?.max_image_size?.longest_edge;
  if (traits.processorOptions['do_image_splitting'] !== false || !imageProcessor?.size?.longest_edge || !tile) return;
  imageProcessor.size = { ...imageProcessor.size, longest_edge: Math.min(imageProcessor.size.longest_edge, tile) };
}

/**
 * Prefix reuse needs a decoder whose only cache is attention KV and whose positions follow the token index (Qwen's
 * M-RoPE positions come from the image grid; LFM2's convolution state cannot be cut back to a prefix).
 */
function prefixCacheSupported(vlm: PreTrainedModel): boolean {
  const modelType = (vlm.config as { model_type?: string }).model_type ?? '';
  const decoder = vlm.sessions['decoder_model_merged'] as { inputNames?: string[] } | undefined;
  const cacheInputs = (decoder?.inputNames ?? []).filter((name) => name.startsWith('past_'));
  return (
    PREFIX_CACHE_MODEL_TYPES.has(modelType) &&
    cacheInputs.length > 0 &&
    cacheInputs.every((name) => name.startsWith('past_key_values.'))
  );
}

function pickTensors(inputs: Record<string, Tensor>, names: readonly string[]): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(inputs).filter(([name]) => names.includes(name)));
}

function omitKeys(inputs: Record<string, Tensor>, names: readonly string[]): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(inputs).filter(([name]) => !names.includes(name)));
}

/** The ids of a [1, n] int64 tensor as numbers. */
function tensorIds(tensor: Tensor): number[] {
  return Array.from(tensor.data as BigInt64Array, Number);
}

/** onnxruntime-web reports some WebGPU start-up failures as a bare number (an internal exception pointer). */
function describeWebGpuFailure(error: unknown): string {
  const message = errorMessage(error);
  return /^\d+$/.test(message) ? `onnxruntime-web could not start its WebGPU backend (internal error ${message})` : message;
}

function asMessage(error: unknown): { name?: string; message: string } {
  return error instanceof Error ? error : { message: String(error) };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
