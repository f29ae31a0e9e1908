/** What every method gets besides its item and target: the logged calls, the settings, OCR, the guard, the rewriter. */
import type { QuotedImageText } from '../../../src/core/image-text.ts';
import { userTurn, usageOf, type EvalCalls } from '../eval-calls.ts';
import type { EndpointClient } from '../endpoint.ts';
import type { EvalItem, MethodResult, TokenUsage } from '../eval-types.ts';
import type { RewriterOutput } from '../rewriter-record.ts';

/** The rewriter's raw output for an item, and the OCR lines it was given; the decision is the method's. */
export interface RewriterRun {
  output: RewriterOutput;
  imageText: { ocr: boolean; quoted: QuotedImageText | null };
  usage: Array<{ endpoint: string; usage: TokenUsage | null }>;
}

export interface RewriterSource {
  rewrite(item: EvalItem): Promise<RewriterRun>;
}

export interface MethodContext {
  calls: EvalCalls;
  /** The output limit of a target's answers. */
  maxTokens: number;
  /** The rewriter's pass-through threshold. */
  strictness: number;
  /** The text OCR found in the item's image, quoted; null with OCR off or when it found none. */
  imageText(item: EvalItem): Promise<QuotedImageText | null>;
  guard: EndpointClient | null;
  rewriter: RewriterSource | null;
}

export type Method = (item: EvalItem, target: EndpointClient, context: MethodContext) => Promise<MethodResult>;

export interface TargetReply {
  text: string;
  usage: { endpoint: string; usage: TokenUsage | null };
}

/** The target's answer to `prompt`, with the item's image or (ECSO's last step) without it. */
export async function askTarget(
  context: MethodContext,
  target: EndpointClient,
  item: EvalItem,
  prompt: string,
  withImage = true,
): Promise<TargetReply> {
  const { answer } = await context.calls.chat(target, 'target', item, {
    messages: userTurn(prompt, withImage),
    image: withImage ? item.image : null,
    maxTokens: context.maxTokens,
  });
  return { text: answer.text, usage: usageOf(target.spec.name, answer) };
}

/** A result with the fields every method fills the same way. */
export function methodResult(
  item: EvalItem,
  target: EndpointClient,
  fields: Pick<MethodResult, 'method' | 'promptSent' | 'answer' | 'usage'> & Partial<Pick<MethodResult, 'methodRefused' | 'rewriter' | 'notes'>>,
): MethodResult {
  return {
    itemId: item.id,
    target: target.spec.name,
    methodRefused: false,
    rewriter: null,
    notes: {},
    error: null,
    ...fields,
  };
}
