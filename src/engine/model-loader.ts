import {
  AutoModelForImageTextToText,
  AutoProcessor,
  RawImage,
  type PreTrainedModel,
  type Processor,
  type ProgressInfo,
  type Tensor,
} from '@huggingface/transformers';
import type { DevicePlan } from '../core/device-plan.ts';
import type { ModelRecord } from '../core/model-catalog.ts';
import { MODEL_FAMILIES } from '../core/model-families.ts';
import type { ChatMessage, LoadedModel, LoadProgress, LoadRequest } from '../core/rewriter-api.ts';
import type { RuntimeCapabilities } from '../core/runtime-capabilities.ts';
import type { TokenTable } from '../core/token-constraint.ts';
import { endTokenIds, readTokenTable } from './constrained-generation.ts';
import type { EngineTuning, GenerateProfile } from './engine-types.ts';
import { toLoadProgress } from './load-progress.ts';
import { buildModelInputs } from './model-inputs.ts';
import { PromptPrefixCache } from './prompt-prefix-cache.ts';
import { configureTransformers, type OrtWasmFiles } from './transformers-environment.ts';
import {
  decoderCacheInputNames,
  imageTokenId,
  modelType,
  resizeStraightToTile,
  visionEncoderInputNames,
  wrapImageEncoder,
} from './transformers-internals.ts';
import { VisionFeatureCache } from './vision-feature-cache.ts';

/** The generation in progress, as the model's vision step sees it. */
export interface ActiveRun {
  profile: GenerateProfile;
  /** Digest of this request's vision inputs, computed once per request; null when no cache needs it. */
  imageDigest: string | null;
}

/** A loaded model with everything the engine keeps beside it. */
export interface LoadedModelState {
  model: ModelRecord;
  processor: Processor;
  vlm: PreTrainedModel;
  info: LoadedModel;
  /** Inputs of the vision encoder: what an image's features depend on. */
  visionInputNames: readonly string[];
  imageTokenId: number | null;
  /**
   * Plans each prefill's parts and, where the tuning keeps it, reuses KV between rewrites. Null where the decoder's
   * cache cannot be cut back to a prefix (see prefixCacheSupported).
   */
  prefixCache: PromptPrefixCache | null;
  visionCache: VisionFeatureCache | null;
  /** The vocabulary as the output format sees it, indexed once per model. */
  tokenTable: TokenTable;
  /** Set by the generation for as long as it runs. */
  activeRun: ActiveRun | null;
}

export interface LoadSettings {
  plan: DevicePlan;
  capabilities: RuntimeCapabilities;
  tuning: EngineTuning;
  ortWasmFiles: OrtWasmFiles | undefined;
  /** performance.now() when the load began, for loadMs. */
  started: number;
}

/** Model types whose decoder cache is attention KV only, with positions that follow the token index. */
const PREFIX_CACHE_MODEL_TYPES = new Set(['smolvlm', 'idefics3']);

/** Loads the processor and model of `request` on `settings.plan`, with the caches and speed-ups the tuning asks for. */
export async function loadModel(
  request: LoadRequest,
  settings: LoadSettings,
  onProgress: (progress: LoadProgress) => void,
): Promise<LoadedModelState> {
  const { plan, capabilities, tuning } = settings;
  configureTransformers(request.source, plan, settings.ortWasmFiles);
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
  const tokenTable = readTokenTable(tokenizer, endTokenIds(vlm.generation_config, tokenizer));
  const constraintSetupMs = performance.now() - tableStarted;
  const imageToken = imageTokenId(vlm);
  const state: LoadedModelState = {
    model: request.model,
    processor,
    vlm,
    info: { modelId: id, plan, capabilities, loadMs: 0, constraintSetupMs },
    visionInputNames: visionEncoderInputNames(vlm),
    imageTokenId: imageToken,
    prefixCache:
      imageToken !== null && prefixCacheSupported(vlm)
        ? new PromptPrefixCache({ keep: tuning.promptPrefixCache })
        : null,
    visionCache: tuning.visionFeatureCache ? new VisionFeatureCache() : null,
    tokenTable,
    activeRun: null,
  };
  hookVisionEncoder(state);
  // With splitting on, the processor's first resize decides the tiles; only without it is that step wasted.
  if (tuning.directTileResize && MODEL_FAMILIES[request.model.family].processorOptions['do_image_splitting'] === false) {
    resizeStraightToTile(processor);
  }
  if (tuning.warmUp === 'always' || (tuning.warmUp === 'webgpu' && plan.backend === 'webgpu')) {
    // The first WebGPU run compiles shaders; pay that during loading, not on the first rewrite.
    onProgress({ kind: 'stage', stage: 'warming-up' });
    try {
      await warmUp(state);
    } catch (error) {
      await vlm.dispose();
      throw error;
    }
  }
  state.info.loadMs = performance.now() - settings.started;
  return state;
}

/**
 * Puts the feature cache and a timer around the model's vision step, which runs during the prefill. The digest of
 * the request's image comes from the active run, computed once per request.
 */
function hookVisionEncoder(state: LoadedModelState): void {
  wrapImageEncoder(state.vlm, (encode) => async (inputs: Record<string, Tensor>): Promise<Tensor> => {
    const run = state.activeRun;
    const digest = run?.imageDigest ?? null;
    const cached = digest !== null ? state.visionCache?.get(digest) : undefined;
    if (cached) {
      if (run) run.profile.vision = 'feature-cache';
      return cached;
    }
    const started = performance.now();
    const features = await encode(inputs);
    if (run) {
      run.profile.visionMs = performance.now() - started;
      run.profile.vision = 'encoded';
    }
    if (digest !== null) state.visionCache?.set(digest, features);
    return features;
  });
}

async function warmUp(state: LoadedModelState): Promise<void> {
  const blank = new RawImage(new Uint8ClampedArray(64 * 64 * 3).fill(128), 64, 64, 3);
  const messages: ChatMessage[] = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Hi' }] }];
  const inputs = await buildModelInputs(state.processor, state.model.family, messages, blank);
  await state.vlm.generate({ ...inputs, max_new_tokens: 1 });
  state.visionCache?.clear();
}

/**
 * Prefix reuse needs a decoder whose only cache is attention KV and whose positions follow the token index (Qwen's
 * M-RoPE positions come from the image grid; LFM2's convolution state cannot be cut back to a prefix).
 */
function prefixCacheSupported(vlm: PreTrainedModel): boolean {
  const cacheInputs = decoderCacheInputNames(vlm);
  return (
    PREFIX_CACHE_MODEL_TYPES.has(modelType(vlm)) &&
    cacheInputs.length > 0 &&
    cacheInputs.every((name) => name.startsWith('past_key_values.'))
  );
}
