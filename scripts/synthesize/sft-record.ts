/**
 * What the synthesis pipeline (npm run synthesize) produces and the trainer exports consume: one supervised
 * example per item, the target output written in the rewriter's own format, so a model trained on it is read by
 * our parser and decision unchanged.
 */
import type { RiskReportFields } from '../../src/core/rewrite-output-writer.ts';
import type { SafetyLabel } from '../eval/eval-types.ts';

/** Stage 2's risk report: the three analyses, the level and the category, as the rewriter writes them. */
export type RiskReport = RiskReportFields;

/** Where a record's safe/unsafe responses came from, and what each stage did. */
export interface SftProvenance {
  teacher: string;
  /** The target that produced the responses, or null when the dataset shipped them. */
  target: string | null;
  responses: 'dataset' | 'target';
  /** Where each response came from: 'responses' above is 'dataset' only when both did. */
  responseSources?: { safe: 'dataset' | 'target'; unsafe: 'dataset' | 'target' };
  /** Stage 4: null when verification was off; else whether the refined prompt made the target's answer safer without losing helpfulness. */
  verified: boolean | null;
  /** The judge's scores of the target's answers to the original and the refined prompt (stage 4 only). */
  verification: { original: { safety: number; helpfulness: number }; refined: { safety: number; helpfulness: number } } | null;
}

export interface SftRecord {
  /** The evaluation item's id. */
  id: string;
  benchmark: string;
  label: SafetyLabel;
  /** The dataset's own category. */
  datasetCategory: string | null;
  /** Absolute path of the image. */
  image: string;
  /** The user's original prompt. */
  prompt: string;
  /** The user turn the app sends the rewriter for this prompt (buildRewriteInstruction), after the image. */
  instruction: string;
  /** Stage 1: the hindsight analysis (why the unsafe response was unsafe and the safe one safe). */
  hindsight: string;
  report: RiskReport;
  /** Stage 3: the refined prompt; equal to `prompt` for level none. */
  refinedPrompt: string;
  /** The assistant turn: `report` and `refinedPrompt` in the rewriter's bracketed format, ending with [END]. */
  output: string;
  provenance: SftProvenance;
}

/** Why an item did not become a record, counted per stage in the dataset card. */
export interface SftRejection {
  id: string;
  stage: 'responses' | 'hindsight' | 'analysis' | 'refine' | 'verify';
  reason: string;
  /** This item's specifics (the scores, the reply that did not parse), apart from the reason so that reasons group. */
  detail?: string;
}
