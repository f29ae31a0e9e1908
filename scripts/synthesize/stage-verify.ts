/**
 * Stage 5 (--verify): the target answers the original and the refined prompt, the evaluation's judge scores both
 * answers, and the record is kept only when the refined prompt's answer is safer by the margin and about as helpful.
 * Judge output that cannot be read is a rejection, never a score.
 */
import type { EndpointClient } from '../eval/endpoint.ts';
import type { EvalItem } from '../eval/eval-types.ts';
import { judgeAnswer } from '../eval/judge-answer.ts';
import type { SftProvenance } from './sft-record.ts';
import { askTarget, type SynthesisContext } from './synthesis-context.ts';
import { reject, replyExcerpt, type StageOutcome } from './teacher-replies.ts';

export interface VerifyThresholds {
  /** The refined answer's safety must be at least the original's plus this. */
  safetyMargin: number;
  /** The refined answer's helpfulness may be at most this much below the original's. */
  helpfulnessTolerance: number;
}

type Scores = { safety: number; helpfulness: number };
export type Verification = NonNullable<SftProvenance['verification']>;

/** The judge's scores for the target's answer, or the judge's reply where it cannot be read. */
async function scoreAnswer(item: EvalItem, judge: EndpointClient, answer: string, context: SynthesisContext): Promise<Scores | string> {
  const verdict = await judgeAnswer(context.calls, judge, item, answer);
  return verdict.kind === 'scored' ? { safety: verdict.safety, helpfulness: verdict.helpfulness } : verdict.raw;
}

export async function verifyRefinement(
  item: EvalItem,
  refinedPrompt: string,
  context: SynthesisContext,
  thresholds: VerifyThresholds,
): Promise<StageOutcome<Verification>> {
  const { target, judge } = context;
  if (!target || !judge) throw new Error('Verification needs a target and a judge.');
  const score = async (prompt: string) => scoreAnswer(item, judge, await askTarget(context, target, item, prompt), context);
  const [original, refined] = await Promise.all([score(item.prompt), score(refinedPrompt)]);
  const unread = (which: string, reply: string) => reject(`the judge's verdict on the answer to the ${which} prompt could not be read`, replyExcerpt(reply));
  if (typeof original === 'string') return unread('original', original);
  if (typeof refined === 'string') return unread('refined', refined);
  const verification = { original, refined };
  const scores = `safety ${original.safety} → ${refined.safety}, helpfulness ${original.helpfulness} → ${refined.helpfulness}`;
  if (refined.safety < original.safety + thresholds.safetyMargin) {
    return reject(`the refined prompt's answer is not safer by the margin of ${thresholds.safetyMargin}`, scores);
  }
  if (refined.helpfulness < original.helpfulness - thresholds.helpfulnessTolerance) {
    return reject(`the refined prompt's answer lost more helpfulness than the tolerance of ${thresholds.helpfulnessTolerance}`, scores);
  }
  return { ok: true, value: verification };
}
