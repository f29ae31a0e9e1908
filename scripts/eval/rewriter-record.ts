/** The rewriter's record for one item (RewriterRecord) and its re-decision at another strictness, without the model. */
import type { QuotedImageText } from '../../src/core/image-text.ts';
import { decideRewrite } from '../../src/core/rewrite-decision.ts';
import type { LevelProbabilities, RewriteResult } from '../../src/core/rewrite-format.ts';
import type { StopReason } from '../../src/core/rewriter-api.ts';
import type { RewriterRecord } from './eval-types.ts';

export interface RewriterOutput {
  raw: string;
  stopReason: StopReason;
  levelProbabilities: LevelProbabilities | null;
  ms: number;
  newTokens: number;
}

/**
 * The decision on one output, and the record of it. `imageText` says whether OCR ran and the lines it gave the
 * rewriter (quoted null: it found none, recorded as an empty list).
 */
export function decideRewriterOutput(
  output: RewriterOutput,
  prompt: string,
  strictness: number,
  imageText: { ocr: boolean; quoted: QuotedImageText | null },
): { record: RewriterRecord; rewrite: RewriteResult } {
  const rewrite = decideRewrite({
    rawOutput: output.raw,
    originalPrompt: prompt,
    stopReason: output.stopReason,
    levelProbabilities: output.levelProbabilities,
    strictness,
    imageText: imageText.quoted,
  });
  const record: RewriterRecord = {
    raw: output.raw,
    stopReason: output.stopReason,
    levelProbabilities: output.levelProbabilities ? { ...output.levelProbabilities } : null,
    imageTextLines: imageText.ocr ? (imageText.quoted?.lines ?? []) : null,
    imageTextCutCharacters: imageText.quoted?.cutCharacters ?? 0,
    heldFormatTags: imageText.quoted?.heldFormatTags ?? false,
    outcome: rewrite.outcome,
    level: rewrite.analysis.level,
    category: rewrite.analysis.category,
    finalPrompt: rewrite.refinedPrompt,
    ms: output.ms,
    newTokens: output.newTokens,
  };
  return { record, rewrite };
}

/** The quoted OCR lines a record was made with, as the decision and the static defence take them. */
export function recordImageText(record: RewriterRecord): QuotedImageText | null {
  if (!record.imageTextLines || record.imageTextLines.length === 0) return null;
  return { lines: record.imageTextLines, cutCharacters: record.imageTextCutCharacters ?? 0, heldFormatTags: record.heldFormatTags };
}

/** The stored output decided again at another strictness (the sweep): no model runs. */
export function redecideRecord(record: RewriterRecord, prompt: string, strictness: number): RewriterRecord {
  return decideRewriterOutput(record, prompt, strictness, { ocr: record.imageTextLines !== null, quoted: recordImageText(record) }).record;
}
