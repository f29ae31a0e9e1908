/**
 * Stage 3: the teacher's multimodal causal analysis, conditioned on the hindsight analysis: the risk report. A reply
 * that does not parse or contradicts itself, a report the rewriter's format cannot hold, and a benign item judged
 * risky are rejections here.
 */
import { formatRiskReport, RewriteFormatError } from '../../src/core/rewrite-output-writer.ts';
import type { EvalItem } from '../eval/eval-types.ts';
import type { RiskReport } from './sft-record.ts';
import { askTeacher, type SynthesisContext } from './synthesis-context.ts';
import { analysisMessages } from './teacher-prompts.ts';
import { readAnalysisReply, reject, type StageOutcome } from './teacher-replies.ts';

export const BENIGN_JUDGED_RISKY = 'the teacher judged a benign item risky';

export async function analyseRisk(item: EvalItem, hindsight: string, context: SynthesisContext): Promise<StageOutcome<RiskReport>> {
  const read = readAnalysisReply(await askTeacher(context, item, 'analysis', analysisMessages({ prompt: item.prompt, hindsight })));
  if (!read.ok) return read;
  const report = read.value;
  if (item.label === 'safe' && report.level !== 'none') return reject(BENIGN_JUDGED_RISKY);
  try {
    formatRiskReport(report);
  } catch (error) {
    if (error instanceof RewriteFormatError) return reject("the risk report cannot be written in the rewriter's format", error.message);
    throw error;
  }
  return { ok: true, value: report };
}
