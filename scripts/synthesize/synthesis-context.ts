/** What every stage of the synthesis gets besides its item: the logged calls, the endpoints, the output limits, OCR. */
import type { QuotedImageText } from '../../src/core/image-text.ts';
import type { ChatMessage } from '../../src/core/rewriter-api.ts';
import { userTurn, type EvalCalls } from '../eval/eval-calls.ts';
import type { EndpointClient } from '../eval/endpoint.ts';
import type { EvalItem } from '../eval/eval-types.ts';
import type { TeacherStage } from './teacher-prompts.ts';

export interface SynthesisContext {
  calls: EvalCalls;
  teacher: EndpointClient;
  /** Answers the prompts whose responses the dataset lacks, and (with --verify) the original and refined prompts. */
  target: EndpointClient | null;
  judge: EndpointClient | null;
  teacherMaxTokens: number;
  targetMaxTokens: number;
  /** The text OCR found in the item's image, quoted; null with OCR off or when it found none. */
  imageText(item: EvalItem): Promise<QuotedImageText | null>;
}

/** The teacher's reply to one stage's messages, with the item's image; from the log when that stage asked it before. */
export async function askTeacher(context: SynthesisContext, item: EvalItem, stage: TeacherStage, messages: ChatMessage[]): Promise<string> {
  const { answer } = await context.calls.chat(
    context.teacher,
    'teacher',
    item,
    { messages, image: item.image, maxTokens: context.teacherMaxTokens },
    { teacherStage: stage },
  );
  return answer.text;
}

/** The target's answer to `prompt` with the item's image, keyed as the evaluation keys its target answers. */
export async function askTarget(context: SynthesisContext, target: EndpointClient, item: EvalItem, prompt: string): Promise<string> {
  const { answer } = await context.calls.chat(target, 'target', item, { messages: userTurn(prompt, true), image: item.image, maxTokens: context.targetMaxTokens });
  return answer.text;
}
