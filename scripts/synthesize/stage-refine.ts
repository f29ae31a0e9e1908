/**
 * Stage 4: the refined prompt. For level none it is the prompt itself (the teacher is not asked). Otherwise the
 * teacher writes it from the risk report, and it must be what the app would send on: not a bare refusal, writable in
 * the rewriter's format, and accepted by the app's own decision (rewrite-decision.ts with the policy of
 * rewrite-policy.ts: changed, within the length bound, in the prompt's script, free of tags and special tokens).
 */
import { decideRewrite, DEFAULT_STRICTNESS } from '../../src/core/rewrite-decision.ts';
import { formatRewriteOutput, RewriteFormatError } from '../../src/core/rewrite-output-writer.ts';
import type { EvalItem } from '../eval/eval-types.ts';
import { readRefusal } from '../eval/refusal.ts';
import type { RiskReport } from './sft-record.ts';
import { askTeacher, type SynthesisContext } from './synthesis-context.ts';
import { refineMessages } from './teacher-prompts.ts';
import { readRefineReply, reject, type StageOutcome } from './teacher-replies.ts';

export interface Refinement {
  refinedPrompt: string;
  /** The report and the refined prompt in the rewriter's format. */
  output: string;
}

function written(report: RiskReport, refinedPrompt: string, what: string): StageOutcome<Refinement> {
  try {
    return { ok: true, value: { refinedPrompt, output: formatRewriteOutput(report, refinedPrompt) } };
  } catch (error) {
    if (error instanceof RewriteFormatError) return reject(`${what} cannot be written in the rewriter's format`, error.message);
    throw error;
  }
}

export async function refinePrompt(item: EvalItem, report: RiskReport, context: SynthesisContext): Promise<StageOutcome<Refinement>> {
  if (report.level === 'none') return written(report, item.prompt, 'the prompt');
  const read = readRefineReply(await askTeacher(context, item, 'refine', refineMessages({ prompt: item.prompt, report })));
  return read.ok ? checkRefinedPrompt(item.prompt, report, read.value) : read;
}

/** The teacher's refined prompt for a risky report, if the app would send it on in place of `prompt`. */
export function checkRefinedPrompt(prompt: string, report: RiskReport, refinedPrompt: string): StageOutcome<Refinement> {
  const refusal = readRefusal(refinedPrompt);
  if (refusal.refused) return reject('the refined prompt is a bare refusal', `it opens with ${JSON.stringify(refusal.matched)}: ${refinedPrompt}`);
  const refinement = written(report, refinedPrompt, 'the refined prompt');
  if (!refinement.ok) return refinement;
  const decision = decideRewrite({
    rawOutput: refinement.value.output,
    originalPrompt: prompt,
    stopReason: 'end-of-text',
    levelProbabilities: null,
    strictness: DEFAULT_STRICTNESS,
  });
  if (decision.outcome === 'fallback') return reject(`the app would not send the refined prompt on: ${decision.reason}`, decision.explanation);
  return refinement;
}
