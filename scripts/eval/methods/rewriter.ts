/** Our rewriter (in this process or served): its output decided at the run's strictness, then the target answers. */
import type { EndpointClient } from '../endpoint.ts';
import type { EvalItem, MethodResult, RewriterRecord } from '../eval-types.ts';
import { decideRewriterOutput } from '../rewriter-record.ts';
import { askTarget, methodResult, type Method, type MethodContext } from './method-context.ts';

export const runRewriter: Method = async (item, target, context) => {
  const rewriter = context.rewriter;
  if (!rewriter) throw new Error('The rewriter method needs --rewriter or --rewriter-endpoint.');
  const run = await rewriter.rewrite(item);
  const { record } = decideRewriterOutput(run.output, item.prompt, context.strictness, run.imageText);
  const result = await answerRewrite(item, target, context, record);
  return { ...result, usage: [...run.usage, ...result.usage] };
};

/** The target's answer to a decided rewrite (the rewriter method, and each point of the strictness sweep). */
export async function answerRewrite(item: EvalItem, target: EndpointClient, context: MethodContext, record: RewriterRecord): Promise<MethodResult> {
  const reply = await askTarget(context, target, item, record.finalPrompt);
  return methodResult(item, target, {
    method: 'rewriter',
    promptSent: record.finalPrompt,
    answer: reply.text,
    rewriter: record,
    usage: [reply.usage],
    notes: { outcome: record.outcome },
  });
}
