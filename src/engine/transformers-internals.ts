import { DynamicCache, type PreTrainedModel, type Processor, type Tensor } from '@huggingface/transformers';

/*
 * Every use the engine makes of transformers.js beyond its documented API lives here. Each function names what it
 * relies on in the library's source; test/integration/transformers-internals.test.ts proves each one on the real
 * library with the tiny generated models and fails when the installed version is not the one below. After an
 * upgrade, re-read the source each comment names, rerun that test, and only then move the version.
 */

/** The @huggingface/transformers version whose source every function here was checked against. */
export const INTERNALS_CHECKED_AGAINST = '4.3.2';

/** What a model's vision step takes (the vision encoder's inputs) and gives (the image features). */
export type ImageEncoder = (inputs: Record<string, Tensor>) => Promise<Tensor>;

/**
 * Replaces the model's vision step with `wrap(original)`.
 * Checked against @huggingface/transformers 4.3.2: the prefill (`image_text_to_text_forward` in
 * models/modeling_utils.js) calls `self.encode_image`, an @internal method (Qwen2VL's class overrides it), looked up
 * on the instance at each call, so an own property replaces it; what it returns is merged as the image features.
 */
export function wrapImageEncoder(model: PreTrainedModel, wrap: (encode: ImageEncoder) => ImageEncoder): void {
  const encode: ImageEncoder = model.encode_image.bind(model);
  model.encode_image = wrap(encode);
}

/** The inputs of the model's onnxruntime session `name`, or null where it has no such session. */
function sessionInputNames(model: PreTrainedModel, name: string): string[] | null {
  const session = model.sessions[name] as { inputNames?: string[] } | undefined;
  return session?.inputNames ?? null;
}

/**
 * What an image's features depend on: the vision encoder session's inputs.
 * Checked against @huggingface/transformers 4.3.2: `model.sessions` holds the onnxruntime sessions under the names
 * of models/session_config.js, and `_encode_input` feeds `vision_encoder` exactly `pick(inputs, session.inputNames)`;
 * `pixel_values` is what the prefill looks for when the session is missing.
 */
export function visionEncoderInputNames(model: PreTrainedModel): string[] {
  return sessionInputNames(model, 'vision_encoder') ?? ['pixel_values'];
}

/**
 * The decoder's cache inputs: `past_key_values.N.key|value` for attention, `past_conv.N` and `past_recurrent.N` for
 * the convolution and recurrent states of hybrid decoders.
 * Checked against @huggingface/transformers 4.3.2: the decoder session is `decoder_model_merged`, and
 * `getPastKeyValues` names the cache entries after its `past_*` inputs.
 */
export function decoderCacheInputNames(model: PreTrainedModel): string[] {
  return (sessionInputNames(model, 'decoder_model_merged') ?? []).filter((name) => name.startsWith('past_'));
}

/** Checked against @huggingface/transformers 4.3.2: `model.config` is config.json as parsed, `model_type` at its top level. */
export function modelType(model: PreTrainedModel): string {
  return (model.config as { model_type?: string }).model_type ?? '';
}

/**
 * The id of the token each image position holds in the prompt.
 * Checked against @huggingface/transformers 4.3.2: the top-level `image_token_id` or `image_token_index` of
 * config.json, the fields the feature merge (`_merge_input_ids_with_image_features`) matches image positions by.
 */
export function imageTokenId(model: PreTrainedModel): number | null {
  const config = model.config as { image_token_id?: number; image_token_index?: number };
  return config.image_token_id ?? config.image_token_index ?? null;
}

/**
 * Makes an Idefics3-style processor resize straight to its tile: with image splitting off it first resizes to
 * `size.longest_edge` (2048 px for SmolVLM, upscaling a 512-px image 16-fold in pixels), normalizes that, and only
 * then squeezes it into one `max_image_size` tile. Returns false (and changes nothing) where the processor has
 * neither size.
 * Checked against @huggingface/transformers 4.3.2: `Idefics3ImageProcessor` (models/idefics3/
 * image_processing_idefics3.js) reads `this.size` at every call for its first resize and
 * `this.max_image_size.longest_edge` for the tile, both plain objects from preprocessor_config.json.
 */
export function resizeStraightToTile(processor: Processor): boolean {
  const imageProcessor = processor.image_processor as
    | { size?: { longest_edge?: number }; max_image_size?: { longest_edge?: number } }
    | undefined;
  const longestEdge = imageProcessor?.size?.longest_edge;
  const tile = imageProcessor?.max_image_size?.longest_edge;
  if (!imageProcessor || !longestEdge || !tile) return false;
  imageProcessor.size = { ...imageProcessor.size, longest_edge: Math.min(longestEdge, tile) };
  return true;
}

/**
 * The tensors a cache holds, by the decoder input each feeds.
 * Checked against @huggingface/transformers 4.3.2: `DynamicCache` (cache_utils.js) keeps its tensors as its own
 * enumerable properties, named as the decoder's `past_*` inputs, with attention KV as [batch, heads, positions, dim].
 */
export function cacheEntries(cache: DynamicCache): Array<[string, Tensor]> {
  return Object.entries(cache) as Array<[string, Tensor]>;
}

/**
 * Moves every tensor of `cache` that lives on a device (WebGPU's decoder KV stays in GPU buffers) into CPU memory, in
 * place, and frees the device's copy, so the cache can be cut back to a prefix and outlive the run.
 * Checked against @huggingface/transformers 4.3.2 and the onnxruntime-common that onnxruntime-web 1.31 bundles: a
 * `Tensor` wraps its onnxruntime tensor as `ort_tensor` and reads `location` and `data` from it; the onnxruntime
 * tensor's `getData(true)` downloads a `gpu-buffer` (or `texture`, `ml-tensor`) tensor, switches it to `cpu` with that
 * data, and releases the device copy.
 */
export async function moveCacheToCpu(cache: DynamicCache): Promise<void> {
  const onDevice = cacheEntries(cache).filter(([, tensor]) => tensor.location !== 'cpu');
  await Promise.all(onDevice.map(([, tensor]) => tensor.ort_tensor.getData(true)));
}

/** A cache holding `entries` (none: an empty one); checked against 4.3.2, as cacheEntries. */
export function cacheFromEntries(entries: Record<string, Tensor> = {}): DynamicCache {
  return new DynamicCache(entries);
}

/**
 * The generate() options that start the decoder from `cache` and leave the whole run's KV in it.
 * Checked against @huggingface/transformers 4.3.2: generate() writes into a `past_key_values` cache it is given, in
 * place (`addPastKeyValues` and `getPastKeyValues` call its update()), keeps it alive after the run, and
 * `decoder_prepare_inputs_for_generation` feeds the decoder only the prompt positions after its get_seq_length().
 */
export function resumeFromCache(cache: DynamicCache): { past_key_values: DynamicCache } {
  return { past_key_values: cache };
}
