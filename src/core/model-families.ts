import { planImageFit } from './image-fit.ts';

/** Model families the engine knows how to prompt. Each one's quirks live here and nowhere else. */
export type ModelFamily = 'smolvlm' | 'lfm2-vl' | 'qwen3.5';

export interface FamilyTraits {
  label: string;
  /** Processors differ in argument order: SmolVLM/Qwen take (text, images), LFM2-VL (images, text). */
  processorArguments: 'text-then-images' | 'images-then-text';
  /** Passed to the processor call, which hands them to the tokenizer (and, for SmolVLM, the image processor). */
  processorOptions: Record<string, unknown>;
  /** Passed to apply_chat_template, e.g. to turn off a thinking block. */
  chatTemplateOptions: Record<string, unknown>;
  /**
   * Images are downscaled so their longest side is at most this before the processor: one tile
   * is enough to judge risk, and every extra tile costs a vision-encoder pass.
   */
  maxImageSide: number;
}

export const MODEL_FAMILIES: Record<ModelFamily, FamilyTraits> = {
  smolvlm: {
    label: 'SmolVLM / Idefics3',
    processorArguments: 'text-then-images',
    // Without this the processor splits a large image into 512-px tiles plus a global view.
    processorOptions: { do_image_splitting: false },
    chatTemplateOptions: {},
    maxImageSide: 512,
  },
  'lfm2-vl': {
    label: 'LFM2-VL',
    processorArguments: 'images-then-text',
    // The chat template writes the BOS and the tokenizer's post-processor would add a second one. Its image processor
    // takes no options: within maxImageSide an image stays one tile (it splits only above ~724 px squared).
    processorOptions: { add_special_tokens: false },
    chatTemplateOptions: {},
    maxImageSide: 512,
  },
  'qwen3.5': {
    label: 'Qwen3.5',
    processorArguments: 'text-then-images',
    processorOptions: {},
    // Qwen3.5 otherwise opens its answer with a <think> block; the parser strips one if it still appears.
    chatTemplateOptions: { enable_thinking: false },
    // Qwen has no fixed tile: tokens grow with pixels (one per 32×32 patch), so cap the side.
    maxImageSide: 448,
  },
};

/**
 * The size the processor gets: the image scaled to `maxSide` (aspect ratio kept), then padded where a side is under
 * MIN_IMAGE_SIDE (see planImageFit, which also says where the picture sits).
 */
export function fitImageSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  return planImageFit(width, height, maxSide).canvas;
}

/** Maps a config.json `model_type` to a family, for folders and custom ids. */
export function familyFromModelType(modelType: string): ModelFamily | null {
  switch (modelType) {
    case 'smolvlm':
    case 'idefics3':
      return 'smolvlm';
    case 'lfm2_vl':
      return 'lfm2-vl';
    case 'qwen3_5':
      return 'qwen3.5';
    default:
      return null;
  }
}
