/**
 * One item through the stages: responses → hindsight → risk report → refined prompt → (optional) verification, into
 * an SftRecord in the rewriter's own format, or an SftRejection naming the stage and the reason. A call that fails
 * after its retries throws: the item is neither, and the next run tries it again.
 */
import { buildRewriteInstruction } from '../../src/core/rewrite-prompt.ts';
import type { EvalItem } from '../eval/eval-types.ts';
import type { SftProvenance, SftRecord, SftRejection } from './sft-record.ts';
import { analyseRisk } from './stage-analysis.ts';
import { analyseInHindsight } from './stage-hindsight.ts';
import { refinePrompt } from './stage-refine.ts';
import { collectResponses } from './stage-responses.ts';
import { verifyRefinement, type Verification, type VerifyThresholds } from './stage-verify.ts';
import type { SynthesisContext } from './synthesis-context.ts';
import type { StageRejection } from './teacher-replies.ts';

export type ItemSynthesis = { kind: 'record'; record: SftRecord } | { kind: 'rejection'; rejection: SftRejection };

export async function synthesizeItem(item: EvalItem, context: SynthesisContext, verify: VerifyThresholds | null): Promise<ItemSynthesis> {
  const rejected = (stage: SftRejection['stage'], outcome: StageRejection): ItemSynthesis => ({
    kind: 'rejection',
    rejection: { id: item.id, stage, reason: outcome.reason, ...(outcome.detail === undefined ? {} : { detail: outcome.detail }) },
  });

  const responses = await collectResponses(item, context);
  if (!responses.ok) return rejected('responses', responses);
  const hindsight = await analyseInHindsight(item, responses.value, context);
  if (!hindsight.ok) return rejected('hindsight', hindsight);
  const report = await analyseRisk(item, hindsight.value, context);
  if (!report.ok) return rejected('analysis', report);
  const refinement = await refinePrompt(item, report.value, context);
  if (!refinement.ok) return rejected('refine', refinement);
  // A pass-through record's refined prompt is the prompt: there is nothing to verify.
  let verification: Verification | null = null;
  if (verify && report.value.level !== 'none') {
    const verified = await verifyRefinement(item, refinement.value.refinedPrompt, context, verify);
    if (!verified.ok) return rejected('verify', verified);
    verification = verified.value;
  }

  const { sources } = responses.value;
  const fromTarget = sources.safe === 'target' || sources.unsafe === 'target' || verification !== null;
  const provenance: SftProvenance = {
    teacher: context.teacher.spec.model,
    target: fromTarget ? (context.target?.spec.model ?? null) : null,
    responses: sources.safe === 'dataset' && sources.unsafe === 'dataset' ? 'dataset' : 'target',
    responseSources: sources,
    verified: verification === null ? null : true,
    verification,
  };
  return {
    kind: 'record',
    record: {
      id: item.id,
      benchmark: item.benchmark,
      label: item.label,
      datasetCategory: item.category,
      image: item.image,
      prompt: item.prompt,
      instruction: buildRewriteInstruction(item.prompt, await context.imageText(item)),
      hindsight: hindsight.value,
      report: report.value,
      refinedPrompt: refinement.value.refinedPrompt,
      output: refinement.value.output,
      provenance,
    },
  };
}
