import type { InterruptableStoppingCriteria, Tensor } from '@huggingface/transformers';
import { MODEL_FAMILIES } from '../core/model-families.ts';
import type { StreamUpdate } from '../core/rewriter-api.ts';
import { stopReasonOf } from '../core/stop-reason.ts';
import { buildLogitsProcessors, createConstrainedDecoder } from './constrained-generation.ts';
import type { EngineGenerateRequest, EngineGenerateResult, GenerateProfile } from './engine-types.ts';
import type { LoadedModelState } from './model-loader.ts';
import { buildModelInputs } from './model-inputs.ts';
import { prepareImage } from './prepare-image.ts';
import type { PromptKey } from './prompt-prefix-cache.ts';
import { TokenStream } from './token-stream.ts';
import { resumeFromCache } from './transformers-internals.ts';
import { digestTensors } from './vision-feature-cache.ts';

/**
 * One greedy generation from the loaded model: image and prompt in, streamed text out, with the caches and the
 * output format applied. `stopper` is the engine's, so interrupt() reaches the run from outside.
 */
export async function runGeneration(
  state: LoadedModelState,
  stopper: InterruptableStoppingCriteria,
  request: EngineGenerateRequest,
  onStream: (update: StreamUpdate) => void,
): Promise<EngineGenerateResult> {
  const started = performance.now();
  stopper.reset();

  const { image, original, processed } = await prepareImage(request.image, MODEL_FAMILIES[state.model.family].maxImageSide);
  const inputs = await buildModelInputs(state.processor, state.model.family, request.messages, image);
  const profile: GenerateProfile = {
    preprocessMs: performance.now() - started,
    digestMs: 0,
    visionMs: 0,
    vision: 'none',
    promptTokens: inputs['input_ids']?.dims.at(-1) ?? 0,
    reusedPrefixTokens: 0,
    tokenIds: [],
    tagTokens: 0,
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
  const modelInputs = prefix?.imageInPrefix ? omitTensors(inputs, state.visionInputNames) : inputs;

  const { tokenizer } = state.processor;
  if (!tokenizer) throw new Error(`${state.model.id} has no tokenizer.`);
  const stream = new TokenStream(tokenizer, { started, onStream, stopFlag: request.stopFlag, stopper });
  const decoder = request.outputFormat ? createConstrainedDecoder(request.outputFormat, state.tokenTable) : null;
  const logitsProcessors = decoder || request.inspectLogits ? buildLogitsProcessors(decoder, request.inspectLogits) : null;

  state.activeRun = { profile, imageDigest: digest };
  let sequences: Tensor;
  try {
    sequences = (await state.vlm.generate({
      ...modelInputs,
      ...(prefix ? resumeFromCache(prefix.cache) : {}),
      max_new_tokens: request.maxNewTokens,
      ...(request.minNewTokens ? { min_new_tokens: request.minNewTokens } : {}),
      do_sample: false,
      streamer: stream.streamer,
      stopping_criteria: [stopper],
      ...(logitsProcessors ? { logits_processor: logitsProcessors } : {}),
    })) as Tensor;
  } catch (error) {
    state.prefixCache?.clear();
    throw error;
  } finally {
    state.activeRun = null;
  }
  stream.flush();
  const allIds = tensorIds(sequences);
  profile.tokenIds = allIds.slice(profile.promptTokens);
  if (prefixCache && prefix && promptKey) prefixCache.store({ ...promptKey, ids: allIds }, prefix.cache);

  const constraint = decoder?.outcome() ?? null;
  profile.tagTokens = constraint?.tagTokens ?? 0;
  const stopReason = stopReasonOf({
    interrupted: stopper.interrupted,
    constraintComplete: constraint ? constraint.complete : null,
    tokenCount: stream.tokenCount,
    maxNewTokens: request.maxNewTokens,
  });
  return {
    text: stream.text,
    tokenCount: stream.tokenCount,
    stopReason,
    firstTokenMs: stream.firstTokenMs,
    totalMs: performance.now() - started,
    image: { original: { width: original.width, height: original.height }, processed },
    constraint: constraint && { complete: constraint.complete, levelProbabilities: constraint.levelProbabilities },
    profile,
  };
}

function pickTensors(inputs: Record<string, Tensor>, names: readonly string[]): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(inputs).filter(([name]) => names.includes(name)));
}

function omitTensors(inputs: Record<string, Tensor>, names: readonly string[]): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(inputs).filter(([name]) => !names.includes(name)));
}

/** The ids of a [1, n] int64 tensor as numbers. */
function tensorIds(tensor: Tensor): number[] {
  return Array.from(tensor.data as BigInt64Array, Number);
}
