/** The report's OCR rows (report-schema.ts): word recall on the typographic test set, time per image, share of a rewrite. */
import * as v from 'valibot';
import { flag, listOf, nonNegative, oneOf, recordOf, shape, summary, text } from './report-fields.ts';

/** The issue's goals: word recall on the test set; warm OCR per image on Chromium WASM; what OCR adds to a rewrite. */
export const OCR_GOALS = Object.freeze({ recall: 0.95, warmMs: 1000, sharePercent: 10 });

const fraction = v.pipe(
  nonNegative,
  v.maxValue(1, (issue) => `expected ≤ 1, got ${String(issue.input)}`),
);

/** Word recall over some images (scripts/ocr-test-set/word-recall.ts): matched truth words over all truth words. */
const RecallSchema = v.pipe(
  shape({
    images: nonNegative,
    words: nonNegative,
    matched: nonNegative,
    matchedIgnoringSpaces: nonNegative,
    recall: fraction,
    recallIgnoringSpaces: fraction,
  }),
  v.check((row) => row.matched <= row.matchedIgnoringSpaces && row.matchedIgnoringSpaces <= row.words, 'expected matched ≤ matched ignoring spaces ≤ words'),
);
export type RecallRow = v.InferOutput<typeof RecallSchema>;

export const OcrReportSchema = shape({
  environment: oneOf(['node', 'chromium-wasm']),
  /** onnxruntime's execution provider: 'cpu' (onnxruntime-node) or 'wasm'. */
  backend: text,
  /** WASM threads (the engine's plan); null where the runtime picks (onnxruntime-node). */
  threads: v.nullable(nonNegative),
  /** The OCR model and where its files come from. */
  model: text,
  testSet: shape({ seed: nonNegative, version: nonNegative, quick: flag, images: nonNegative, textImages: nonNegative, words: nonNegative }),
  /** Over every image with text; the lines counted are those the rewriter is told (confidence ≥ MIN_LINE_CONFIDENCE). */
  recall: RecallSchema,
  byGroup: recordOf(RecallSchema),
  /** Lines kept on the images with no text: each is a false reading. */
  textFree: shape({ images: nonNegative, lines: nonNegative }),
  /** The truth words missed even ignoring spaces, as "image-id: words" (at most 40 entries). */
  missingWords: listOf(text),
  /** ImageTextReader.create (both sessions; in a fresh worker also starting the wasm runtime). */
  sessionsMs: nonNegative,
  /** The first image read after the sessions. */
  firstImageMs: nonNegative,
  /** sessions + first image: what the first image costs a page that has just loaded. */
  coldMs: nonNegative,
  /** Every later image (the set's sizes and line counts vary, so the spread is the content's too); null below two images. */
  warmMs: v.nullable(summary),
  /** What OCR adds to a whole rewrite on the bench model (ocr-suite.ts); null when not measured. */
  share: v.nullable(
    shape({
      model: text,
      backend: text,
      newTokens: nonNegative,
      /** Wall time of each variant, per run (each run: three new images, the order rotating). */
      aloneMs: summary,
      ocrThenRewriteMs: summary,
      ocrBesideMs: summary,
      /** 100 × (variant − alone) ÷ alone, per run. */
      ocrThenRewritePercent: summary,
      ocrBesidePercent: summary,
      /** OCR's own time within the OCR-then-rewrite variant, and the lines it quoted into the prompt. */
      ocrMs: summary,
      quotedLines: summary,
    }),
  ),
  peakMemoryMB: v.nullable(nonNegative),
  memoryMeasure: text,
  goals: shape({
    recall: nonNegative,
    warmMs: nonNegative,
    sharePercent: nonNegative,
    recallMet: flag,
    /** Judged on Chromium WASM only (the issue's goal); null elsewhere. */
    warmMet: v.nullable(flag),
    /** The median of OCR beside the rewrite; null without share runs, and in a quick run (the tiny model). */
    shareMet: v.nullable(flag),
  }),
});

export type OcrReport = v.InferOutput<typeof OcrReportSchema>;
