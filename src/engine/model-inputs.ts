import type { Processor, RawImage, Tensor } from '@huggingface/transformers';
import { MODEL_FAMILIES, type ModelFamily } from '../core/model-families.ts';
import type { ChatMessage } from '../core/rewriter-api.ts';

/** The prompt text as the family's chat template renders it, generation prompt included. */
export function renderPrompt(processor: Processor, family: ModelFamily, messages: ChatMessage[]): string {
  return processor.apply_chat_template(messages, { add_generation_prompt: true, ...MODEL_FAMILIES[family].chatTemplateOptions }) as string;
}

/** The model inputs (token ids, pixel tensors) of `messages` with `image`, in the family's processor call. */
export async function buildModelInputs(
  processor: Processor,
  family: ModelFamily,
  messages: ChatMessage[],
  image: RawImage,
): Promise<Record<string, Tensor>> {
  const traits = MODEL_FAMILIES[family];
  const prompt = renderPrompt(processor, family, messages);
  const inputs: unknown =
    traits.processorArguments === 'text-then-images'
      ? await processor(prompt, [image], traits.processorOptions)
      : await processor([image], prompt, traits.processorOptions);
  return inputs as Record<string, Tensor>;
}
