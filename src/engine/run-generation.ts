import type { DynamicCache, InterruptableStoppingCriteria, Tensor } from '@huggingface/transformers';
import { MODEL_FAMILIES } from '../core/model-families.ts';
import type { StreamUpdate } from '../core/rewriter-api.ts';
import { stopReasonOf } from '../core/stop-reason.ts';
import { buildLogitsProcessors, createConstrainedDecoder } from './constrained-generation.ts';
import type { EngineGenerateRequest, EngineGenerateResult, GenerateProfile } from './engine-types.ts';
import type { LoadedModelState } from './model-loader.ts';
import { buildModelInputs } from './model-inputs.ts';
import { prepareImage } from './prepare-image.ts';
import type { PrefillPart, PromptKey } from './prompt-prefix-cache.ts';
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
  if ((state.visionCache || state.prefixCache?.keep) && Object.keys(visionInputs).length > 0) {
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

  const { tokenizer } = state.processor;
  if (!tokenizer) throw new Error(`${state.model.id} has no tokenizer.`);
  const stream = new TokenStream(tokenizer, { started, onStream, stopFlag: request.stopFlag, stopper });
  const decoder = request.outputFormat ? createConstrainedDecoder(request.outputFormat, state.tokenTable) : null;
  const logitsProcessors = decoder || request.inspectLogits ? buildLogitsProcessors(decoder, request.inspectLogits) : null;

  state.activeRun = { profile, imageDigest: digest };
  let sequences: Tensor;
  try {
    let imageToEncode = !prefix?.imageInPrefix;
    if (prefix) {
      for (const part of prefix.prefill) {
        await prefill(state, stopper, inputs, part, prefix.cache);
        if (part.hasImage) imageToEncode = false;
      }
    }
    sequences = (await state.vlm.generate({
      // With the image's positions already in the cached KV, the vision encoder has nothing to do.
      ...(imageToEncode ? inputs : omitTensors(inputs, state.visionInputNames)),
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
    await prefix?.cache.dispose();
    throw error;
  } finally {
    state.activeRun = null;
  }
  stream.flush();
  const allIds = tensorIds(sequences);
  profile.tokenIds = allIds.slice(profile.promptTokens);
  if (prefixCache && prefix && promptKey) await prefixCache.store({ ...promptKey, ids: allIds }, prefix.cache);

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
    reuse: { promptTokens: profile.promptTokens, reusedPromptTokens: profile.reusedPrefixTokens, image: profile.vision },
    profile,
  };
}

/**
 * Runs the decoder over the prompt's positions up to `part.end` (the cache holds the ones before), leaving their KV
 * in `cache`. The image's inputs go along only with the part that holds the image.
 * Checked against @huggingface/transformers 4.3.2: generate() feeds only the positions past the cache's length, and
 * after its last step writes that step's KV back into the cache it was given; with one new token, the last step is
 * the prefill itself.
 */
async function prefill(
  state: LoadedModelState,
  stopper: InterruptableStoppingCriteria,
  inputs: Record<string, Tensor>,
  part: PrefillPart,
  cache: DynamicCache,
): Promise<void> {
  const upToEnd = (name: string) => {
    const tensor = inputs[name];
    return tensor ? { [name]: tensor.slice(null, [0, part.end]) } : {};
  };
  await state.vlm.generate({
    ...(part.hasImage ? inputs : omitTensors(inputs, state.visionInputNames)),
    ...upToEnd('input_ids'),
    ...upToEnd('attention_mask'),
    ...resumeFromCache(cache),
    max_new_tokens: 1,
    do_sample: false,
    stopping_criteria: [stopper],
  });
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
